"""results.json ``comparisons`` (results-v1.md, "Additions: reviewer-grade efficacy"): the
published-studies table, every row our matched subgroup against the study's population with
N and 95 % CI on both sides — never our whole cohort against a subgroup trial.

* A study with a comparator file (NETTER-1, NETTER-2, user files): our response-evaluable
  patients meeting its eligibility (:mod:`prrt_rwe.results.comparators.cohort`), one row per
  arm and published end point (ORR, PFS rate at the landmark, median PFS, median OS).
* The other studies of published.yaml by the population rules below (:data:`PUBLISHED_ROWS`):
  Okamoto 2026 (the study replicated) against our headline population, Brabander 2017 (all
  primaries) against all response-evaluable patients, NETTER-R (pancreatic NET) against our
  pancreas primaries, COMPETE (G1-G2 GEP-NET, 177Lu-edotreotide) against our G1-G2 GEP-NET.

Ours: ORR confirmed (Clopper-Pearson CI), KM rates and medians with the configured CI.
Published: the source's estimate and CI; where the source gives n/N but no CI, the exact CI
is computed from them and the ``source`` says so; ``N`` is the outcome's denominator when
known, else the arm's randomised n (said in ``source``), else null.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.benchmarks.comparators import EligibilityError, parse_criterion
from prrt_rwe.benchmarks.published import study
from prrt_rwe.results import survival as surv
from prrt_rwe.results.comparators.cohort import POPULATION_LABEL, evaluable, patients
from prrt_rwe.results.proportion import proportion
from prrt_rwe.stats.proportions import clopper_pearson

ENDPOINTS = ("orr", "pfs_rate", "pfs_median_months", "os_median_months")
STUDY_NAMES = {"okamoto2026": "Okamoto 2026", "brabander2017": "Brabander 2017", "netter_r_pnet": "NETTER-R",
               "compete": "COMPETE"}
GEP = 'primary_group in ["pancreas", "foregut", "midgut", "hindgut"]'


@dataclass(frozen=True)
class PublishedRow:
    """One published figure of published.yaml matched to our population by ``criteria``
    (``None``: our headline population, for the study replicated)."""

    study: str  # published.yaml id
    endpoint: str  # one of ENDPOINTS
    key: str  # key under results: in published.yaml
    field: str | None  # the PRRT value's field (None: the value itself)
    arm: str
    population: str  # the study's population, in words
    criteria: tuple[str, ...] | None
    ours_population: str
    N: int | None = None
    ci95: tuple | None = None  # from a source named in ``note`` when published.yaml has none
    note: str = ""


NETTER_R = ("Clement D, et al. Eur J Nucl Med Mol Imaging 2022;49:3529-37, abstract: ORR 40.3 % (95 % CI "
            "28.1-53.6) and median PFS 24.8 months (17.5-34.5) in 62 patients with RECIST response; median OS "
            "41.4 months (28.6-50.2) in 110")
BRABANDER_N = "N = the 443 patients of the cohort (citation); the outcome's own denominator is not recorded"
PUBLISHED_ROWS: tuple[PublishedRow, ...] = (
    PublishedRow("okamoto2026", "orr", "orr", None, "177Lu-DOTATATE", "unresectable or recurrent NEN, any primary",
                 None, "headline population (as the paper)"),
    PublishedRow("okamoto2026", "pfs_median_months", "pfs_median_months", "estimate", "177Lu-DOTATATE",
                 "unresectable or recurrent NEN, any primary", None, "headline population (as the paper)", N=383),
    PublishedRow("brabander2017", "orr", "orr", None, "177Lu-DOTATATE", "GEP and bronchial NET, one centre",
                 (), "all response-evaluable patients", N=443, note=BRABANDER_N),
    PublishedRow("brabander2017", "pfs_median_months", "pfs_median_months", "estimate", "177Lu-DOTATATE",
                 "GEP and bronchial NET, one centre", (), "all response-evaluable patients", N=443, note=BRABANDER_N),
    PublishedRow("brabander2017", "os_median_months", "os_median_months", "estimate", "177Lu-DOTATATE",
                 "GEP and bronchial NET, one centre", (), "all response-evaluable patients", N=443, note=BRABANDER_N),
    PublishedRow("netter_r_pnet", "orr", "orr", None, "177Lu-DOTATATE", "pancreatic NET (registry)",
                 ('primary_group == "pancreas"',), "response-evaluable, pancreas primary", N=62,
                 ci95=(0.281, 0.536), note=NETTER_R),
    PublishedRow("netter_r_pnet", "pfs_median_months", "pfs_median_months", None, "177Lu-DOTATATE",
                 "pancreatic NET (registry)", ('primary_group == "pancreas"',), "response-evaluable, pancreas primary",
                 N=62, ci95=(17.5, 34.5), note=NETTER_R),
    PublishedRow("netter_r_pnet", "os_median_months", "os_median_months", None, "177Lu-DOTATATE",
                 "pancreatic NET (registry)", ('primary_group == "pancreas"',), "response-evaluable, pancreas primary",
                 N=110, ci95=(28.6, 50.2), note=NETTER_R),
    PublishedRow("compete", "orr", "orr", "prrt", "177Lu-edotreotide (not DOTATATE)", "G1-G2 GEP-NET",
                 (GEP, 'who_grade in ["G1", "G2"]'), "response-evaluable, G1-G2 GEP-NET"),
    PublishedRow("compete", "pfs_median_months", "pfs_median_months", "prrt", "177Lu-edotreotide (not DOTATATE)",
                 "G1-G2 GEP-NET", (GEP, 'who_grade in ["G1", "G2"]'), "response-evaluable, G1-G2 GEP-NET"),
)


def endpoint_name(endpoint: str, months=None) -> str:
    return f"pfs_rate_{months:g}m" if endpoint == "pfs_rate" else endpoint


def _km_block(days, event, options):
    has = np.isfinite(days)
    if not has.any():
        return None, 0
    return surv.fit(surv.SurvivalData(days[has], event[has].astype(np.int8)), options), int(has.sum())


def ours(pts, endpoint: str, months, options, label: str) -> dict:
    """Our estimate of one end point on the matched patients."""
    out = {"estimate": None, "ci95": None, "N": pts.n, "population": label}
    if endpoint == "orr":
        p = proportion(int(pts.responder.sum()), pts.n)
        return {**out, "estimate": p["estimate"], "ci95": p["ci95"]}
    days, event = (pts.os_days, pts.os_event) if endpoint.startswith("os") else (pts.pfs_days, pts.pfs_event)
    km, n = _km_block(days, event, options)
    out["N"] = n
    if km is None:
        return out
    if endpoint == "pfs_rate":
        at = surv.landmark(km, months)
        return {**out, "estimate": at["estimate"], "ci95": at["ci95"]}
    lo, hi = km.median_ci
    return {**out, "estimate": surv.months(km.median), "ci95": [surv.months(lo), surv.months(hi)]}


def _headline(results: dict, endpoint: str, label: str) -> dict:
    if endpoint == "orr":
        p = results["response"]["orr"]
        return {"estimate": p["estimate"], "ci95": p["ci95"], "N": p["N"], "population": label}
    block = results["os" if endpoint.startswith("os") else "pfs"]
    return {"estimate": block["median_months"], "ci95": block["ci95"], "N": block["n"], "population": label}


def _published_from_file(outcome, comparator) -> dict:
    source = outcome.source
    N = outcome.N
    ci = None if outcome.ci95 is None else list(outcome.ci95)
    if N is None:
        N = comparator.n
        source += f"; N = {N} randomised to the arm (the outcome's denominator is not in the source)"
    if ci is None and outcome.n is not None and outcome.N is not None:
        ci = list(clopper_pearson(outcome.n, outcome.N))
        source += "; 95 % CI computed here (Clopper-Pearson) from the published n/N"
    return {"estimate": outcome.estimate, "ci95": ci, "N": N, "source": source}


def _published_from_yaml(row: PublishedRow) -> dict:
    s = study(row.study)
    value = s.results[row.key]
    if row.field is not None:
        value = value[row.field]
    n = N = None
    if isinstance(value, dict) and "n" in value and "N" in value:
        n, N = value["n"], value["N"]
        value = value.get("estimate", n / N)
    raw = s.results[row.key]
    ci = list(row.ci95) if row.ci95 else (list(raw["ci95"]) if isinstance(raw, dict) and "ci95" in raw else None)
    source = f"{s.citation} (published.yaml; checked against: {s.verified})"
    if row.note:
        source += f"; {row.note}"
    if ci is None and n is not None:
        ci = list(clopper_pearson(n, N))
        source += "; 95 % CI computed here (Clopper-Pearson) from the published n/N"
    return {"estimate": float(value), "ci95": ci, "N": N if N is not None else row.N, "source": source}


def _describe(criteria) -> str:
    return " and ".join(c.text for c in criteria) if criteria else "all patients"


def comparator_rows(adam, population, comparator, options) -> list[dict]:
    try:
        pts = patients(adam, population, comparator.eligibility)
    except EligibilityError:
        return []  # the comparators block reports why
    label = f"{POPULATION_LABEL}, eligible for {comparator.study}"
    rows = []
    for endpoint in ENDPOINTS:
        outcome = comparator.outcome(endpoint)
        if outcome is None:
            continue
        rows.append({"study": comparator.study, "arm": comparator.arm,
                     "endpoint": endpoint_name(endpoint, outcome.months),
                     "population": _describe(comparator.eligibility),
                     "published": _published_from_file(outcome, comparator),
                     "ours": ours(pts, endpoint, outcome.months, options, label)})
    return rows


def published_rows(adam, population, results: dict, options) -> list[dict]:
    rows = []
    for row in PUBLISHED_ROWS:
        if row.criteria is None:
            mine = _headline(results, row.endpoint, row.ours_population)
        else:
            try:
                pts = patients(adam, population, tuple(parse_criterion(c) for c in row.criteria))
            except EligibilityError as exc:
                mine = {"estimate": None, "ci95": None, "N": 0, "population": f"{row.ours_population} ({exc})"}
            else:
                mine = ours(pts, row.endpoint, None, options, row.ours_population)
        rows.append({"study": STUDY_NAMES[row.study], "arm": row.arm, "endpoint": row.endpoint, "population": row.population,
                     "published": _published_from_yaml(row), "ours": mine})
    return rows


def comparisons(adam, comparators, results: dict, options) -> list[dict]:
    """results.json ``comparisons`` (see the module doc)."""
    population = evaluable(adam.adsl)
    rows = []
    for c in comparators:
        rows += comparator_rows(adam, population, c, options)
    return rows + published_rows(adam, population, results, options)
