"""The competing-risks data contract and its per-time counts, shared by the Aalen–Johansen
estimator (:mod:`prrt_rwe.stats.cumulative_incidence`), Gray's test
(:mod:`prrt_rwe.stats.gray_test`) and the Fine–Gray model (:mod:`prrt_rwe.stats.fine_gray`).

Contract (as :mod:`prrt_rwe.stats.survival_data`, architecture rule 4): ``time`` finite and
>= 0; ``status`` a whole number >= 0, 0 = censored, k >= 1 = an event of cause k (R's
``factor(status)`` with level 0 for censoring, cmprsk's ``cencode = 0``). A violation raises
:class:`SurvivalDataError` naming the column and the offending rows.

:func:`time_counts` tabulates one row per distinct observed time (events and censorings, as
R ``survfit`` keeps them) in O(n) by counting when the times are whole numbers on a modest
range (days), else after one ``np.unique``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.event_table import time_index
from prrt_rwe.stats.survival_data import SurvivalDataError, check_time

__all__ = ["TimeCounts", "check_status", "competing_data", "time_counts"]


def check_status(status, n: int, column: str = "status") -> np.ndarray:
    """Status as int64: 0 censored, k >= 1 cause k; anything else is an error naming the rows."""
    arr = np.asarray(getattr(status, "to_numpy", lambda: status)())
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.ndim == 2 and 1 in arr.shape else arr
    if arr.ndim != 1:
        raise SurvivalDataError(column, f"must be one-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise SurvivalDataError(column, f"has {arr.shape[0]} rows, expected {n} (the length of time)")
    if arr.dtype.kind in "iub" and (arr.size == 0 or arr.min() >= 0):
        return arr.astype(np.int64, copy=False)
    try:
        f = arr.astype(float)
    except (TypeError, ValueError):
        f = np.array([_number(v) for v in arr], dtype=float)
    bad = np.flatnonzero(~np.isfinite(f) | (f < 0) | (f != np.floor(f)))
    if bad.size:
        raise SurvivalDataError(column, "must be 0 (censored) or a cause 1, 2, ... (whole number)", bad)
    return f.astype(np.int64)


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def competing_data(time, status) -> tuple[np.ndarray, np.ndarray]:
    """Checked (time, status) arrays."""
    t = check_time(time)
    return t, check_status(status, t.shape[0])


@dataclass(frozen=True)
class TimeCounts:
    """Per distinct time (ascending): ``count[j, s]`` rows with status s, ``weight[j, s]``
    their summed case weights and ``weight2[j, s]`` their summed squared weights."""

    time: np.ndarray
    count: np.ndarray
    weight: np.ndarray
    weight2: np.ndarray


def time_counts(time: np.ndarray, status: np.ndarray, n_status: int,
                weights: np.ndarray | None = None, codes=None) -> TimeCounts:
    """Counts by (distinct time, status 0..n_status-1) of checked arrays; ``codes`` =
    precomputed (codes, grid, dense) of :func:`prrt_rwe.stats.event_table.time_index`."""
    if time.size == 0:
        empty = np.zeros((0, n_status))
        return TimeCounts(np.empty(0), empty, empty, empty)
    code, grid, dense = time_index(time) if codes is None else codes
    cell = code * n_status + status
    size = grid.size * n_status
    count = np.bincount(cell, minlength=size).reshape(grid.size, n_status).astype(float)
    if weights is None:
        weight = weight2 = count
    else:
        weight = np.bincount(cell, weights=weights, minlength=size).reshape(grid.size, n_status)
        weight2 = np.bincount(cell, weights=weights * weights, minlength=size).reshape(grid.size, n_status)
    if dense:
        keep = np.flatnonzero(count.sum(axis=1) > 0)
        grid, count = grid[keep], count[keep]
        weight = count if weights is None else weight[keep]
        weight2 = count if weights is None else weight2[keep]
    return TimeCounts(grid, count, weight, weight2)
