"""results.json ``sites.frailty_cox``: the default PFS Cox model with a shared gamma frailty
per site (R ``coxph(Surv(pfs) ~ ... + frailty(site))`` with its defaults, method "em":
:func:`prrt_rwe.stats.frailty.cox_frailty`), on the complete-case model set, beside the
site-stratified and cluster-robust fits of the sensitivity analyses."""

from __future__ import annotations

import numpy as np

from prrt_rwe.results.design import design
from prrt_rwe.results.heavy import NOT_RUN
from prrt_rwe.stats.frailty import cox_frailty

FIT_ERRORS = (ValueError, np.linalg.LinAlgError, ArithmeticError)


def frailty_block(complete_case, models_cfg, main_error: str | None = None, run: bool = True) -> tuple[dict, str | None]:
    """The block; not estimable where the Cox model itself is not (``main_error``, e.g. a
    monotone likelihood) or where the last Newton iterations did not converge; ``run=False``
    (``[analyses] heavy = false``): null values, reason "not run"."""
    X = design(complete_case.frame, models_cfg.pfs_covariates, models_cfg.orr_group_levels,
               models_cfg.orr_group_reference)
    empty = {"theta": None, "terms": [{"term": t, "hr": None, "ci95": [None, None], "p": None} for t in X.columns]}
    if not run:
        return empty, NOT_RUN
    if main_error:
        return empty, f"frailty model not estimable, as the Cox model is not: {main_error}"
    try:
        fit = cox_frailty(complete_case.days, complete_case.event, X, complete_case.site)
    except FIT_ERRORS as exc:
        return empty, f"frailty model not estimable: {exc}"
    if not fit.inner_converged:
        return empty, "frailty model not estimable: the Newton iterations did not converge (20 iterations)"
    terms = [{"term": t, "hr": float(fit.hazard_ratio[j]), "ci95": [float(v) for v in fit.ci95[j]],
              "p": float(fit.p[j])} for j, t in enumerate(fit.terms)]
    return {"theta": fit.theta, "terms": terms}, None
