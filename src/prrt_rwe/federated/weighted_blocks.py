"""The ``iptw`` and ``comparators`` blocks of a federated results.json (and their report
extras and weighted curves), from the fits of federated/weighted.py, laid out as
results/confounding/iptw.py and results/comparators/ lay out the pooled ones.

Not available, and listed so: the IPTW Cox model's robust (sandwich) SE, hence ``pfs_hr.ci95``
and ``pfs_hr.p``; the MAIC bootstrap intervals (``maic.orr.ci95``, ``maic.pfs_rate.ci95``, the
median's); the HR against a reconstructed trial arm (when a comparator file has a digitised
curve); the extras that are single patients' values (the weights' range, largest share and
histogram, a median-only matching variable's median).  The whole blocks under secure
aggregation (their sums are not secured in this version) and ``iptw`` with truncated weights
(the truncation limits are percentiles of every patient's weight).
"""

from __future__ import annotations

import numpy as np

from prrt_rwe import stats
from prrt_rwe.federated.models import Refused
from prrt_rwe.federated.weighted import ComparatorFit, IptwFit
from prrt_rwe.results import survival as surv
from prrt_rwe.results.comparators import NO_CURVE
from prrt_rwe.results.comparators.cohort import POPULATION_LABEL
from prrt_rwe.results.comparators.published import n_is_arm_size, published
from prrt_rwe.results.proportion import proportion
from prrt_rwe.stats.event_counts import EventCounts, expand_counts
from prrt_rwe.stats.km_robust import robust_kaplan_meier
from prrt_rwe.stats.weighted_counts import weighted_rows

__all__ = ["REASONS", "comparator_blocks", "iptw_block"]

ROBUST = ("the robust (sandwich) SE of the weighted Cox model sums each patient's squared score "
          "residual; not released")
BOOTSTRAP = "the percentile bootstrap resamples patients"
SECURE = "the weighted sums are not secured by SecAgg+ in this version; not released under secure aggregation"
REASONS = {
    "iptw.pfs_hr.ci95": ROBUST, "iptw.pfs_hr.p": ROBUST,
    "comparators[].maic.orr.ci95": BOOTSTRAP, "comparators[].maic.pfs_rate.ci95": BOOTSTRAP,
    "comparators[].maic.pfs_hr_vs_reconstructed": "the HR against the reconstructed trial arm (robust Cox on "
                                                  "our weighted patients and the pseudo-patients) is not federated "
                                                  "in this version",
}


def _refusal(refused: Refused) -> tuple:
    return tuple(sorted(refused.sites)), "; ".join(f"{s}: {r}" for s, r in sorted(refused.sites.items()))


def _empty(exposure, truncation, reason, n=None) -> dict:
    return {"exposure": exposure, "n": n, "ess": None, "weights": "stabilized ATE",
            "truncation": None if truncation is None else list(truncation), "balance": [],
            "pfs_hr": {"hr": None, "ci95": [None, None], "p": None},
            "pfs_km": {"exposed": None, "unexposed": None}, "reason": reason}


def _weighted_km(table, options):
    time, status, w, w2 = weighted_rows(table)
    return robust_kaplan_meier(time, status, w, conf_type=options.conf_type, conf_level=options.conf_level,
                               weights_sq=w2)


def _patients(table) -> surv.SurvivalData:
    time, status = expand_counts(EventCounts(table.time, table.counts))
    return surv.SurvivalData(time, status.astype(np.int8))


def iptw_block(results, extras, fit, config, options) -> dict:
    """Fill results ``iptw`` and extras ``missing_confounding_sites.iptw``; returns the
    weighted Kaplan-Meier fits per arm (the report's figure)."""
    if "iptw" not in results.tree:
        return {}
    cfg = config.iptw
    extras.set("missing_confounding_sites.iptw", {})   # as the pooled extras of a block not estimated
    if cfg.truncation is not None:
        results.withhold("iptw", "the truncation limits are percentiles of every patient's weight")
        return {}
    if fit is None:
        results.withhold("iptw", SECURE)
        return {}
    if isinstance(fit, Refused):
        results.set("iptw", _empty(cfg.exposure, cfg.truncation, f"IPTW not available: {fit}"), _refusal(fit))
        return {}
    if not isinstance(fit, IptwFit):
        results.set("iptw", _empty(cfg.exposure, cfg.truncation, str(fit), getattr(fit, "n", None)))
        return {}
    arms, curves = {}, {}
    for arm, (n, table) in fit.arms.items():
        km = _weighted_km(table, options)
        arms[arm] = surv.summary(_patients(table), options, km=km)
        curves[arm] = km
    results.set("iptw", {
        "exposure": fit.exposure, "n": fit.n, "ess": fit.ess, "weights": "stabilized ATE", "truncation": None,
        "balance": [{"covariate": c, "smd_before": float(b), "smd_after": float(a)}
                    for c, b, a in zip(fit.columns, fit.smd_before, fit.smd_after)],
        "pfs_hr": {"hr": fit.hr, "ci95": [None, None], "p": None}, "pfs_km": arms})
    for key in ("iptw.pfs_hr.ci95", "iptw.pfs_hr.p"):
        results.withhold(key)
    extras.set("missing_confounding_sites.iptw", {
        "ess_exposed": fit.ess_arm["exposed"], "ess_unexposed": fit.ess_arm["unexposed"],
        "n_exposed": fit.arms["exposed"][0], "n_unexposed": fit.arms["unexposed"][0],
        "weight_range": None, "truncation_limits": None, "covariates": list(fit.columns)})
    return curves


