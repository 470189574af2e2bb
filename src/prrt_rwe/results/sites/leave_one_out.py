"""results.json ``sites.leave_one_out``: how far the headline numbers move when one site is
left out. Each site in turn is dropped; ORR and median PFS are recomputed on the headline
population and both default models refitted on the complete-case model set; the range
[min, max] over the drops is reported (for the models per ``"<model>:<term>"``). A drop after
which a number is not estimable (median not reached, a model not fitted) does not count."""

from __future__ import annotations

import numpy as np

from prrt_rwe.results import survival as surv
from prrt_rwe.results.design import design
from prrt_rwe.stats.cox import cox_ph
from prrt_rwe.stats.kaplan_meier import kaplan_meier
from prrt_rwe.stats.logistic import logistic

FIT_ERRORS = (ValueError, np.linalg.LinAlgError, ArithmeticError)


def _range(values) -> list:
    values = [v for v in values if v is not None and np.isfinite(v)]
    return [float(min(values)), float(max(values))] if values else [None, None]


def _model_ratios(cc, keep, models_cfg) -> dict:
    out = {}
    frame = cc.frame.loc[keep]
    Xo = design(frame, models_cfg.orr_covariates, models_cfg.orr_group_levels, models_cfg.orr_group_reference)
    try:
        fit = logistic(cc.response[keep], Xo)
        out.update({f"orr_logistic:{t}": float(v) for t, v in zip(Xo.columns, fit.odds_ratio[1:])})
    except FIT_ERRORS:
        pass
    Xp = design(frame, models_cfg.pfs_covariates, models_cfg.orr_group_levels, models_cfg.orr_group_reference)
    try:
        fit = cox_ph(cc.days[keep], cc.event[keep], Xp, ties="efron")
        out.update({f"pfs_cox:{t}": float(v) for t, v in zip(Xp.columns, fit.hazard_ratio)})
    except FIT_ERRORS:
        pass
    return out


def leave_one_out(headline, complete_case, models_cfg, km_options) -> tuple[dict, str | None]:
    sites = sorted(set(headline.site) | set(complete_case.site))
    if len(sites) < 2:
        return ({"orr": [None, None], "pfs_median_months": [None, None], "terms": {}},
                "only one site: nothing to leave out")
    orr, median, terms = [], [], {}
    for s in sites:
        keep = headline.site != s
        if keep.any():
            orr.append(headline.response[keep].mean())
            km = kaplan_meier(headline.days[keep], headline.event[keep], conf_type=km_options.conf_type)
            median.append(surv.months(km.median))
        for key, value in _model_ratios(complete_case, complete_case.site != s, models_cfg).items():
            terms.setdefault(key, []).append(value)
    return {"orr": _range(orr), "pfs_median_months": _range(median),
            "terms": {k: _range(v) for k, v in terms.items()}}, None
