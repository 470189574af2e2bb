"""results.json ``iptw``: the effect of a clinician-chosen exposure (``[iptw] exposure``,
default ``ssa_concomitant``) on PFS, weighted for confounding by the baseline covariates.

1. Population: response-evaluable patients with the exposure and every propensity covariate
   recorded (complete case on those).
2. Propensity covariates (``[iptw] covariates``; results-v1.md defaults): age, sex
   (``sex[M]``), primary_group reduced to pancreas / hindgut / other (reference other),
   who_grade as G3/NEC vs G1–G2 (``who_grade[G3/NEC]``), ki67_lt10, krenning4,
   liver_burden_lt50, prior_lines, functioning; the exposure itself is never one of them.
3. Stabilized ATE weights, truncated at ``[iptw] truncation`` percentiles when given
   (:func:`prrt_rwe.stats.propensity.iptw_weights`); Kish effective sample size.
4. Balance: SMD of every propensity column before and after weighting.
5. PFS: Cox model of PFS on the exposure alone with the weights, robust (sandwich) SE as R
   ``coxph(..., weights = w, robust = TRUE)``; weighted Kaplan–Meier curves per arm with R's
   default variance for such weights, the infinitesimal jackknife (``survfit(..., weights = w)``,
   :mod:`prrt_rwe.stats.km_robust`).
Where it cannot be estimated (no variation in the exposure, separation in the propensity
model) every statistic is null and ``reason`` says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results import survival as surv
from prrt_rwe.results.design import design
from prrt_rwe.stats.cox import cox_ph
from prrt_rwe.stats.km_robust import robust_kaplan_meier
from prrt_rwe.stats.propensity import balance, iptw_weights

WHO_HIGH = ("G3", "NEC")
WHO_TERM = "who_grade[G3/NEC]"
FIT_ERRORS = (ValueError, np.linalg.LinAlgError, ArithmeticError)


def propensity_design(frame: pd.DataFrame, covariates, models_cfg, levels: dict | None = None) -> pd.DataFrame:
    """Step 2 of the module doc: the propensity model's columns (``levels``: a text
    covariate's levels over the whole network, when ``frame`` is one site's)."""
    parts = []
    for name in covariates:
        if name == "who_grade":
            grade = frame[name].astype("string")
            parts.append(pd.DataFrame({WHO_TERM: grade.isin(WHO_HIGH).astype(float).to_numpy()}, index=frame.index))
        else:
            parts.append(design(frame, (name,), models_cfg.orr_group_levels, models_cfg.orr_group_reference,
                                levels=levels))
    return pd.concat(parts, axis=1)


def _empty(exposure, n, truncation, reason) -> dict:
    return {"exposure": exposure, "n": n, "ess": None, "weights": "stabilized ATE",
            "truncation": None if truncation is None else list(truncation), "balance": [],
            "pfs_hr": {"hr": None, "ci95": [None, None], "p": None},
            "pfs_km": {"exposed": None, "unexposed": None}, "reason": reason}


def check_config(adsl: pd.DataFrame, iptw_cfg) -> None:
    """ConfigError when ``[iptw]`` names a variable ADSL lacks, or an exposure that is not yes/no:
    a typo in study.toml, not a property of the data (that is the block's null and reason)."""
    from prrt_rwe.config import ConfigError

    unknown = [c for c in (iptw_cfg.exposure, *iptw_cfg.covariates) if c not in adsl.columns]
    if unknown:
        raise ConfigError(f"[iptw] exposure / covariates: {unknown} not ADSL variables "
                          f"(known: {', '.join(c for c in adsl.columns if c != 'pidx' and not c.endswith('_D'))})")
    try:
        _exposure(adsl, iptw_cfg.exposure)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _exposure(frame, name):
    if name not in frame.columns:
        raise ValueError(f"[iptw] exposure {name!r} is not an ADSL variable")
    col = frame[name]
    if not (pd.api.types.is_bool_dtype(col) or str(col.dtype) == "boolean"):
        raise ValueError(f"[iptw] exposure {name!r} must be a yes/no variable")
    return col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def iptw(outcomes, iptw_cfg, models_cfg, km_options) -> tuple[dict, dict]:
    """The results.json block and the report's figure data (weighted curves)."""
    name = iptw_cfg.exposure
    covariates = tuple(c for c in iptw_cfg.covariates if c != name)
    frame = outcomes.frame
    unknown = [c for c in covariates if c not in frame.columns]
    try:
        if unknown:
            raise ValueError(f"[iptw] covariates {unknown} are not ADSL variables")
        a = _exposure(frame, name)
    except ValueError as exc:
        return _empty(name, 0, iptw_cfg.truncation, f"IPTW not estimable: {exc}"), {}
    keep = ~np.isnan(a) & frame[list(covariates)].notna().all(axis=1).to_numpy()
    sub, a = outcomes.subset(keep), a[keep]
    try:
        if len(a) == 0:
            raise ValueError(f"no patient has {name} and every propensity covariate recorded")
        if not 0 < a.sum() < len(a):
            raise ValueError(f"every analysed patient has {name} = {'yes' if a.sum() else 'no'}; "
                             "there is no comparison to weight")
        X = propensity_design(sub.frame, covariates, models_cfg)
        w = iptw_weights(a, X, truncation=iptw_cfg.truncation)
        fit = cox_ph(sub.days, sub.event, pd.DataFrame({name: a}), weights=w.weights, ties="efron")
    except FIT_ERRORS as exc:
        return _empty(name, sub.n, iptw_cfg.truncation, f"IPTW not estimable: {exc}"), {}
    b = balance(X, a, w.weights)
    arms, curves = {}, {}
    for arm, label in ((1, "exposed"), (0, "unexposed")):
        at = a == arm
        data = surv.SurvivalData(sub.days[at], sub.event[at].astype(np.int8))
        km = robust_kaplan_meier(data.days, data.event, w.weights[at], conf_type=km_options.conf_type,
                                 conf_level=km_options.conf_level)
        arms[label] = surv.summary(data, km_options, km=km)
        curves[label] = km
    block = {
        "exposure": name, "n": sub.n, "ess": w.ess, "weights": "stabilized ATE",
        "truncation": None if w.truncation is None else list(w.truncation),
        "balance": [{"covariate": c, "smd_before": float(sb), "smd_after": float(sa)}
                    for c, sb, sa in zip(b.names, b.smd_before, b.smd_after)],
        "pfs_hr": {"hr": float(fit.hazard_ratio[0]), "ci95": [float(v) for v in fit.ci95[0]], "p": float(fit.p[0])},
        "pfs_km": arms,
    }
    extras = {"ess_exposed": w.ess_exposed, "ess_unexposed": w.ess_unexposed,
              "n_exposed": int(a.sum()), "n_unexposed": int((1 - a).sum()),
              "weight_range": [float(w.weights.min()), float(w.weights.max())],
              "truncation_limits": None if w.limits is None else list(w.limits),
              "covariates": list(X.columns)}
    return block, {"extras": extras, "curves": curves}
