"""Times equal up to rounding are ties, as R survival's ``aeqSurv`` (coxph's default
``timefix = TRUE``).

Sorted distinct times y are merged with their predecessor when the gap dy satisfies
dy <= tol or dy / mean(|y|) <= tol, tol = sqrt(machine epsilon); every time is then
replaced by the smallest value of its merged run.  Without near-ties nothing changes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TOLERANCE", "aeq_times"]

TOLERANCE = float(np.sqrt(np.finfo(float).eps))


def aeq_times(time: np.ndarray, distinct=None, tolerance: float = TOLERANCE) -> np.ndarray:
    """``time`` with near-ties merged (the same object when there are none).
    ``distinct``: the distinct times if already known (any order)."""
    y = np.unique(time if distinct is None else distinct)
    y = y[np.isfinite(y)]
    dy = np.diff(y)
    tied = (dy <= tolerance) | (dy / np.mean(np.abs(y)) <= tolerance)
    if not tied.any():
        return time
    cuts = y[np.concatenate(([True], ~tied))]
    return cuts[np.searchsorted(cuts, time, side="right") - 1]
