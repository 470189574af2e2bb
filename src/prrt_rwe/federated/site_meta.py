"""results.json ``sites`` in a federated study (shared/spec/federated.md, "results.json in
federated mode"): the random-effects meta-analysis of the site ORRs from each site's released
headline responders and patients -- the site-level counts are the release itself, so
``sites.orr_meta`` is exact; sites under ``min_site_n`` patients are pooled as "other" as
results/sites/per_site.py pools them, and the pooled results/sites/orr_meta.py fits REML and DL.
"""

from __future__ import annotations

from prrt_rwe.results.proportion import proportion
from prrt_rwe.results.sites.orr_meta import orr_meta
from prrt_rwe.results.sites.site_groups import OTHER

__all__ = ["site_rows", "sites_meta"]


def site_rows(released: dict, min_site_n: int) -> list[dict]:
    """The per-site ORR rows of results/sites/per_site.py (without PFS) from ``released``:
    site id -> (responders, patients) of its headline population."""
    groups: dict = {}
    for site, (responders, patients) in sorted(released.items()):
        if patients == 0:
            continue   # no headline patient: not a site of the pooled analysis either
        label = OTHER if patients < min_site_n else site
        k, n = groups.get(label, (0, 0))
        groups[label] = (k + responders, n + patients)
    rows = [{"site": label, "n": n, "orr": proportion(k, n)} for label, (k, n) in groups.items()]
    return sorted(rows, key=lambda r: (r["site"] == OTHER, -r["n"], r["site"]))


def sites_meta(released: dict, min_site_n: int) -> tuple[int, dict]:
    """(n_sites, the ``orr_meta`` block with its ``reason`` when it cannot be estimated)."""
    meta, reason = orr_meta(site_rows(released, min_site_n))
    if reason:
        meta["reason"] = reason
    return sum(1 for _, patients in released.values() if patients), meta
