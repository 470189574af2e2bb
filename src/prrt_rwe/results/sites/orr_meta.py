"""results.json ``sites.orr_meta``: random-effects meta-analysis of the site ORRs on the
logit scale (metafor ``escalc("PLO")`` with its defaults, then ``rma`` by REML and by
DerSimonian–Laird), pooled estimate, CI and prediction interval back-transformed to
proportions; tau² on the logit scale, I² in percent (as metafor prints them)."""

from __future__ import annotations

from scipy.special import expit

from prrt_rwe.stats.meta_analysis import escalc_plo, rma


def meta_block(fit) -> dict:
    return {"k": fit.k,
            "pooled": {"estimate": float(expit(fit.estimate)), "ci95": [float(expit(v)) for v in fit.ci]},
            "tau2": fit.tau2, "i2": fit.i2,
            "prediction_interval": [float(expit(v)) for v in fit.prediction_interval]}


def orr_meta(rows: list[dict]) -> tuple[dict, str | None]:
    """Both estimators over the per-site rows, or nulls and why (fewer than two sites)."""
    if len(rows) < 2:
        return {"REML": None, "DL": None}, (f"{len(rows)} site(s) after pooling small sites; "
                                            "a meta-analysis needs at least two")
    yi, vi = escalc_plo([r["orr"]["n"] for r in rows], [r["orr"]["N"] for r in rows])
    out = {}
    for method in ("REML", "DL"):
        try:
            out[method] = meta_block(rma(yi, vi, method))
        except (ValueError, ArithmeticError) as exc:
            return {"REML": None, "DL": None}, f"meta-analysis not estimable: {exc}"
    return out, None
