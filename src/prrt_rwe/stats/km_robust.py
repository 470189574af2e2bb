"""Kaplan–Meier with the infinitesimal-jackknife (robust) variance, as R survival 3.5
``survfit(Surv(t, e) ~ 1, weights = w)`` gives it by default when a weight is not an integer
(src/survfitkm.c, "KM survival, NA hazard", each row its own cluster).

R updates each subject's influence on S at every event time t_i (hazard h_i = d_i / n_i of
the weighted counts): U_k ← U_k (1 − h_i) + w_k S(t_i−) h_i / n_i for the subjects at risk,
minus w_k S(t_i−) / n_i for those with an event at t_i; var S(t_i) = Σ_k U_k². Divided by
S(t_i) the recursion becomes a sum, U_k(t) = S(t) w_k [Σ_(t_j ≤ min(t, T_k)) c_j − δ_k 1(T_k ≤ t)
e_(T_k)] with c_j = h_j / (n_j (1 − h_j)) and e_j = 1 / (n_j (1 − h_j)), so

    var S(t) / S(t)² = C(t)² Σ_(T_k > t) w_k² + Σ_(T_k ≤ t) w_k² (C(T_k) − δ_k e_(T_k))²,

two cumulative sums over the sorted times (O(n log n) instead of R's O(n × times)). The
interval then uses se(log S) = se(S) / S on the configured scale, as ``survfit_confint``;
the median and its interval as R ``quantile.survfit`` from those limits.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from prrt_rwe.stats.kaplan_meier import KaplanMeier, kaplan_meier
from prrt_rwe.stats.survival_ci import survival_ci

__all__ = ["robust_kaplan_meier"]


def _ij_se_log(time, event, weights, km: KaplanMeier, weights_sq=None) -> np.ndarray:
    """se(log S) at each time of ``km`` (see the module doc); ``weights_sq``: each row's w²
    (default ``weights ** 2``; a row standing for several patients carries their sum)."""
    n_risk, d = km.n_risk.astype(float), km.n_event.astype(float)
    h = np.divide(d, n_risk, out=np.zeros_like(d), where=n_risk > 0)
    denom = n_risk * (1 - h)
    ok = denom > 0
    c = np.where(ok, h / np.where(ok, denom, 1), 0.0)
    e = np.where(ok, 1 / np.where(ok, denom, 1), 0.0)
    C = np.cumsum(c)
    j = np.searchsorted(km.time, time)  # each subject's exit time among the curve's times
    w2 = weights ** 2 if weights_sq is None else np.asarray(weights_sq, dtype=float)
    left = w2 * (C[j] - event * e[j]) ** 2
    gone = np.bincount(j, weights=left, minlength=len(km.time)).cumsum()  # T_k <= t_i
    exits = np.bincount(j, weights=w2, minlength=len(km.time))
    still = w2.sum() - exits.cumsum()  # T_k > t_i
    var_rel = C ** 2 * still + gone
    # constant between event times (R updates the influences at event times only): carried
    # from the last event time, not recomputed from sums whose last bit depends on the CPU
    last_event = np.maximum.accumulate(np.where(d > 0, np.arange(d.size), 0))
    var_rel = var_rel[last_event]
    return np.where(km.survival > 0, np.sqrt(np.maximum(var_rel, 0.0)), 0.0)


def robust_kaplan_meier(time, event, weights, *, conf_type: str = "log-log",
                        conf_level: float = 0.95, weights_sq=None) -> KaplanMeier:
    """The weighted Kaplan–Meier curve with R's robust (IJ) variance and its intervals.
    ``weights_sq``: the rows' squared weights, when a row stands for several patients leaving
    at one time with one status (their weight sum and squared-weight sum: the variance depends
    on the patients only through those, stats/weighted_counts.py)."""
    km = kaplan_meier(time, event, weights=weights, conf_type=conf_type, conf_level=conf_level)
    t = np.asarray(time, dtype=float)
    ev = np.asarray(event, dtype=float)
    w = np.asarray(weights, dtype=float)
    se_log = _ij_se_log(t, ev, w, km, weights_sq)
    lower, upper = survival_ci(km.survival, se_log, conf_type, conf_level)
    return dataclasses.replace(km, lower=lower, upper=upper, std_err_log=se_log, variance="robust")
