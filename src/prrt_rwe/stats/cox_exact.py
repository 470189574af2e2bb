"""Exact partial likelihood for tied (discrete) event times, as R ``coxph(ties = "exact")``
(``coxexact.c``; Kalbfleisch & Prentice 2002, sec. 4.2.3, the "discrete" likelihood).

At an event time with d deaths D among the risk set R, the term is
exp(sum_{i in D} eta_i) / E_d(R), E_d the elementary symmetric polynomial of degree d of the
risk scores r_i = exp(eta_i): the sum over all d-subsets of R of the product of their scores.
Its first and second derivatives are the same sums weighted by the subset's covariate sum
and its outer product.  Rows are sorted by stratum, time descending
(:mod:`prrt_rwe.stats.risk_sets`), so each risk set is a prefix of the stratum and the
polynomials grow by one row at a time (R's recursion, run forwards):

    E_k(m) = E_k(m-1) + r_m E_{k-1}(m-1),   k = 1 .. max deaths at a time,

with D1_k = d E_k / d beta and D2_k likewise.  To stay clear of overflow (E_k grows like
binom(m, k)) every quantity of degree k is kept divided by binom(m, k):
M_k(m) = ((m-k)/m) M_k(m-1) + (k/m) r_m M_{k-1}(m-1), and log E_d = log M_d + log binom(m, d).
One pass costs O(n * max deaths * p^2).  Case weights are not allowed (R: "Case weights are
not supported for the exact method").
"""

from __future__ import annotations

import math

import numpy as np
from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit

from prrt_rwe.stats.cox_efron import PartialLikelihood
from prrt_rwe.stats.risk_sets import RiskSets

__all__ = ["exact_partial_likelihood"]


def exact_partial_likelihood(rs: RiskSets, Xs: np.ndarray, beta: np.ndarray) -> PartialLikelihood:
    """Log partial likelihood, score and information of the exact (discrete) model."""
    block_stratum = rs.stratum_s[rs.block_start]
    new_stratum = np.concatenate(([True], block_stratum[1:] != block_stratum[:-1]))
    max_deaths = int(rs.group_ndead.max()) if rs.n_groups else 1
    loglik, score, info = _exact_pass(np.ascontiguousarray(Xs, dtype=float), np.asarray(beta, dtype=float),
                                      rs.event_s, rs.block_start, new_stratum, max_deaths)
    return PartialLikelihood(float(loglik), score, info)


@njit(cache=CACHE)
def _log_binom(m, d):
    return math.lgamma(m + 1.0) - math.lgamma(d + 1.0) - math.lgamma(m - d + 1.0)


@njit(cache=CACHE)
def _exact_pass(X, beta, event, block_start, new_stratum, maxd):
    n, p = X.shape
    n_blocks = block_start.shape[0]
    M = np.zeros(maxd + 1)
    N1 = np.zeros((maxd + 1, p))
    N2 = np.zeros((maxd + 1, p, p))
    score = np.zeros(p)
    info = np.zeros((p, p))
    loglik = 0.0
    m = 0
    for b in range(n_blocks):
        if new_stratum[b]:
            M[:] = 0.0
            N1[:] = 0.0
            N2[:] = 0.0
            M[0] = 1.0
            m = 0
        ndead = 0
        end = block_start[b + 1] if b + 1 < n_blocks else n
        for i in range(block_start[b], end):
            x = X[i]
            eta = 0.0
            for j in range(p):
                eta += x[j] * beta[j]
            r = np.exp(eta)
            m += 1
            for k in range(min(m, maxd), 0, -1):  # descending: level k - 1 still holds m - 1
                keep = (m - k) / m
                add = k / m * r
                e_prev = M[k - 1]
                for j in range(p):
                    for q in range(j, p):
                        N2[k, j, q] = keep * N2[k, j, q] + add * (
                            x[j] * x[q] * e_prev + x[j] * N1[k - 1, q] + x[q] * N1[k - 1, j] + N2[k - 1, j, q])
                for j in range(p):
                    N1[k, j] = keep * N1[k, j] + add * (x[j] * e_prev + N1[k - 1, j])
                M[k] = keep * M[k] + add * e_prev
            if event[i]:
                ndead += 1
                loglik += eta
                for j in range(p):
                    score[j] += x[j]
        if ndead > 0:
            e = M[ndead]
            loglik -= np.log(e) + _log_binom(m, ndead)
            for j in range(p):
                mj = N1[ndead, j] / e
                score[j] -= mj
                for q in range(j, p):
                    info[j, q] += N2[ndead, j, q] / e - mj * N1[ndead, q] / e
    for j in range(p):
        for q in range(j):
            info[j, q] = info[q, j]
    return loglik, score, info
