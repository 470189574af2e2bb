"""The reviewer's model analyses beside the default models (results-v1.md "Additions:
reviewer-grade efficacy", ``models``), all on the complete-case model set:

* ``orr_logistic_univariable`` / ``pfs_cox_univariable``: one fit per covariate of the default
  model, each term with the n it used (STROBE 16a: unadjusted beside adjusted estimates).
* ``orr_logistic_cluster_site``: the default response model with the sandwich variance
  clustered by site, as R ``sandwich::vcovCL(fit, cluster = ~site, type = "HC0")``
  (:mod:`prrt_rwe.stats.logistic_robust`).
* ``orr_logistic_liver3`` / ``pfs_cox_liver3``: the default models with each two-level liver
  flag replaced by its three-level factor (none / le30 / gt30, none / lt50 / ge50; reference
  none), so that a reviewer sees whether the effect is more than "no liver disease". The two
  factors share their "none" patients, so in a model holding both, one column is a linear
  combination of the others; as R's ``coxph`` does, that column is dropped (in column order)
  and its term reported as not estimable.
* ``pfs_cox_ph_stratified``: when cox.zph of the default PFS model flags terms (p < 0.05), the
  model refitted with a baseline hazard per level (combination) of the flagged covariates, the
  hazard ratios of the other terms; ``None`` when no term is flagged.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from prrt_rwe.results.design import aliased, design
from prrt_rwe.results.models import (
    _terms,
    cox,
    cox_terms,
    not_estimable,
    orr_design,
    pfs_design,
    ph_test,
)
from prrt_rwe.stats.logistic import logistic
from prrt_rwe.stats.logistic_robust import logistic_cluster

FIT_ERRORS = (ValueError, np.linalg.LinAlgError, ArithmeticError)
PH_ALPHA = 0.05
# Two-level liver flag -> its three-level factor (derive/baseline.py LIVER_FACTORS).
LIVER3 = {"liver_lesion_le30": "liver_lesion3", "liver_burden_lt50": "liver_burden3"}


def _design_of(frame, covariates, models_cfg) -> pd.DataFrame:
    return design(frame.reset_index(drop=True), covariates, models_cfg.orr_group_levels,
                  models_cfg.orr_group_reference)


def _known(frame: pd.DataFrame, covariates) -> np.ndarray:
    return np.logical_and.reduce([frame[c].notna().to_numpy() for c in covariates])


def _logistic_terms(y, X) -> list[dict]:
    fit = logistic(y, X)
    i = [list(fit.terms).index(n) for n in X.columns]
    return _terms(list(X.columns), fit.odds_ratio[i], fit.or_ci95[i], fit.p[i], "or")


def _with_n(terms: list[dict], n: int) -> list[dict]:
    return [{"term": t["term"], "n": n, **{k: v for k, v in t.items() if k != "term"}} for t in terms]


def _response(eff, adrs, models_cfg, y):
    """Confirmed response of each patient of ``eff`` (``y`` when already computed)."""
    return orr_design(eff, adrs, models_cfg)[0] if y is None else y


def univariable_orr(eff: pd.DataFrame, adrs: pd.DataFrame, models_cfg, y=None) -> dict:
    """One logistic fit per ORR covariate (patients with that covariate known)."""
    y = _response(eff, adrs, models_cfg, y)
    terms = []
    for cov in models_cfg.orr_covariates:
        keep = _known(eff, [cov])
        X = _design_of(eff.loc[keep], [cov], models_cfg)
        try:
            terms += _with_n(_logistic_terms(y[keep], X), int(keep.sum()))
        except FIT_ERRORS:
            terms += _with_n(not_estimable(list(X.columns), "or", ""), int(keep.sum()))
    return {"terms": terms}


def univariable_pfs(eff: pd.DataFrame, adtte: pd.DataFrame, models_cfg) -> dict:
    """One Cox fit (Efron) per PFS covariate (patients with that covariate known)."""
    days, event, _ = pfs_design(eff, adtte, models_cfg)
    terms = []
    for cov in models_cfg.pfs_covariates:
        keep = _known(eff, [cov])
        X = _design_of(eff.loc[keep], [cov], models_cfg)
        try:
            fit = cox(days[keep], event[keep], X)
            terms += _with_n(cox_terms(fit, list(X.columns)), int(keep.sum()))
        except FIT_ERRORS:
            terms += _with_n(not_estimable(list(X.columns), "hr", ""), int(keep.sum()))
    return {"terms": terms}


def orr_cluster_site(eff: pd.DataFrame, adrs: pd.DataFrame, models_cfg, y=None) -> tuple[dict, str | None]:
    """The default response model with site-clustered sandwich SEs; and why not, if not."""
    y = _response(eff, adrs, models_cfg, y)
    X = _design_of(eff, models_cfg.orr_covariates, models_cfg)
    names = list(X.columns)
    out = {"n": len(y), "events": int(y.sum())}
    site = eff["SITEID"].astype(str).to_numpy()
    try:
        fit = logistic_cluster(y, X, site)
    except FIT_ERRORS as exc:
        return {**out, "terms": not_estimable(names, "or", str(exc))}, str(exc)
    i = [list(fit.terms).index(n) for n in names]
    return {**out, "terms": _terms(names, fit.odds_ratio[i], fit.or_ci95[i], fit.p[i], "or")}, None


def liver3_config(models_cfg):
    """The model settings with each liver flag of both formulas replaced by its factor."""
    def swap(formula: str) -> str:
        lhs, rhs = formula.split("~", 1)
        terms = [LIVER3.get(t.strip(), t.strip()) for t in rhs.split("+")]
        return f"{lhs.strip()} ~ {' + '.join(terms)}"
    return dataclasses.replace(models_cfg, orr=swap(models_cfg.orr), pfs=swap(models_cfg.pfs))


def _fit_without_aliased(X: pd.DataFrame, fit_terms, key: str) -> tuple[list[dict], list[str]]:
    """Terms of a fit on X minus its aliased columns (those reported as not estimable)."""
    drop = aliased(X)
    kept = X.drop(columns=drop)
    fitted = {t["term"]: t for t in fit_terms(kept)}
    blank = {t["term"]: t for t in not_estimable(drop, key, "aliased")}
    return [fitted.get(n) or blank[n] for n in X.columns], drop


def orr_liver3(eff, adrs, models_cfg, y=None) -> tuple[dict, str | None]:
    """orr_logistic with the three-level liver factor(s); (block, note)."""
    cfg = liver3_config(models_cfg)
    keep = _known(eff, cfg.orr_covariates)
    y = _response(eff, adrs, models_cfg, y)[keep]
    X = _design_of(eff.loc[keep], cfg.orr_covariates, cfg)
    out = {"n": len(y), "events": int(y.sum())}
    try:
        terms, drop = _fit_without_aliased(X, lambda Z: _logistic_terms(y, Z), "or")
    except FIT_ERRORS as exc:
        return {**out, "terms": not_estimable(list(X.columns), "or", str(exc))}, str(exc)
    return {**out, "terms": terms}, _aliased_note(drop)


def pfs_liver3(eff, adtte, models_cfg) -> tuple[dict, str | None]:
    """pfs_cox with the three-level liver factors; (block, note)."""
    cfg = liver3_config(models_cfg)
    keep = _known(eff, cfg.pfs_covariates)
    days, event, X = pfs_design(eff.loc[keep], adtte, cfg)
    out = {"n": len(days), "events": int(event.sum()), "ties": "efron"}
    fits = {}

    def fit_terms(Z):
        fits["fit"] = cox(days, event, Z)
        return cox_terms(fits["fit"], list(Z.columns))
    try:
        terms, drop = _fit_without_aliased(X, fit_terms, "hr")
    except FIT_ERRORS as exc:
        return {**out, "concordance": None, "terms": not_estimable(list(X.columns), "hr", str(exc)),
                "ph_test": {"global_p": None}}, str(exc)
    zph = ph_test(fits["fit"])
    return {**out, "concordance": float(fits["fit"].concordance), "terms": terms,
            "ph_test": {"global_p": None if zph is None else zph.global_p}}, _aliased_note(drop)


def _aliased_note(drop: list[str]) -> str | None:
    if not drop:
        return None
    return (f"{', '.join(drop)} not estimable: a linear combination of the other columns (both "
            "liver factors put the same patients in 'none'); dropped as R coxph/glm drop an aliased column")


def flagged_terms(zph) -> list[str]:
    """Covariates whose cox.zph test has p < 0.05 (GLOBAL excluded), in model order."""
    if zph is None:
        return []
    p = zph.summary()["p"]
    return [t for t, pv in p.items() if t != "GLOBAL" and pv < PH_ALPHA]


def ph_stratified(fits: dict, eff: pd.DataFrame, adtte: pd.DataFrame, models_cfg) -> tuple[dict | None, str | None]:
    """The default PFS model stratified on the flagged covariates (None when none is flagged)."""
    flagged = flagged_terms(fits["zph"])
    if not flagged:
        return None, None
    others = [c for c in models_cfg.pfs_covariates if c not in flagged]
    days, event, _ = pfs_design(eff, adtte, models_cfg)
    strata = np.zeros(len(eff), dtype=np.int64)   # one code per combination of the flagged values
    for col in flagged:
        codes, uniques = pd.factorize(eff[col], use_na_sentinel=True)
        strata = strata * (len(uniques) + 1) + (codes + 1)
    out = {"stratified_on": flagged, "terms": []}
    if not others:
        return out, None
    X = _design_of(eff, others, models_cfg)
    try:
        fit = cox(days, event, X, strata=strata)
    except FIT_ERRORS as exc:
        return {**out, "terms": not_estimable(list(X.columns), "hr", str(exc))}, str(exc)
    return {**out, "terms": cox_terms(fit, list(X.columns))}, None


def efficacy_models(eff, adrs, adtte, models_cfg, fits) -> tuple[dict, dict]:
    """The ``models`` blocks of the module doc, and the report's notes on the ones not fitted."""
    y = _response(eff, adrs, models_cfg, None)
    cluster, cluster_note = orr_cluster_site(eff, adrs, models_cfg, y)
    orr3, orr3_note = orr_liver3(eff, adrs, models_cfg, y)
    pfs3, pfs3_note = pfs_liver3(eff, adtte, models_cfg)
    stratified, strat_note = ph_stratified(fits, eff, adtte, models_cfg)
    blocks = {
        "orr_logistic_univariable": univariable_orr(eff, adrs, models_cfg, y),
        "pfs_cox_univariable": univariable_pfs(eff, adtte, models_cfg),
        "orr_logistic_cluster_site": cluster,
        "orr_logistic_liver3": orr3,
        "pfs_cox_liver3": pfs3,
        "pfs_cox_ph_stratified": stratified,
    }
    notes = {"orr_logistic_cluster_site": cluster_note, "orr_logistic_liver3": orr3_note,
             "pfs_cox_liver3": pfs3_note, "pfs_cox_ph_stratified": strat_note}
    return blocks, {k: v for k, v in notes.items() if v}
