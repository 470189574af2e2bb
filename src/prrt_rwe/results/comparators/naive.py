"""The matched naive comparison (issue 15): our patients meeting the trial's eligibility,
the same end points, exact (Clopper-Pearson) or Kaplan-Meier CIs on our side and the
published estimate, CI and N beside them — no adjustment."""

from __future__ import annotations

import numpy as np

from prrt_rwe.results import survival as surv
from prrt_rwe.results.comparators.published import published
from prrt_rwe.results.proportion import proportion


def km(pts, options):
    has = pts.has_pfs
    if not has.any():
        return None
    return surv.fit(surv.SurvivalData(pts.pfs_days[has], pts.pfs_event[has].astype(np.int8)), options)


def naive(pts, comparator, options) -> dict:
    """results.json ``comparators[].naive``."""
    orr = comparator.outcome("orr")
    rate = comparator.outcome("pfs_rate")
    block = {"orr": {"ours": proportion(int(pts.responder.sum()), pts.n), "published": published(orr, comparator)},
             "pfs_rate": None}
    if rate is not None:
        fit = km(pts, options)
        ours = surv.landmark(fit, rate.months) if fit is not None else {"estimate": None, "ci95": [None, None]}
        block["pfs_rate"] = {"months": rate.months, "ours": ours, "published": published(rate, comparator)}
    return block


def naive_median(pts, options) -> dict:
    """Our unweighted KM median PFS (months) on the eligible patients, with its CI."""
    fit = km(pts, options)
    if fit is None:
        return {"estimate": None, "ci95": [None, None]}
    lo, hi = fit.median_ci
    return {"estimate": surv.months(fit.median), "ci95": [surv.months(lo), surv.months(hi)]}
