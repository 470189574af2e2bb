"""Quantiles of a step survival curve, exactly as R ``quantile.survfit`` (survival 3.x).

R (``survival:::findq``) reads the p-quantile where a horizontal line at 1 − p meets the
curve.  Where the curve is flat *at* 1 − p (within ``tol = sqrt(.Machine$double.eps)``)
the quantile is the midpoint of that flat stretch: the mean of the time the level is
reached and the next time the curve drops; a flat stretch at the very end uses the
last follow-up time instead.  The same rule applied to the lower and upper confidence
curves gives the quantile's confidence interval (R ``doquant``: the lower curve
gives the lower limit).  Not reached
-> NaN (R ``NA``).  Reference: Brookmeyer & Crowley (1982); R survival source
``R/quantile.survfit.R``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TOLERANCE", "findq", "curve_quantiles"]

TOLERANCE = float(np.sqrt(np.finfo(float).eps))


def _first_unique(y: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each value (NaN equal to NaN), in order (R duplicated)."""
    _, first = np.unique(y, return_index=True, equal_nan=True)
    return np.sort(first)


def _approx_constant_right(xs: np.ndarray, ys: np.ndarray, v: np.ndarray) -> np.ndarray:
    """R ``approx(xs, ys, v, method="constant", f=1)`` (rule 1, NaN pairs removed)."""
    ok = ~np.isnan(xs)
    xs, ys = xs[ok], ys[ok]
    out = np.full(v.shape, np.nan)
    if xs.size == 0:
        return out
    order = np.argsort(xs, kind="stable")
    xs, ys = xs[order], ys[order]
    inside = (v >= xs[0]) & (v <= xs[-1])
    j = np.searchsorted(xs, v[inside], side="left")
    out[inside] = ys[j]
    return out


def findq(x: np.ndarray, y: np.ndarray, p: np.ndarray, tol: float = TOLERANCE) -> np.ndarray:
    """Port of ``survival:::findq``: x times (first = start), y = 1 − curve (may hold NaN)."""
    p = np.asarray(p, dtype=float)
    if np.all(np.isnan(y)) or np.nanmax(y) < p.min():
        return np.full(p.shape, np.nan)
    xmax = x[-1]
    keep = _first_unique(y)
    x, y = x[keep], y[keep]
    index = np.arange(y.size, dtype=float)
    i1 = _approx_constant_right(y + tol, index, p)
    i2 = _approx_constant_right(y - tol, index, p)
    quant = (_take(x, i1) + _take(x, i2)) / 2
    quant[p == 0] = x[0]
    if not np.isnan(y[-1]):
        last = np.abs(p - y[-1]) < tol
        quant[last] = (_take(x, i1[last]) + xmax) / 2
    return quant


def _take(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    out = np.full(idx.shape, np.nan)
    ok = ~np.isnan(idx)
    out[ok] = x[idx[ok].astype(np.intp)]
    return out


def curve_quantiles(p, time, surv, lower, upper, start: float = 0.0):
    """(estimate, lower, upper) arrays of the p-quantiles, as R ``quantile.survfit``."""
    p = np.atleast_1d(np.asarray(p, dtype=float))
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"probabilities must lie in [0, 1], got {p.tolist()}")
    x = np.concatenate(([start], time))

    def q(curve):
        return findq(x, np.concatenate(([0.0], 1 - curve)), p)

    return q(surv), q(lower), q(upper)
