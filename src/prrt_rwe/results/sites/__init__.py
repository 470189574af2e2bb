"""Between-site heterogeneity (results-v1.md "Additions: sites"): per-site ORR and PFS, a
random-effects meta-analysis of the site ORRs, leave-one-site-out ranges and a shared gamma
frailty Cox model by site. A part that cannot be estimated keeps its keys, with null values,
and gains a ``reason``."""

from __future__ import annotations

from prrt_rwe.results.heavy import NOT_RUN
from prrt_rwe.results.sites.frailty import frailty_block
from prrt_rwe.results.sites.leave_one_out import leave_one_out
from prrt_rwe.results.sites.orr_meta import orr_meta
from prrt_rwe.results.sites.per_site import per_site


def sites(headline, complete_case, sites_cfg, models_cfg, km_options, cox_error: str | None = None,
          heavy: dict | None = None) -> tuple[dict, dict]:
    """The results.json ``sites`` block and the report's extras (per-site rows, reasons);
    ``heavy``: {"leave_one_site_out": bool, "frailty_cox": bool}, False = not run (null values,
    reason "not run", results/heavy.py)."""
    runs = {"leave_one_site_out": True, "frailty_cox": True, **(heavy or {})}
    rows = per_site(headline, sites_cfg.min_site_n, km_options)
    meta, meta_reason = orr_meta(rows)
    if runs["leave_one_site_out"]:
        loo, loo_reason = leave_one_out(headline, complete_case, models_cfg, km_options)
    else:
        loo, loo_reason = {"orr": [None, None], "pfs_median_months": [None, None], "terms": {}}, NOT_RUN
    frailty, frailty_reason = frailty_block(complete_case, models_cfg, cox_error, run=runs["frailty_cox"])
    block = {"n_sites": len(set(headline.site)), "min_site_n": sites_cfg.min_site_n, "orr_meta": meta,
             "leave_one_out": loo, "frailty_cox": frailty}
    reasons = {k: v for k, v in (("orr_meta", meta_reason), ("leave_one_out", loo_reason),
                                 ("frailty_cox", frailty_reason)) if v}
    for key, reason in reasons.items():
        block[key]["reason"] = reason
    return block, {"per_site": rows, "reasons": reasons}
