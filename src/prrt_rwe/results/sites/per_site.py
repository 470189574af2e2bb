"""Per-site ORR (Clopper–Pearson) and PFS (Kaplan–Meier median and CI) of the headline
population, sites under ``min_site_n`` pooled as "other" (report: forest and funnel plots)."""

from __future__ import annotations

import numpy as np

from prrt_rwe.results import survival as surv
from prrt_rwe.results.proportion import proportion
from prrt_rwe.results.sites.site_groups import OTHER, site_groups


def per_site(outcomes, min_site_n: int, km_options) -> list[dict]:
    """One row per pseudo-site, largest first ("other" last): n, ORR, PFS summary."""
    groups = site_groups(outcomes.site, min_site_n)
    rows = []
    for label in np.unique(groups):
        at = groups == label
        pfs = surv.SurvivalData(outcomes.days[at], outcomes.event[at].astype(np.int8))
        rows.append({"site": str(label), "n": int(at.sum()),
                     "orr": proportion(int(outcomes.response[at].sum()), int(at.sum())),
                     "pfs": surv.summary(pfs, km_options)})
    return sorted(rows, key=lambda r: (r["site"] == OTHER, -r["n"], r["site"]))
