"""results.json ``missingness``: how many response-evaluable patients lack each model covariate
and each raw column of the imputation model, per site, and whether lacking it is related to
the outcome.

* ``by_covariate``: n missing and the percentage of the population. A liver lesion size or
  burden left empty for a patient without liver metastases is not missing (it does not apply;
  derivations.md "Baseline covariates").
* ``by_site``: percentage missing per site (SITEID), every listed variable.
* ``outcome_association``: for each variable missing for some but not all patients, missing
  vs observed against confirmed response by R's ``chisq.test`` default (Pearson, Yates'
  continuity correction for the 2 x 2 table) and against PFS by the log-rank test
  (``survdiff``); a test that cannot be computed (one outcome only) is left out.
"""

from __future__ import annotations

import numpy as np

from prrt_rwe.results.missing_data.imputation_model import LIVER, LIVER_NUMBERS, sources
from prrt_rwe.stats.chi_squared import yates_chi2_p   # = scipy chi2_contingency(correction=True)
from prrt_rwe.stats.logrank import logrank


def missing_mask(frame, name: str) -> np.ndarray:
    """Which patients lack ``name`` (a liver number only where liver metastases are not "no")."""
    miss = frame[name].isna().to_numpy()
    if name in LIVER_NUMBERS and LIVER in frame.columns:
        miss = miss & ~(frame[LIVER].astype("boolean") == False).fillna(False).to_numpy()  # noqa: E712
    return miss


def _pct(k, n) -> float:
    return 100.0 * k / n if n else 0.0


def _chi_square_p(missing: np.ndarray, response: np.ndarray) -> float | None:
    table = np.array([[np.sum(rows & (response == r)) for r in (0, 1)] for rows in (missing, ~missing)])
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return None
    return yates_chi2_p(table)


def _logrank_p(missing, days, event) -> float | None:
    if event.sum() == 0:
        return None
    return float(logrank(days, event, missing.astype(int)).p)


def missingness(outcomes, names: tuple[str, ...]) -> dict:
    """The block for the population of ``outcomes`` (see module doc); ``names`` in order."""
    frame, n = outcomes.frame, outcomes.n
    miss = {name: missing_mask(frame, name) for name in names if name in frame.columns}
    by_cov = {name: {"n_missing": int(m.sum()), "pct": _pct(m.sum(), n)} for name, m in miss.items()}
    site = outcomes.site
    by_site = {}
    for s in sorted(set(site)):
        at = site == s
        by_site[s] = {name: _pct(m[at].sum(), at.sum()) for name, m in miss.items()}
    tests = []
    for name, m in miss.items():
        if not 0 < m.sum() < n:
            continue
        for endpoint, test, p in (("orr", "chi-square", _chi_square_p(m, outcomes.response)),
                                  ("pfs", "log-rank", _logrank_p(m, outcomes.days, outcomes.event))):
            if p is not None:
                tests.append({"covariate": name, "endpoint": endpoint, "test": test, "p": p})
    return {"by_covariate": by_cov, "by_site": by_site, "outcome_association": tests}


def site_counts(outcomes, names: tuple[str, ...]) -> dict:
    """Report: patients and missing counts per site (so the report can mask small cells)."""
    frame, site = outcomes.frame, outcomes.site
    masks = {name: missing_mask(frame, name) for name in names if name in frame.columns}   # once, not per site
    out = {}
    for s in sorted(set(site)):
        at = site == s
        out[s] = {"n": int(at.sum()), **{name: int(m[at].sum()) for name, m in masks.items()}}
    return out


def missing_everywhere(adsl, covariates) -> str:
    """Why a complete-case set is empty, when it is because a covariate is recorded for no
    response-evaluable patient: ``"; ki67_lt10 (from ki67_percent) is missing for every
    response-evaluable patient"`` (empty string otherwise)."""
    rows = adsl.loc[adsl["EVALFL"].astype("string").eq("Y").fillna(False)]
    if rows.empty:
        return ""
    gone = [c for c in covariates if c in rows.columns and rows[c].isna().all()]
    if not gone:
        return ""
    named = [c if sources(c) in ((), (c,)) else f"{c} (from {', '.join(s for s in sources(c))})" for c in gone]
    return (f"; {', '.join(named)} {'is' if len(gone) == 1 else 'are'} missing for every response-evaluable "
            "patient (leave it out of [models] and [study] complete_case_covariates, or record it)")
