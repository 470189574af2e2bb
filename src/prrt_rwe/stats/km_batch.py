"""Case-weighted Kaplan-Meier survival at one time for many weight vectors at once — the
bootstrap of a weighted KM rate (MAIC re-estimates the weights in every resample).

Row b of ``weights`` gives S_b(t) = Π_{event times u ≤ t} (1 − d_b(u) / n_b(u)) with the
weighted deaths d_b(u) = Σ_{t_i = u, event} w_bi and the weighted number at risk
n_b(u) = Σ_{t_i ≥ u} w_bi, i.e. R ``survfit(Surv(time, event) ~ 1, weights = w_b)`` read at
t with ``summary(fit, times = t, extend = FALSE)``: NaN when t is after the last time with a
positive weight (beyond follow-up) or when a row's weights are NaN.
"""

from __future__ import annotations

import numpy as np

__all__ = ["survival_at_batch"]


def survival_at_batch(time, event, weights, t: float) -> np.ndarray:
    """S_b(t) for each row b of ``weights`` (B, n); see the module doc."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    W = np.atleast_2d(np.asarray(weights, dtype=float))
    if W.shape[1] != time.size:
        raise ValueError(f"weights: {W.shape[1]} columns for {time.size} patients")
    out = np.full(W.shape[0], np.nan)
    rows_ok = np.isfinite(W).all(axis=1)
    if not rows_ok.any():
        return out
    Wk = W[rows_ok]
    last = np.array([time[w > 0].max() if (w > 0).any() else -np.inf for w in Wk])
    u = np.unique(time[event & (time <= t)])
    if u.size == 0:
        s = np.ones(Wk.shape[0])
    else:
        at_risk = Wk @ (time[:, None] >= u[None, :])                      # (B, J)
        deaths = Wk @ ((time[:, None] == u[None, :]) & event[:, None])     # (B, J)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(at_risk > 0, 1 - deaths / at_risk, 1.0)
        s = factor.prod(axis=1)
    s[last < t] = np.nan
    out[rows_ok] = s
    return out


def median_batch(time, event, weights) -> np.ndarray:
    """Weighted KM median for each row of ``weights``: the first event time with
    S_b ≤ 0.5 (NaN when not reached or the row is NaN).  R's rule of averaging with the next
    event time when S is exactly 0.5 on a flat stretch is not applied (with MAIC weights an
    exact 0.5 does not occur)."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    W = np.atleast_2d(np.asarray(weights, dtype=float))
    out = np.full(W.shape[0], np.nan)
    ok = np.isfinite(W).all(axis=1)
    u = np.unique(time[event])
    if u.size == 0 or not ok.any():
        return out
    Wk = W[ok]
    at_risk = Wk @ (time[:, None] >= u[None, :])
    deaths = Wk @ ((time[:, None] == u[None, :]) & event[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.cumprod(np.where(at_risk > 0, 1 - deaths / at_risk, 1.0), axis=1)
    below = s <= 0.5
    first = np.where(below.any(axis=1), below.argmax(axis=1), -1)
    out[ok] = np.where(first >= 0, u[np.clip(first, 0, None)], np.nan)
    return out
