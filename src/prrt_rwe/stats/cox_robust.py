"""Score residuals and the cluster-robust (sandwich) variance of a Cox model, in O(n p).

Score residual of subject i (R survival ``coxscore2.c``, Efron or Breslow ties):

    U_i = [event] (x_i - mean_k xbar_k(t_i))                       own event
          - e^eta_i (x_i H(t_i) - XH(t_i))                         at-risk charge
          + [event] e^eta_i sum_k f_k h_k (x_i - xbar_k(t_i))      Efron: a dying subject is
                                                                   only (1 - k/d) at risk
where h_k = wt_k / D_k is the hazard increment of virtual death k, H and XH are running
sums of h and h xbar over the event times whose risk set holds i.  The running sums
replace the n x n double loop used by many implementations.

Robust variance (R ``coxph(..., cluster=)``): dfbeta = w_i U_i V, summed within cluster,
V_robust = D'D.  The robust score test uses the same residuals at beta = 0.
"""

from __future__ import annotations

import numpy as np

from prrt_rwe.stats.cox_efron import group_sums, virtual_sum, weighted_mean_sum
from prrt_rwe.stats.risk_sets import RiskSets, group_range_sums

__all__ = ["score_residuals", "cluster_sums", "robust_variance", "robust_score_test"]


def score_residuals(rs: RiskSets, Xs: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Unweighted score residuals (n, p) in sorted row order."""
    eta = Xs @ beta
    gs = group_sums(rs, Xs, eta)
    score = np.exp(eta)
    wt, f, D = rs.virtual_wt, rs.virtual_frac, gs.denom
    h = wt / D  # hazard increment of each virtual death
    h_g, hf, q0, q1, q2, m, inv_d, f_d = virtual_sum(
        rs, h, h * f, h / D, h * f / D, h * f * f / D, np.ones_like(D), 1 / D, f / D)
    cum_h = group_range_sums(rs, h_g)
    cum_hx = group_range_sums(rs, weighted_mean_sum(gs, q0, q1))  # sum_k h_k xbar_k
    resid = -score[:, None] * (Xs * cum_h[:, None] - cum_hx)
    mean_xbar = weighted_mean_sum(gs, inv_d / m, f_d / m)
    hfx = weighted_mean_sum(gs, q1, q2)  # sum_k h_k f_k xbar_k
    dr, g = rs.death_rows, rs.death_group
    xd = Xs[dr]
    resid[dr] += xd - mean_xbar[g] + score[dr, None] * (xd * hf[g][:, None] - hfx[g])
    return resid


def cluster_sums(values: np.ndarray, cluster_s: np.ndarray | None) -> np.ndarray:
    """Row sums within cluster (R ``rowsum``); each row its own cluster when None."""
    if cluster_s is None:
        return values
    k = int(cluster_s.max()) + 1
    out = np.empty((k, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(cluster_s, weights=values[:, j], minlength=k)
    return out


def robust_variance(rs: RiskSets, Xs, beta, var, cluster_s) -> np.ndarray:
    """Sandwich variance D'D from weighted dfbeta residuals collapsed by cluster."""
    dfbeta = (score_residuals(rs, Xs, beta) @ var) * rs.weight_s[:, None]
    d = cluster_sums(dfbeta, cluster_s)
    return d.T @ d


def robust_score_test(rs: RiskSets, Xs, cluster_s) -> float:
    """R's robust score test (``fit$rscore``): u' (S'S)^-1 u with S the collapsed
    weighted score residuals at beta = 0."""
    resid0 = score_residuals(rs, Xs, np.zeros(Xs.shape[1])) * rs.weight_s[:, None]
    s = cluster_sums(resid0, cluster_s)
    u = s.sum(axis=0)
    return float(u @ np.linalg.solve(s.T @ s, u))
