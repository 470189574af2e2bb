"""The analyses ``[analyses] heavy = false`` skips (issue 17): those whose cost is not linear in
the rows or that refit the model many times. A registry of a million patients is analysed with
``heavy = false`` in minutes; each skipped analysis is listed in the report as not run, with
its reason, and its results.json values are ``null`` (a CI) or absent as its own module says.

What stays: every single fit whose cost is linear in the rows (the default, univariable,
cluster-robust and stratified models, IPTW with its one propensity fit, E-values of what was
estimated, the site meta-analysis of per-site counts), and the Firth fit with its profile CIs
when ``[models] orr_method = "firth"`` asks for it (the response model itself, not an extra).

Each entry: (key, what the report calls it, why it is heavy). A module that runs one asks
:func:`runs` with its key; the report lists :func:`not_run`.
"""

from __future__ import annotations

HEAVY_ANALYSES = (
    ("maic_bootstrap", "MAIC bootstrap confidence intervals (published comparators)",
     "re-estimates the weights in each of [comparators] bootstrap_resamples resamples"),
    ("egfr_mixed_model", "eGFR slope, linear mixed model (safety.egfr_slope)",
     "REML over every patient's eGFR series: iterations whose cost grows faster than the rows"),
    ("multiple_imputation", "Multiple imputation (models.orr_logistic_mi, models.pfs_cox_mi)",
     "[imputation] m chains of chained equations, each refitting every imputed column's model per iteration"),
    ("leave_one_site_out", "Leave-one-site-out ranges (sites.leave_one_out)",
     "refits both default models once per site"),
    ("frailty_cox", "Shared gamma frailty Cox model by site (sites.frailty_cox)",
     "an outer search over the frailty variance, a penalized Cox fit at each step"),
)
NOT_RUN = "not run: [analyses] heavy = false"
_KEYS = {key for key, _, _ in HEAVY_ANALYSES}


def runs(config, key: str) -> bool:
    """Whether the heavy analysis ``key`` runs under ``config`` (``[analyses] heavy``)."""
    if key not in _KEYS:
        raise KeyError(f"{key!r} is not in HEAVY_ANALYSES")
    return config.analyses.heavy


def not_run(config) -> list[dict]:
    """The heavy analyses skipped under ``config``: [{"analysis", "reason"}] (empty when heavy)."""
    if config.analyses.heavy:
        return []
    return [{"analysis": label, "reason": f"[analyses] heavy = false: {why}"}
            for _, label, why in HEAVY_ANALYSES]
