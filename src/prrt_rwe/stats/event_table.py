"""Risk-set table of right-censored data: one row per distinct time.

For each distinct observed time t (events and censorings alike, as R ``survfit`` keeps them):
``n_risk`` = (weighted) number with time >= t, ``n_event`` = (weighted) events at t,
``n_censor`` = (weighted) censorings at t.

Speed: times that are whole numbers on a modest range (days, the unit of ADTTE) are
counted with ``bincount`` in O(n) — no sorting; other unweighted times need one sort of
64-bit keys (no argsort); other weighted times are coded by ``np.unique``.  All paths give
identical tables.

(start, stop] data (:func:`counting_event_table`): one row per distinct stop time, and
``n_risk`` = (weighted) number with entry < t <= stop — those with stop >= t minus those
that enter at or after t, as R ``survfitkm.c``.  Near-tied times are merged by
:func:`merge_near_ties` on the table (right-censored data) or by
:func:`prrt_rwe.stats.time_fix.fix_intervals` on the data ((start, stop] data), R ``aeqSurv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.survival_data import SurvivalDataError, check_entry, check_time_event, check_weights
from prrt_rwe.stats.time_fix import fix_intervals, merged_runs

__all__ = ["EventTable", "SurvivalTable", "event_table", "counting_event_table", "merge_near_ties", "survival_table",
           "time_index"]


@dataclass(frozen=True)
class EventTable:
    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    n_event_rows: np.ndarray  # unweighted count of event rows (R: d0 > 0 test)


def integer_codes(time: np.ndarray) -> np.ndarray | None:
    """The times as int64 when they are whole numbers in [0, 2n + 1024]; else None."""
    n = time.size
    if n and time.max() <= 2 * n + 1024:
        as_int = time.astype(np.int64)
        if np.array_equal(as_int, time):
            return as_int
    return None


def time_index(time: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """(codes, grid, dense): time == grid[codes]; ``dense`` grids may hold unobserved values."""
    as_int = integer_codes(time)
    if as_int is not None:
        return as_int, np.arange(int(as_int.max()) + 1, dtype=float), True
    grid, codes = np.unique(time, return_inverse=True)
    return codes.reshape(-1), grid, False


def _sorted_unweighted(time: np.ndarray, event: np.ndarray) -> EventTable:
    """One sort of uint64 keys: the IEEE bits of a time >= 0 order like the time itself, and
    the spare sign bit carries the event flag, so events and censorings sort together."""
    bits = (time + 0.0).view(np.uint64)  # + 0.0 turns -0.0 into 0.0
    keys = np.sort((bits << np.uint64(1)) | event.astype(np.uint64))
    time_bits = keys >> np.uint64(1)
    new = np.empty(keys.size, dtype=bool)
    new[:1] = True
    np.not_equal(time_bits[1:], time_bits[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    times = time_bits[starts].view(np.float64)
    n_event = np.add.reduceat((keys & np.uint64(1)).astype(np.float64), starts)
    total = np.diff(np.append(starts, keys.size))
    return EventTable(times, (keys.size - starts).astype(float), n_event, total - n_event, n_event.copy())


def event_table(time: np.ndarray, event: np.ndarray, weights: np.ndarray | None = None) -> EventTable:
    """Risk-set table of checked arrays (see :mod:`prrt_rwe.stats.survival_data`)."""
    if weights is None and time.size and integer_codes(time) is None:
        return _sorted_unweighted(time, event)
    if time.size == 0:
        empty = np.empty(0)
        return EventTable(empty, empty, empty, empty, empty)
    codes, grid, dense = time_index(time)
    size = grid.size
    total = np.bincount(codes, weights=weights, minlength=size).astype(float)
    ev_w = event if weights is None else event * weights
    n_event = np.bincount(codes, weights=ev_w, minlength=size).astype(float)
    rows_event = n_event if weights is None else np.bincount(codes, weights=event, minlength=size)
    n_risk = np.cumsum(total[::-1])[::-1]
    if dense:
        keep = np.flatnonzero(np.bincount(codes, minlength=size))
        grid, total, n_event, rows_event, n_risk = (a[keep] for a in (grid, total, n_event, rows_event, n_risk))
    return EventTable(grid, n_risk, n_event, total - n_event, np.asarray(rows_event, float))


def counting_event_table(entry: np.ndarray, time: np.ndarray, event: np.ndarray,
                         weights: np.ndarray | None = None) -> EventTable:
    """Risk-set table of (entry, time] data: a row is at risk at t when entry < t <= time."""
    grid, codes = np.unique(time, return_inverse=True)
    codes = codes.reshape(-1)
    size = grid.size
    total = np.bincount(codes, weights=weights, minlength=size).astype(float)
    ev_w = event if weights is None else event * weights
    n_event = np.bincount(codes, weights=ev_w, minlength=size).astype(float)
    rows_event = np.bincount(codes, weights=event, minlength=size).astype(float)
    order = np.argsort(entry, kind="stable")
    entry_sorted = entry[order]
    entered = np.concatenate(([0.0], np.cumsum(np.ones(entry.size) if weights is None else weights[order])))
    later = entered[-1] - entered[np.searchsorted(entry_sorted, grid, side="left")]  # entry >= t
    n_risk = np.cumsum(total[::-1])[::-1] - later
    return EventTable(grid, n_risk, n_event, total - n_event, rows_event)


def merge_near_ties(table: EventTable) -> EventTable:
    """Rows of a right-censored table whose times are equal up to rounding merged into the
    first (R ``aeqSurv``: every time of a run becomes its smallest); unchanged if none."""
    runs = merged_runs(table.time)
    if runs is None:
        return table
    starts = np.flatnonzero(np.concatenate(([True], runs[1:] != runs[:-1])))

    def summed(a):
        return np.add.reduceat(a, starts)

    return EventTable(table.time[starts], table.n_risk[starts], summed(table.n_event), summed(table.n_censor),
                      summed(table.n_event_rows))


@dataclass(frozen=True)
class SurvivalTable:
    """The risk-set table of checked input, with what the curves need besides."""

    table: EventTable
    n: int  # rows used (weight > 0)
    start: float  # R's t0 = min(0, entry): where a curve starts
    weighted: bool


def survival_table(time, event, *, weights=None, entry=None, timefix: bool = True) -> SurvivalTable:
    """Check (time, event[, weights, entry]) and build the risk-set table (R ``survfit``):
    zero weights are accepted and their rows ignored; near-tied times merged unless
    ``timefix=False``."""
    t, e = check_time_event(time, event)
    n = t.shape[0]
    a = None if entry is None else check_entry(entry, t)
    w = None if weights is None else check_weights(weights, n, allow_zero=True)
    if w is not None and not w.all():
        keep = w > 0
        if not keep.any():
            raise SurvivalDataError("weights", "are all 0: no row is left to estimate from")
        t, e, w = t[keep], e[keep], w[keep]
        a = None if a is None else a[keep]
    if a is None:
        table = event_table(t, e, w)
        table = merge_near_ties(table) if timefix else table
        return SurvivalTable(table, int(t.shape[0]), 0.0, w is not None)
    a, t = fix_intervals(a, t, timefix)
    return SurvivalTable(counting_event_table(a, t, e, w), int(t.shape[0]), min(0.0, float(a.min())), w is not None)
