"""results.json ``sites.frailty_cox``: the default PFS Cox model with a shared gamma frailty
per site (R ``coxph(Surv(pfs) ~ ... + frailty(site))`` with its defaults, method "em":
:func:`prrt_rwe.stats.frailty.cox_frailty`), on the complete-case model set, beside the
site-stratified and cluster-robust fits of the sensitivity analyses."""

from __future__ import annotations

import numpy as np

from prrt_rwe.results.design import design
from prrt_rwe.stats.frailty import cox_frailty

FIT_ERRORS = (ValueError, np.linalg.LinAlgError, ArithmeticError)


def frailty_block(complete_case, models_cfg) -> tuple[dict, str | None]:
    X = design(complete_case.frame, models_cfg.pfs_covariates, models_cfg.orr_group_levels,
               models_cfg.orr_group_reference)
    try:
        fit = cox_frailty(complete_case.days, complete_case.event, X, complete_case.site)
    except FIT_ERRORS as exc:
        return {"theta": None, "terms": [{"term": t, "hr": None, "ci95": [None, None], "p": None}
                                         for t in X.columns]}, f"frailty model not estimable: {exc}"
    terms = [{"term": t, "hr": float(fit.hazard_ratio[j]), "ci95": [float(v) for v in fit.ci95[j]],
              "p": float(fit.p[j])} for j, t in enumerate(fit.terms)]
    return {"theta": fit.theta, "terms": terms}, None
