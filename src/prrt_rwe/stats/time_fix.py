"""Times equal up to rounding are ties: one rule for every survival engine, as R survival's
``aeqSurv`` (the default ``timefix = TRUE`` of ``survfit``, ``survdiff``, ``coxph`` and
``concordance``).

Sorted distinct times y (for (start, stop] data: of both columns together) are merged with
their predecessor when the gap dy satisfies dy <= tol or dy / mean(|y|) <= tol,
tol = sqrt(machine epsilon); every time is then replaced by the smallest value of its merged
run.  Without near-ties nothing changes.  ``timefix=False`` in the engines turns it off.

Whole-number times (days) below 1 / tol (6.7e7) can never be merged: a gap is at least 1,
so the relative gap exceeds tol.  :func:`fix_times` returns them unchanged after one O(n)
check, without sorting.
"""

from __future__ import annotations

import numpy as np

from prrt_rwe.stats.survival_data import SurvivalDataError

__all__ = ["TOLERANCE", "aeq_times", "fix_times", "fix_intervals", "merged_runs"]

TOLERANCE = float(np.sqrt(np.finfo(float).eps))


def merged_runs(distinct: np.ndarray, tolerance: float = TOLERANCE) -> np.ndarray | None:
    """For sorted distinct finite times: the run (0, 1, ...) of each after merging near-ties,
    or ``None`` when nothing merges."""
    if distinct.size < 2:
        return None
    dy = np.diff(distinct)
    tied = (dy <= tolerance) | (dy / np.mean(np.abs(distinct)) <= tolerance)
    if not tied.any():
        return None
    return np.concatenate(([0], np.cumsum(~tied)))


def aeq_times(time: np.ndarray, distinct=None, tolerance: float = TOLERANCE) -> np.ndarray:
    """``time`` with near-ties merged (the same object when there are none).
    ``distinct``: the distinct times if already known (any order)."""
    y = np.unique(time if distinct is None else distinct)
    y = y[np.isfinite(y)]
    runs = merged_runs(y, tolerance)
    if runs is None:
        return time
    cuts = y[np.concatenate(([True], runs[1:] != runs[:-1]))]
    return cuts[np.searchsorted(cuts, time, side="right") - 1]


def _whole_numbers_below_limit(time: np.ndarray, tolerance: float) -> bool:
    if time.size == 0:
        return True
    hi = time.max()
    return bool(hi < 1.0 / tolerance and time.min() > -1.0 / tolerance and np.all(time == np.floor(time)))


def fix_times(time: np.ndarray, timefix: bool = True) -> np.ndarray:
    """R's ``aeqSurv`` on one time column (the same object when nothing changes)."""
    if not timefix or _whole_numbers_below_limit(time, TOLERANCE):
        return time
    return aeq_times(time)


def fix_intervals(entry: np.ndarray, time: np.ndarray, timefix: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """R's ``aeqSurv`` on (start, stop] data: both columns are merged on one set of times.
    An interval that the merge makes empty is an error naming its rows (as R's
    "aeqSurv exception, an interval has effective length 0")."""
    if not timefix or (_whole_numbers_below_limit(time, TOLERANCE)
                       and _whole_numbers_below_limit(entry, TOLERANCE)):
        return entry, time
    joined = np.concatenate((entry, time))
    both = aeq_times(joined)
    if both is joined:
        return entry, time
    new_entry, new_time = both[: time.shape[0]], both[time.shape[0]:]
    empty = np.flatnonzero(new_entry >= new_time)
    if empty.size:
        raise SurvivalDataError(
            "entry", "interval (entry, time] has length 0 once times equal up to rounding are "
            "merged (R aeqSurv); pass timefix=False to keep them apart", empty)
    return new_entry, new_time
