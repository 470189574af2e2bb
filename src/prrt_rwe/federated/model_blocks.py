"""The ``models`` blocks of a federated results.json (and the report's sensitivity models),
from the fits of federated/models.py, laid out as results/models.py and
results/efficacy_models.py lay out the pooled ones.

Concordance and the proportional-hazards test are not available (they need pairs of
patients and each event's residuals); the cluster-robust Cox variance by site is not
available either; the cluster-robust logistic variance by site is exact (each site's score at
the estimate); ``pfs_cox_ph_stratified`` stratifies on what cox.zph flags, so it is not
available.
"""

from __future__ import annotations

from prrt_rwe.federated.models import FederatedFit, Refused, SecureHidden
from prrt_rwe.results.efficacy_models import _aliased_note
from prrt_rwe.results.models import cox_terms, logistic_terms, not_estimable
from prrt_rwe.stats.logistic import INTERCEPT

__all__ = ["model_blocks"]

NO_CLUSTERS = ValueError("cluster: needs at least two clusters for a cluster-robust variance")


def _refusal(fit):
    if isinstance(fit, Refused):
        return tuple(sorted(fit.sites)), "; ".join(f"{s}: {r}" for s, r in sorted(fit.sites.items()))
    return None


def _terms(fit: FederatedFit, ratio: str, names) -> list[dict]:
    """Terms of a fit in ``names`` order; an aliased column is not estimable (as pooled)."""
    fitted = cox_terms(fit, list(fit.terms)) if ratio == "hr" else \
        logistic_terms(fit, [n for n in fit.terms if n != INTERCEPT])
    by_name = {t["term"]: t for t in fitted + not_estimable(list(fit.aliased), ratio, "aliased")}
    return [by_name[n] for n in names if n in by_name]


def _labels(doc, key: str) -> list[str]:
    """The term names the sites' own results carry for a block."""
    return [t.get("term") for t in (doc.get(f"{key}.terms") or []) if isinstance(t, dict)]


def _names(fit: FederatedFit) -> list[str]:
    return [n for n in (*fit.terms, *fit.aliased) if n != INTERCEPT]


def _block(doc, key: str, fit, ratio: str, extra: dict) -> tuple[dict, str | None]:
    """(block, why not estimable) of a fitted or failed model."""
    names = _labels(doc, key)
    if isinstance(fit, FederatedFit):
        return {"n": fit.n, "events": fit.events, **extra, "terms": _terms(fit, ratio, names or _names(fit))}, None
    return {"n": None, "events": None, **extra, "terms": not_estimable(names, ratio, "")}, str(fit)


def _with_n(terms: list[dict], n) -> list[dict]:
    return [{"term": t["term"], "n": n, **{k: v for k, v in t.items() if k != "term"}} for t in terms]


def _univariable(doc, key: str, fits: list, ratio: str) -> tuple[dict, object]:
    """One fit per covariate, each term with the n it used; (block, a failed fit or None)."""
    failed = next((f for f in fits if not isinstance(f, FederatedFit)), None)
    if failed is not None:
        return {"terms": _with_n(not_estimable(_labels(doc, key), ratio, ""), None)}, failed
    return {"terms": [t for fit in fits for t in _with_n(_terms(fit, ratio, _names(fit)), fit.n)]}, None


def _cox_block(doc, key: str, fit) -> str | None:
    """A Cox block: n, events, ties and terms; concordance and the PH test left null (listed
    as not available)."""
    block, note = _block(doc, key, fit, "hr", {"ties": "efron"})
    for k in ("n", "events", "ties", "terms"):
        doc.set(f"{key}.{k}", block[k], _refusal(fit) if k == "terms" else None)
    return note


def _reviewer_models(results, fits: dict, models_cfg) -> dict:
    """results/efficacy_models.py's blocks; returns their notes."""
    notes = {}
    for prefix, ratio, covariates in (("orr", "or", models_cfg.orr_covariates),
                                      ("pfs", "hr", models_cfg.pfs_covariates)):
        key = f"models.{prefix}_{'logistic' if prefix == 'orr' else 'cox'}_univariable"
        block, failed = _univariable(results, key, [fits[f"{prefix}_uni.{c}"] for c in covariates], ratio)
        results.set(key, block, _refusal(failed))
    orr = fits["orr"]
    robust = (orr.cluster_site or NO_CLUSTERS) if isinstance(orr, FederatedFit) else orr
    block, notes["orr_logistic_cluster_site"] = _block(results, "models.orr_logistic_cluster_site", robust, "or", {})
    results.set("models.orr_logistic_cluster_site", block, _refusal(orr))
    if isinstance(robust, SecureHidden):
        results.withhold("models.orr_logistic_cluster_site")
    block, notes["orr_logistic_liver3"] = _block(results, "models.orr_logistic_liver3", fits["orr_liver3"], "or", {})
    results.set("models.orr_logistic_liver3", block, _refusal(fits["orr_liver3"]))
    notes["pfs_cox_liver3"] = _cox_block(results, "models.pfs_cox_liver3", fits["pfs_liver3"])
    for name, key in (("orr_liver3", "orr_logistic_liver3"), ("pfs_liver3", "pfs_cox_liver3")):
        if isinstance(fits[name], FederatedFit) and fits[name].aliased:
            notes[key] = _aliased_note(list(fits[name].aliased))
    return {k: v for k, v in notes.items() if v}


def model_blocks(results, extras, fits: dict, config, sites) -> dict:
    """Fill every model block of ``results`` and the sensitivity models of ``extras``;
    returns the model notes of the report (why a model is not estimable)."""
    notes = {}
    block, notes["orr_logistic"] = _block(results, "models.orr_logistic", fits["orr"], "or", {})
    results.set("models.orr_logistic", block, _refusal(fits["orr"]))
    notes["pfs_cox_main"] = _cox_block(results, "models.pfs_cox", fits["pfs"])
    if results.get("models.orr_logistic_univariable") is not None:
        reviewer = _reviewer_models(results, fits, config.models)
        if extras.get("efficacy_notes") is not None:
            extras.set("efficacy_notes.models", reviewer)
    strat = fits["pfs_stratified"]
    block, notes["pfs_cox_stratified"] = _block(extras, "sensitivity.stratified_by_site", strat, "hr",
                                                {"strata": strat.strata if isinstance(strat, FederatedFit) else None})
    extras.set("sensitivity.stratified_by_site", block, _refusal(strat))
    main = results.get("models.pfs_cox")
    extras.set("sensitivity.cluster_robust_by_site",
               {"n": main["n"], "events": main["events"], "clusters": len(sites),
                "terms": not_estimable([t["term"] for t in main["terms"]], "hr", "")})
    extras.set("sensitivity.ph_test", {"global_p": None, "terms": []})
    extras.computed -= {"sensitivity.cluster_robust_by_site", "sensitivity.ph_test"}
    return {k: v for k, v in notes.items() if v}
