"""Chi-squared tail probabilities bit-identical to scipy.stats, without importing scipy.stats
(about a second of CPU per process: issue 17); tests/stats/test_chi_squared.py checks the
equality on many values.

* :func:`chi2_sf`: ``scipy.stats.chi2.sf(x, df)``, i.e. ``chdtrc(df, x)``, and 1 for x <= 0
  (chi2.sf's value below the support; chdtrc gives NaN there).
* :func:`yates_chi2_p`: Pearson's chi-squared test of a 2 x 2 table with Yates' continuity
  correction, as R ``chisq.test(table)`` (correct = TRUE) and scipy
  ``chi2_contingency(table, correction=True)``, in scipy 1.17's floating-point steps
  (stats/contingency.py, ``power_divergence``): expected = row sum x column sum / total;
  observed moved towards it by min(0.5, |difference|); statistic = sum of
  (observed - expected)^2 / expected over the four cells in row order; p = chdtrc(1, statistic).
"""

from __future__ import annotations

import numpy as np
from scipy.special import chdtrc

__all__ = ["chi2_sf", "yates_chi2_p"]


def chi2_sf(x, df):
    """``scipy.stats.chi2.sf(x, df)`` for arrays (or scalars) of statistics and degrees of freedom."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(x <= 0, 1.0, chdtrc(df, x))


def yates_chi2_p(table) -> float:
    """p-value of a 2 x 2 table of non-negative counts whose row and column sums are all
    positive (an empty row or column: ValueError, as scipy's zero expected frequency)."""
    observed = np.asarray(table)
    if observed.shape != (2, 2) or np.any(observed < 0):
        raise ValueError(f"expected a 2 x 2 table of non-negative counts, got {observed!r}")
    counts = observed.astype(np.float64)
    expected = counts.sum(axis=1, keepdims=True) * counts.sum(axis=0, keepdims=True) / counts.sum()
    if np.any(expected == 0):
        raise ValueError("a row or column of the table is empty (an expected frequency is zero)")
    diff = expected - observed
    corrected = observed + np.minimum(0.5, np.abs(diff)) * np.sign(diff)
    statistic = np.sum(((corrected - expected) ** 2 / expected).ravel())
    return float(chdtrc(1.0, statistic))
