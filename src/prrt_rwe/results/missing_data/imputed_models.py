"""results.json ``models.orr_logistic_mi`` and ``models.pfs_cox_mi``: the default models on
the response-evaluable population, missing covariates multiply imputed
(:mod:`prrt_rwe.results.missing_data.imputation_model`, ``[imputation]`` m, iterations, seed),
each completed data set fitted as the complete-case models are (logistic, Wald; Cox, Efron),
and pooled by Rubin's rules with the Barnard–Rubin df as ``mice::pool`` (df_complete: n − p
for the logistic model, events − p for the Cox model). OR/HR = exp(pooled coefficient), CI
exp(Q̄ ± t_df √T), p on df, and the fraction of missing information per term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.results.design import design
from prrt_rwe.results.missing_data.imputation_model import (
    ImputationInput,
    ImputationModelError,
    completed_frame,
    imputation_input,
    sources,
)
from prrt_rwe.stats.cox import cox_ph
from prrt_rwe.stats.logistic import logistic
from prrt_rwe.stats.mice import mice
from prrt_rwe.stats.rubin import dfcom_cox, dfcom_glm, pool_rubin

FIT_ERRORS = (ValueError, np.linalg.LinAlgError, ArithmeticError)



@dataclass(frozen=True)
class ImputedModels:
    blocks: dict  # results.json model key -> block (null values and a "reason" where not estimable)
    summary: dict  # report: the imputation model (variables, methods, missing counts)


def _not_estimable(frame, covariates, cfg, key: str, m: int, reason: str) -> dict:
    names = design(frame, covariates, cfg.orr_group_levels, cfg.orr_group_reference).columns
    return {"m": m, "n": len(frame), "terms": [{"term": t, key: None, "ci95": [None, None], "p": None,
                                                "fmi": None} for t in names], "reason": reason}


def _terms(names, pooled, key: str) -> list[dict]:
    ci = pooled.ci()
    return [{"term": n, key: float(np.exp(pooled.estimate[j])),
             "ci95": [float(np.exp(ci[j, 0])), float(np.exp(ci[j, 1]))],
             "p": float(pooled.p[j]), "fmi": float(pooled.fmi[j])}
            for j, n in enumerate(names)]


def _pool_orr(frames, y, cfg, m):
    est, var = [], []
    for f in frames:
        X = design(f, cfg.orr_covariates, cfg.orr_group_levels, cfg.orr_group_reference)
        fit = logistic(y, X)
        est.append(fit.coef[1:]), var.append(fit.se[1:] ** 2)
    names = list(X.columns)
    pooled = pool_rubin(est, var, df_complete=dfcom_glm(len(y), len(names) + 1))
    return {"m": m, "n": len(y), "terms": _terms(names, pooled, "or")}


def _pool_pfs(frames, outcomes, cfg, m):
    est, var = [], []
    for f in frames:
        X = design(f, cfg.pfs_covariates, cfg.orr_group_levels, cfg.orr_group_reference)
        fit = cox_ph(outcomes.days, outcomes.event, X, ties="efron")
        est.append(fit.coef), var.append(fit.se ** 2)
    names = list(X.columns)
    pooled = pool_rubin(est, var, df_complete=dfcom_cox(int(outcomes.event.sum()), len(names)))
    return {"m": m, "n": outcomes.n, "terms": _terms(names, pooled, "hr")}


def _summary(inputs: ImputationInput, imp_cfg) -> dict:
    missing = np.isnan(inputs.data)
    return {"variables": [{"name": v.name, "method": v.method, "n_missing": int(missing[:, j].sum())}
                          for j, v in enumerate(inputs.variables)],
            "left_out": list(inputs.left_out), "m": imp_cfg.m, "iterations": imp_cfg.iterations,
            "seed": imp_cfg.seed, "donors": imp_cfg.donors}


def _unimputed(frame, covariates, inputs) -> list[str]:
    """Model covariates with missing values that the imputation model does not impute."""
    return [c for c in covariates if c not in inputs.names and not set(sources(c)) & set(inputs.names)
            and frame[c].isna().any()]


def imputed_models(outcomes, models_cfg, imp_cfg, min_site_n: int, run: bool = True) -> ImputedModels:
    """Both pooled model blocks (null values with a reason where they cannot be estimated);
    ``run=False`` (``[analyses] heavy = false``): none imputed, m = 0, reason "not run"."""
    frame = outcomes.frame
    specs = {"orr_logistic_mi": (models_cfg.orr_covariates, "or"), "pfs_cox_mi": (models_cfg.pfs_covariates, "hr")}

    def failed(key, reason):
        covariates, ratio = specs[key]
        return _not_estimable(frame, covariates, models_cfg, ratio, imp_cfg.m, reason)

    needed = tuple(dict.fromkeys(s for c in models_cfg.covariates for s in sources(c)))
    if not run:
        from prrt_rwe.results.heavy import NOT_RUN

        return ImputedModels({key: {**failed(key, NOT_RUN), "m": 0} for key in specs}, {})
    if imp_cfg.m == 0:
        reason = "multiple imputation switched off ([imputation] m = 0)"
        return ImputedModels({key: failed(key, reason) for key in specs}, {})
    try:
        inputs = imputation_input(frame, outcomes, needed, min_site_n)
        bad = _unimputed(frame, models_cfg.covariates, inputs)
        if bad:
            raise ImputationModelError(f"{', '.join(bad)} have missing values but are not in the imputation model")
        imp = mice(inputs.data, inputs.variables, auxiliary=inputs.auxiliary, m=imp_cfg.m,
                   iterations=imp_cfg.iterations, seed=imp_cfg.seed, donors=imp_cfg.donors)
    except ValueError as exc:  # ImputationModelError, or the engine naming a variable
        reason = f"multiple imputation not possible: {exc}"
        return ImputedModels({key: failed(key, reason) for key in specs}, {})
    frames = [completed_frame(frame, inputs, imp, i) for i in range(imp.m)]
    blocks = {}
    for key, run in (("orr_logistic_mi", lambda: _pool_orr(frames, outcomes.response, models_cfg, imp.m)),
                     ("pfs_cox_mi", lambda: _pool_pfs(frames, outcomes, models_cfg, imp.m))):
        try:
            blocks[key] = run()
        except FIT_ERRORS as exc:
            blocks[key] = failed(key, f"not estimable on an imputed data set: {exc}")
    return ImputedModels(blocks, _summary(inputs, imp_cfg))
