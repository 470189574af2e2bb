"""results.json ``models`` (efficacy set, complete case) and the sensitivity analyses.

* ORR: logistic regression of confirmed response (CBOR CR/PR), Wald 95 % CIs.
* PFS: Cox proportional hazards, Efron ties, Wald 95 % CIs; proportional hazards checked
  as R ``cox.zph(fit)`` (transform "km"), ``global_p`` its GLOBAL test.
* Sensitivity (report): the same Cox model stratified by site, and with cluster-robust
  (sandwich) standard errors by site.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.design import design
from prrt_rwe.results.patient_outcomes import pfs_of
from prrt_rwe.results.response import best_response, responders
from prrt_rwe.stats.cox import cox_ph
from prrt_rwe.stats.logistic import logistic


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype=float).reshape(-1)


def orr_design(eff: pd.DataFrame, adrs: pd.DataFrame, models_cfg, levels: dict | None = None):
    """``levels``: see :func:`design` (a federated site builds the network's columns)."""
    ids = pd.Index(eff["USUBJID"])
    y = responders(best_response(adrs, "CBOR", ids)).astype(float).to_numpy()
    X = design(eff.reset_index(drop=True), models_cfg.orr_covariates,
               models_cfg.orr_group_levels, models_cfg.orr_group_reference, levels)
    return y, X


def pfs_design(eff: pd.DataFrame, adtte: pd.DataFrame, models_cfg, levels: dict | None = None):
    ids = pd.Index(eff["USUBJID"])
    days, event = pfs_of(adtte, ids)   # the PFS rows reindexed to ids (results.patient_outcomes)
    event = event.astype(np.int8)
    X = design(eff.reset_index(drop=True), models_cfg.pfs_covariates,
               models_cfg.orr_group_levels, models_cfg.orr_group_reference, levels)
    return days, event, X


def _terms(names, ratio, ci, p, key: str) -> list[dict]:
    ci = np.asarray(ci, dtype=float).reshape(-1, 2)
    return [{"term": n, key: float(r), "ci95": [float(lo), float(hi)], "p": float(pv)}
            for n, r, (lo, hi), pv in zip(names, _arr(ratio), ci, _arr(p))]


def _rows(fit, names) -> np.ndarray:
    """Positions of ``names`` among the fitted terms (skips the intercept)."""
    terms = list(fit.terms)
    return np.array([terms.index(n) for n in names], dtype=int)


def not_estimable(names, key: str, reason: str) -> list[dict]:
    """Terms of a model that could not be fitted (``reason`` is kept out of results.json)."""
    return [{"term": n, key: None, "ci95": [None, None], "p": None} for n in names]


def orr_logistic(eff, adrs, models_cfg) -> tuple[dict, str | None]:
    """The results.json block, and why the model is not estimable (None when it is)."""
    y, X = orr_design(eff, adrs, models_cfg)
    names = list(X.columns)
    out = {"n": len(y), "events": int(y.sum())}
    firth = getattr(models_cfg, "orr_method", "ml") == "firth"   # R logistf(pl = TRUE)
    try:
        fit = logistic(y, X, firth=True, ci="profile") if firth else logistic(y, X)
    except (ValueError, np.linalg.LinAlgError, ArithmeticError) as exc:  # separation, aliasing
        return {**out, "terms": not_estimable(names, "or", str(exc))}, str(exc)
    return {**out, "terms": logistic_terms(fit, names)}, None


def logistic_terms(fit, names) -> list[dict]:
    """OR, CI and p of the covariates of a logistic fit (the intercept left out)."""
    i = _rows(fit, names)
    return _terms(names, fit.odds_ratio[i], fit.or_ci95[i], fit.p[i], "or")


def cox(days, event, X, **options):
    return cox_ph(days, event, X, ties="efron", **options)


def cox_terms(fit, names) -> list[dict]:
    """HR, CI and p of a fit (robust ones when the fit used a cluster, as R summary.coxph)."""
    i = _rows(fit, names)
    return _terms(names, fit.hazard_ratio[i], fit.ci95[i], fit.p[i], "hr")


def pfs_fits(eff, adtte, models_cfg) -> dict:
    """The main Cox fit and its two site sensitivity fits (None where not estimable)."""
    days, event, X = pfs_design(eff, adtte, models_cfg)
    site = eff["SITEID"].astype(str).to_numpy()
    fits = {"days": days, "event": event, "names": list(X.columns), "site": site}
    for name, options in (("main", {}), ("stratified", {"strata": site}), ("robust", {"cluster": site})):
        try:
            fits[name] = cox(days, event, X, **options)
        except (ValueError, np.linalg.LinAlgError, ArithmeticError) as exc:
            fits[name] = None
            fits[f"{name}_error"] = str(exc)
    fits["zph"] = ph_test(fits["main"])
    return fits


def ph_test(fit):
    """cox.zph of a fit (km transform), None when the fit or the test is not available."""
    if fit is None:
        return None
    try:
        return fit.ph_test("km")
    except (ValueError, np.linalg.LinAlgError, ArithmeticError):
        return None


def model_notes(fits: dict, orr_note: str | None) -> dict:
    """Why a model is not estimable, for the report's footnotes (empty when all fitted)."""
    notes = {"orr_logistic": orr_note}
    for name in ("main", "stratified", "robust"):
        notes[f"pfs_cox_{name}"] = fits.get(f"{name}_error")
    return {k: v for k, v in notes.items() if v}


def pfs_cox(fits) -> dict:
    names, main = fits["names"], fits["main"]
    out = {"n": len(fits["days"]), "events": int(fits["event"].sum()), "ties": "efron"}
    if main is None:
        return {**out, "concordance": None, "terms": not_estimable(names, "hr", fits["main_error"]),
                "ph_test": {"global_p": None}}
    zph = fits["zph"]
    return {**out, "concordance": float(main.concordance), "terms": cox_terms(main, names),
            "ph_test": {"global_p": None if zph is None else zph.global_p}}


def sensitivity(fits) -> dict:
    """Site-stratified and cluster-robust Cox models, and the per-term PH test (report)."""
    names, site = fits["names"], fits["site"]
    n, events = len(fits["days"]), int(fits["event"].sum())
    zph = fits["zph"]
    ph_terms = zph.summary()["p"] if zph is not None else pd.Series(dtype=float)

    def block(name, extra):
        fit = fits[name]
        terms = cox_terms(fit, names) if fit is not None else not_estimable(names, "hr", fits[f"{name}_error"])
        return {"n": n, "events": events, **extra, "terms": terms}

    return {
        "ph_test": {"global_p": None if zph is None else zph.global_p,
                    "terms": [{"term": t, "p": float(p)} for t, p in ph_terms.items() if t != "GLOBAL"]},
        "stratified_by_site": block("stratified", {"strata": len(np.unique(site))}),
        "cluster_robust_by_site": block("robust", {"clusters": len(np.unique(site))}),
    }
