"""Per-time weighted status counts: the sufficient statistics of a case-weighted Kaplan-Meier
curve with R's robust (infinitesimal-jackknife) variance, and the algebra that pools them
across sites (the weighted analogue of :mod:`prrt_rwe.stats.event_counts`).

For each distinct time and status (0 = censored, 1 = event) the table holds the number of
rows, the sum of their weights and the sum of their squared weights.  R ``survfit(...,
weights = w)`` reads the rows only through the weighted counts, and its robust variance
(:mod:`prrt_rwe.stats.km_robust`) through the sums of squared weights of the rows leaving at
each time by status, so the curve and its intervals of the merged sites' tables equal those of
the pooled rows (to rounding): :func:`merge_weighted` adds the tables time by time and
:func:`weighted_rows` writes one row per (time, status) cell carrying its weight sum and
squared-weight sum, for the unchanged estimator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["WeightedCounts", "merge_weighted", "weighted_counts", "weighted_rows"]


@dataclass(frozen=True)
class WeightedCounts:
    """``time`` (T,) ascending; ``counts``, ``wsum``, ``w2sum`` (T, 2) by status."""

    time: np.ndarray
    counts: np.ndarray
    wsum: np.ndarray
    w2sum: np.ndarray

    def arrays(self, prefix: str) -> dict:
        return {f"{prefix}.{k}": getattr(self, k) for k in ("time", "counts", "wsum", "w2sum")}

    @classmethod
    def from_arrays(cls, arrays: dict, prefix: str) -> "WeightedCounts":
        return cls(*(np.asarray(arrays[f"{prefix}.{k}"]).reshape((-1,) if k == "time" else (-1, 2))
                     for k in ("time", "counts", "wsum", "w2sum")))


def weighted_counts(time, status, weights) -> WeightedCounts:
    """The table of rows (``time``, 0/1 ``status``, ``weights``)."""
    t = np.asarray(time, dtype=float).reshape(-1)
    s = np.asarray(status).astype(np.int64).reshape(-1)
    w = np.asarray(weights, dtype=float).reshape(-1)
    grid, codes = np.unique(t, return_inverse=True)
    out = [np.zeros((grid.size, 2), dtype=dtype) for dtype in (np.int64, float, float)]
    for arr, values in zip(out, (np.ones(t.size, dtype=np.int64), w, w * w)):
        np.add.at(arr, (codes.reshape(-1), s), values)
    return WeightedCounts(grid, *out)


def merge_weighted(parts) -> WeightedCounts:
    """One table from the sites': every sum added at equal times, union of times."""
    parts = list(parts)
    times = np.concatenate([p.time for p in parts]) if parts else np.empty(0)
    grid, codes = np.unique(times, return_inverse=True)
    out = []
    for name, dtype in (("counts", np.int64), ("wsum", float), ("w2sum", float)):
        arr = np.zeros((grid.size, 2), dtype=dtype)
        if parts:
            np.add.at(arr, codes.reshape(-1), np.concatenate([getattr(p, name) for p in parts]))
        out.append(arr)
    return WeightedCounts(grid, *out)


def weighted_rows(table: WeightedCounts) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(time, status, weight, squared weight) with one row per non-empty (time, status) cell."""
    cells = table.counts > 0
    rows, status = np.nonzero(cells)
    return table.time[rows], status.astype(np.int8), table.wsum[cells], table.w2sum[cells]
