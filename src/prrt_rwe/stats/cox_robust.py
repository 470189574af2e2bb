"""Score residuals and the cluster-robust (sandwich) variance of a Cox model, in O(n p).

Score residual of subject i (R survival ``coxscore2.c``, Efron or Breslow ties):

    U_i = [event] (x_i - mean_k xbar_k(t_i))                       own event
          - e^eta_i (x_i H(t_i) - XH(t_i))                         at-risk charge
          + [event] e^eta_i sum_k f_k h_k (x_i - xbar_k(t_i))      Efron: a dying subject is
                                                                   only (1 - k/d) at risk
where h_k = wt_k / D_k is the hazard increment of virtual death k, H and XH are running
sums of h and h xbar over the event times whose risk set holds i (for (start, stop] data the
event times in (entry_i, time_i], as R ``agscore3.c``).  The running sums replace the n x n
double loop used by many implementations.

Robust variance (R ``coxph(..., cluster=)``): dfbeta = w_i U_i V, summed within cluster,
V_robust = D'D.  With a cluster the sums over each cluster are taken part by part (sparse
cluster x row / block / event-time products), so the (n, p) residual matrix is never
formed.  The robust score test uses the same residuals at beta = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix

from prrt_rwe.stats.cox_efron import group_sums, weighted_mean_sum
from prrt_rwe.stats.risk_sets import RiskSets, row_range_sums

__all__ = ["score_residuals", "weighted_residual_sums", "robust_variance", "robust_score_test"]


@dataclass(frozen=True)
class _Parts:
    """U_i = x_i a_i + XH_i e_i - [event] (MX[g_i] + e_i HFX[g_i]), with XH_i the sum of
    per-group h xbar over the groups holding row i: xh_cum[stop_i] - xh_cum[first_i]."""

    a: np.ndarray  # (n,) coefficient of x_i
    e: np.ndarray  # (n,) exp(eta)
    xh_cum: np.ndarray  # (G + 1, p) cumulative sums over groups of sum_k h_k xbar_k
    first: np.ndarray  # (n,) first group holding the row
    stop: np.ndarray  # (n,) one past the last group holding the row (>= first)
    mx: np.ndarray  # (G, p) mean over the group's virtual deaths of xbar_k
    hfx: np.ndarray  # (G, p) sum_k h_k f_k xbar_k


def _parts(rs: RiskSets, Xs: np.ndarray, beta: np.ndarray) -> _Parts:
    eta = Xs @ beta
    gs = group_sums(rs, Xs, eta)
    e = np.exp(eta)
    vs = gs.vs  # hazard increment of virtual death k: h_k = wt_k / D_k
    a = -e * row_range_sums(rs, vs.c1)  # sum h
    dr, g = rs.death_rows, rs.death_group
    a[dr] += 1 + e[dr] * vs.c1f[g]  # sum h f
    hx = weighted_mean_sum(gs, vs.q0, vs.q1)
    xh_cum = np.concatenate((np.zeros((1, hx.shape[1])), np.cumsum(hx, axis=0)), axis=0)
    first = rs.row_first_group
    return _Parts(a=a, e=e, xh_cum=xh_cum, first=first, stop=np.maximum(rs.row_last_group + 1, first),
                  mx=weighted_mean_sum(gs, vs.inv / vs.count, vs.finv / vs.count),
                  hfx=weighted_mean_sum(gs, vs.q1, vs.q2))


def score_residuals(rs: RiskSets, Xs: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Unweighted score residuals (n, p) in sorted row order."""
    pt = _parts(rs, Xs, beta)
    resid = Xs * pt.a[:, None] + (pt.xh_cum[pt.stop] - pt.xh_cum[pt.first]) * pt.e[:, None]
    dr, g = rs.death_rows, rs.death_group
    resid[dr] -= pt.mx[g] + pt.hfx[g] * pt.e[dr, None]
    return resid


def _collapse(rows, cols, data, shape) -> csr_matrix:
    return coo_matrix((data, (rows, cols)), shape=shape).tocsr()


def weighted_residual_sums(rs: RiskSets, Xs, beta, cluster_s: np.ndarray) -> np.ndarray:
    """sum_{i in cluster} w_i U_i for every cluster, without forming the (n, p) residuals:
    each part of U_i is a sparse (cluster x row, block or group) product."""
    pt = _parts(rs, Xs, beta)
    k = int(cluster_s.max()) + 1
    w, dr, g = rs.weight_s, rs.death_rows, rs.death_group
    rows = np.arange(rs.n)
    out = _collapse(cluster_s, rows, w * pt.a, (k, rs.n)) @ Xs
    n_cum = pt.xh_cum.shape[0]
    out += _collapse(cluster_s, pt.stop, w * pt.e, (k, n_cum)) @ pt.xh_cum
    out -= _collapse(cluster_s, pt.first, w * pt.e, (k, n_cum)) @ pt.xh_cum
    cd = cluster_s[dr]
    out -= _collapse(cd, g, w[dr], (k, rs.n_groups)) @ pt.mx
    out -= _collapse(cd, g, w[dr] * pt.e[dr], (k, rs.n_groups)) @ pt.hfx
    return out


def _weighted_sums(rs, Xs, beta, cluster_s) -> np.ndarray:
    if cluster_s is None:  # each row its own cluster
        return score_residuals(rs, Xs, beta) * rs.weight_s[:, None]
    return weighted_residual_sums(rs, Xs, beta, cluster_s)


def robust_variance(rs: RiskSets, Xs, beta, var, cluster_s) -> np.ndarray:
    """Sandwich variance D'D from weighted dfbeta residuals collapsed by cluster (the
    collapse is done on the score residuals: dfbeta = w U V is linear in U)."""
    d = _weighted_sums(rs, Xs, beta, cluster_s) @ var
    return d.T @ d


def robust_score_test(rs: RiskSets, Xs, cluster_s) -> float:
    """R's robust score test (``fit$rscore``): u' (S'S)^-1 u with S the collapsed
    weighted score residuals at beta = 0."""
    s = _weighted_sums(rs, Xs, np.zeros(Xs.shape[1]), cluster_s)
    u = s.sum(axis=0)
    return float(u @ np.linalg.solve(s.T @ s, u))
