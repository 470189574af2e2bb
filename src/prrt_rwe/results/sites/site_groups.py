"""Sites for the between-site analyses (results-v1.md "Additions: sites"): a site with fewer
than ``min_site_n`` patients is merged into one pseudo-site "other"."""

from __future__ import annotations

import numpy as np

OTHER = "other"


def site_groups(site, min_site_n: int) -> np.ndarray:
    """Each patient's site label, small sites replaced by "other"."""
    site = np.asarray(site).astype(str)
    labels, counts = np.unique(site, return_counts=True)
    small = set(labels[counts < min_site_n].tolist())
    return np.array([OTHER if s in small else s for s in site], dtype=object)


def site_dummies(site, min_site_n: int) -> np.ndarray:
    """0/1 columns for every pseudo-site but the largest (the reference), in label order."""
    groups = site_groups(site, min_site_n)
    labels, counts = np.unique(groups, return_counts=True)
    if labels.size < 2:
        return np.empty((groups.size, 0))
    reference = labels[np.argmax(counts)]
    return np.column_stack([(groups == lv).astype(float) for lv in labels if lv != reference])
