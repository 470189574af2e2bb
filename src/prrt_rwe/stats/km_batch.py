"""Case-weighted Kaplan-Meier for many weight vectors at once — the bootstrap of a weighted
KM rate or median (MAIC re-estimates the weights in every resample).

Row b of ``weights`` gives S_b(t) = Π_{event times u ≤ t} (1 − d_b(u) / n_b(u)) with the
weighted deaths d_b(u) = Σ_{t_i = u, event} w_bi and the weighted number at risk
n_b(u) = Σ_{t_i ≥ u} w_bi, i.e. R ``survfit(Surv(time, event) ~ 1, weights = w_b)``:
:func:`survival_at_batch` reads it at t as ``summary(fit, times = t, extend = FALSE)`` (NaN
when t is after the last time with a positive weight, or the row's weights are NaN);
:func:`median_batch` gives the first event time with S_b ≤ 0.5.

Computed from the rows sorted once by time with cumulative sums (O(B·n), no (n × J)
indicator matrices), so 2,000 resamples of thousands of patients stay cheap.
"""

from __future__ import annotations

import numpy as np

__all__ = ["median_batch", "survival_at_batch"]


def _curves(time, event, weights, until=np.inf):
    """(event times u ≤ until, S (B, J) at those times, last positive-weight time per row, ok rows)."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    W = np.atleast_2d(np.asarray(weights, dtype=float))
    if W.shape[1] != time.size:
        raise ValueError(f"weights: {W.shape[1]} columns for {time.size} patients")
    ok = np.isfinite(W).all(axis=1)
    order = np.argsort(time, kind="stable")
    t, e, Wk = time[order], event[order], np.where(ok[:, None], W[:, order], 0.0)
    starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])           # first row of each distinct time
    ut = t[starts]
    at_risk = np.cumsum(Wk[:, ::-1], axis=1)[:, ::-1][:, starts]     # Σ w over t_i ≥ u
    deaths = np.add.reduceat(Wk * e, starts, axis=1)
    keep = (np.add.reduceat(e.astype(int), starts) > 0) & (ut <= until)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(at_risk[:, keep] > 0, 1 - deaths[:, keep] / at_risk[:, keep], 1.0)
    positive = Wk > 0
    last = np.where(positive.any(axis=1), t[positive.shape[1] - 1 - np.argmax(positive[:, ::-1], axis=1)], -np.inf)
    return ut[keep], np.cumprod(factor, axis=1), last, ok


def survival_at_batch(time, event, weights, t: float) -> np.ndarray:
    """S_b(t) for each row b of ``weights`` (B, n); see the module doc."""
    _, S, last, ok = _curves(time, event, weights, until=t)
    s = S[:, -1] if S.shape[1] else np.ones(S.shape[0])
    out = np.where(ok & (last >= t), s, np.nan)
    return out


def median_batch(time, event, weights) -> np.ndarray:
    """Weighted KM median for each row of ``weights``: the first event time with S_b ≤ 0.5
    (NaN when not reached or the row is NaN).  R's rule of averaging with the next event
    time when S is exactly 0.5 on a flat stretch is not applied (with MAIC weights an exact
    0.5 does not occur)."""
    u, S, _, ok = _curves(time, event, weights)
    out = np.full(S.shape[0], np.nan)
    if u.size == 0:
        return out
    below = S <= 0.5
    first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    out[:] = np.where(first >= 0, u[np.clip(first, 0, None)], np.nan)
    out[~ok] = np.nan
    return out