def _km(table, options):
    if isinstance(table, Refused) or table.n == 0:
        return None
    time, status = expand_counts(table)
    return surv.fit(surv.SurvivalData(time, status.astype(np.int8)), options)


def _naive(fit: ComparatorFit, comparator, options) -> tuple[dict, dict]:
    orr, rate = comparator.outcome("orr"), comparator.outcome("pfs_rate")
    km = _km(fit.pfs, options)
    block = {"orr": {"ours": proportion(fit.responders, fit.eligible), "published": published(orr, comparator)},
             "pfs_rate": None}
    if rate is not None:
        ours = surv.landmark(km, rate.months) if km is not None else {"estimate": None, "ci95": [None, None]}
        block["pfs_rate"] = {"months": rate.months, "ours": ours, "published": published(rate, comparator)}
    if km is None:
        median = {"estimate": None, "ci95": [None, None]}
    else:
        lo, hi = km.median_ci
        median = {"estimate": surv.months(km.median), "ci95": [surv.months(lo), surv.months(hi)]}
    return block, median


def _maic(m: dict, comparator) -> tuple[dict, dict]:
    rate = comparator.outcome("pfs_rate")
    months = None if rate is None else rate.months
    block = {"matched_on": m["matched_on"], "ess": m["ess"], "max_abs_diff": m["max_abs_diff"],
             "orr": {"estimate": m["orr"], "ci95": [None, None]}, "pfs_rate": None, "pfs_hr_vs_reconstructed": None}
    extras = {"maic_n": m["n"], "balance": m["balance"],
              "unmatched_medians": {t.variable: {"published_median": t.value, "ours_median": None}
                                    for t in comparator.baseline if not t.matched},
              "weights_histogram": None, "max_weight_share": None, "dropped": m["dropped"],
              "bootstrap": {"resamples": 0, "seed": None, "failed": 0}}
    table = m["pfs"]
    if m["n_pfs"] >= 2 and not isinstance(table, Refused):
        time, status, w, _w2 = weighted_rows(table)
        km = stats.kaplan_meier(time, status, weights=w)
        if months is not None:
            at = km.survival_at(months * surv.DAYS_PER_MONTH)
            block["pfs_rate"] = {"months": months, "estimate": None if at is None else at.estimate,
                                 "ci95": [None, None]}
        extras["pfs_median_months"] = {"estimate": surv.months(km.median), "ci95": [None, None]}
        curve = stats.kaplan_meier(time / surv.DAYS_PER_MONTH, status, weights=w)
        extras["pfs_curve"] = {"time_months": curve.time.tolist(), "survival": curve.survival.tolist()}
    return block, extras


def comparator_blocks(results, extras, fits: dict, comparators, options) -> None:
    """Fill results ``comparators`` and extras ``comparators`` (one item per file in force)."""
    if "comparators" not in results.tree:
        return
    if comparators and not any(f"comparator.{c.id}" in fits for c in comparators):
        results.withhold("comparators", SECURE)
        return
    items, extra_of, suppressed = [], {}, {}
    for i, c in enumerate(comparators):
        fit = fits[f"comparator.{c.id}"]
        item = {"id": c.id, "study": c.study, "arm": c.arm, "eligible_n": 0, "naive": None, "maic": None,
                "reason": None}
        extra = {"population": POPULATION_LABEL, "criteria": [x.text for x in c.eligibility],
                 "reference": c.reference, "n": c.n,
                 "n_is_arm_size": {k: n_is_arm_size(o) for k, o in c.outcomes.items()},
                 "targets": [{"label": t.label, "kind": t.kind, "value": t.value} for t in c.baseline],
                 "notes": c.notes}
        items.append(item)
        extra_of[c.id] = extra
        if isinstance(fit, Refused):
            item["reason"] = f"not available: {fit}"
            suppressed[f"comparators[{i}]"] = _refusal(fit)
            continue
        if not isinstance(fit, ComparatorFit):
            item["reason"] = str(fit)
            continue
        if fit.reason:
            item["reason"] = fit.reason
            continue
        if fit.naive_refused is not None or isinstance(fit.pfs, Refused):
            suppressed[f"comparators[{i}].naive"] = _refusal(fit.naive_refused or fit.pfs)
        else:
            item["naive"], extra["naive_pfs_median_months"] = _naive(fit, c, options)
        extra["eligible_evaluable_n"] = fit.eligible
        extra["published_pfs_median_months"] = published(c.outcome("pfs_median_months"), c)
        item["eligible_n"] = fit.eligible_n
        if fit.eligible_n_refused is not None:
            suppressed[f"comparators[{i}].eligible_n"] = _refusal(fit.eligible_n_refused)
            suppressed[f"comparators[{i}].maic"] = _refusal(fit.eligible_n_refused)
        if c.km is None:
            extra["pfs_hr_reason"] = NO_CURVE
        else:
            extra["pfs_hr_reason"] = REASONS["comparators[].maic.pfs_hr_vs_reconstructed"]
        if fit.maic is None:
            item["reason"] = fit.maic_reason
        else:
            item["maic"], extra["maic"] = _maic(fit.maic, c)
    results.set("comparators", items)
    for key, why in suppressed.items():
        results.suppressed[key] = why
    if any(item["maic"] for item in items):
        for key in ("comparators[].maic.orr.ci95", "comparators[].maic.pfs_rate.ci95"):
            results.withhold(key)
        if any(c.km is not None for c in comparators):
            results.withhold("comparators[].maic.pfs_hr_vs_reconstructed")
    extras.set("comparators", extra_of)
