"""Cox partial log-likelihood, score and information (Efron or Breslow ties), vectorised.

Same quantities as R survival's ``coxfit6_iter`` (src/coxfit6.c), computed in O(n p^2)
per evaluation instead of a loop over subjects:

* risk-set sums S0 = sum w e^eta and S1 = sum w e^eta x are block sums accumulated over
  the blocks of a stratum (rows sorted by stratum, time descending:
  :mod:`prrt_rwe.stats.risk_sets`); the deaths' own sums S0d, S1d likewise;
* Efron virtual death k of a group with d deaths has denominator D_k = S0 - f_k S0d
  (f_k = k/d), mean xbar_k = (S1 - f_k S1d) / D_k and weight wt_k = deadwt/d; Breslow is
  the case of one virtual death with f = 0 and weight deadwt;
* every sum over virtual deaths is regrouped per death group with scalar coefficients
  (:mod:`prrt_rwe.stats.efron_sums`), e.g. sum_k wt_k xbar_k = S1 c1 - S1d c1f with
  c1 = sum_k wt_k/D_k, c1f = sum_k wt_k f_k/D_k, so nothing of size (events x p) is formed;
* the information sum_k wt_k [S2_k / D_k - xbar_k xbar_k'] becomes
  X' diag(w e^eta (C_i - [dead] c1f_g)) X - sum_g (q0 S1 S1' - q1 (S1 S1d' + S1d S1') + q2 S1d S1d')
  where C_i sums c1 over the groups whose risk set holds subject i and q_j = sum_k wt_k f_k^j / D_k^2.

The Newton-Raphson evaluation (``partial_likelihood``) is instead one compiled pass over
the sorted rows, as ``coxfit6_iter``: running sums S0, S1, S2 = sum w e^eta x x' over the
stratum's rows so far, and at the end of each (stratum, time) block holding deaths the
group's virtual deaths add their log D, score and information terms, regrouped as above
(the information's first term becomes S2 c1 - S2d c1f).  No n-long temporaries, one read
of X per evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit

from prrt_rwe.stats.efron_sums import VirtualSums, group_virtual_sums, virtual_sums
from prrt_rwe.stats.risk_sets import RiskSets, block_sums, death_sums, group_range_sums, within_stratum_sums

__all__ = ["GroupSums", "group_sums", "weighted_mean_sum", "PartialLikelihood", "partial_likelihood",
           "information", "weighted_crossprod"]


@dataclass(frozen=True)
class GroupSums:
    """Risk-set sums per death group and the sums over its virtual deaths."""

    s1: np.ndarray  # (G, p) sum over the risk set of w e^eta x
    s1d: np.ndarray  # (G, p) the same over the group's deaths
    vs: VirtualSums  # per group sums over the virtual deaths (1/D, log D, ...)
    risk: np.ndarray  # (n,) sorted rows: w * exp(eta)


@dataclass(frozen=True)
class PartialLikelihood:
    loglik: float
    score: np.ndarray  # (p,)
    information: np.ndarray  # (p, p)


def group_sums(rs: RiskSets, Xs: np.ndarray, eta_s: np.ndarray) -> GroupSums:
    """Risk-set sums of every death group; ``Xs``/``eta_s`` in sorted order."""
    r = rs.weight_s * np.exp(eta_s)
    s0 = within_stratum_sums(rs, block_sums(rs, r))
    s1 = within_stratum_sums(rs, block_sums(rs, r, Xs))
    vs = virtual_sums(s0, death_sums(rs, r), rs.group_ndead, rs.group_deadwt, rs.ties)
    return GroupSums(s1=s1, s1d=death_sums(rs, r, Xs), vs=vs, risk=r)


def weighted_mean_sum(gs: GroupSums, c: np.ndarray, cf: np.ndarray) -> np.ndarray:
    """Per group sum_k (c_k D_k xbar_k) given c = sum_k c_k, cf = sum_k c_k f_k: S1 c - S1d cf."""
    return gs.s1 * c[:, None] - gs.s1d * cf[:, None]


def partial_likelihood(rs: RiskSets, Xs: np.ndarray, beta: np.ndarray) -> PartialLikelihood:
    """Log partial likelihood, score vector and information matrix at ``beta``."""
    block_stratum = rs.stratum_s[rs.block_start]
    new_stratum = np.concatenate(([True], block_stratum[1:] != block_stratum[:-1]))
    loglik, score, info = _one_pass(np.ascontiguousarray(Xs, dtype=float), np.asarray(beta, dtype=float),
                                    rs.weight_s, rs.event_s, rs.block_start, new_stratum, rs.ties == "efron")
    return PartialLikelihood(float(loglik), score, info)


@njit(cache=CACHE)
def _add_row(x, r, s1, s2):
    p = x.shape[0]
    for j in range(p):
        xr = r * x[j]
        s1[j] += xr
        for k in range(p):
            s2[j, k] += xr * x[k]


@njit(cache=CACHE)
def _add_group(s1, s2, s1d, s2d, c1, c1f, q0, q1, q2, score, info):
    """A death group's share of the score and the information (upper triangle), from its
    virtual-death sums: -(S1 c1 - S1d c1f) and S2 c1 - S2d c1f - (q0 S1 S1' - q1 (S1 S1d' +
    S1d S1') + q2 S1d S1d')."""
    p = s1.shape[0]
    for j in range(p):
        score[j] -= s1[j] * c1 - s1d[j] * c1f
        for m in range(j, p):
            outer = q0 * s1[j] * s1[m] - q1 * (s1[j] * s1d[m] + s1d[j] * s1[m]) + q2 * s1d[j] * s1d[m]
            info[j, m] += s2[j, m] * c1 - s2d[j, m] * c1f - outer


@njit(cache=CACHE)
def _one_pass(X, beta, w, event, block_start, new_stratum, efron):
    n, p = X.shape
    n_blocks = block_start.shape[0]
    s1, s1d, score = np.zeros(p), np.zeros(p), np.zeros(p)
    s2, s2d, info = np.zeros((p, p)), np.zeros((p, p)), np.zeros((p, p))
    s0, loglik = 0.0, 0.0
    for b in range(n_blocks):
        if new_stratum[b]:
            s0 = 0.0
            s1[:] = 0.0
            s2[:] = 0.0
        s0d, deadwt, ndead = 0.0, 0.0, 0
        s1d[:] = 0.0
        s2d[:] = 0.0
        end = block_start[b + 1] if b + 1 < n_blocks else n
        for i in range(block_start[b], end):
            eta = 0.0
            for j in range(p):
                eta += X[i, j] * beta[j]
            r = w[i] * np.exp(eta)
            if not event[i]:
                s0 += r
                _add_row(X[i], r, s1, s2)
            else:
                s0d += r
                _add_row(X[i], r, s1d, s2d)
                ndead += 1
                deadwt += w[i]
                loglik += w[i] * eta
                for j in range(p):
                    score[j] += w[i] * X[i, j]
        s0 += s0d
        s1 += s1d
        s2 += s2d
        if ndead > 0:
            logd, c1, c1f, q0, q1, q2, _, _ = group_virtual_sums(s0, s0d, ndead if efron else 1, deadwt)
            loglik -= logd
            _add_group(s1, s2, s1d, s2d, c1, c1f, q0, q1, q2, score, info)
    for j in range(p):
        for m in range(j):
            info[j, m] = info[m, j]
    return loglik, score, info


def weighted_crossprod(X: np.ndarray, v: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """X' diag(v) X, in row chunks so the weighted copy stays in cache."""
    out = np.zeros((X.shape[1], X.shape[1]))
    for start in range(0, X.shape[0], chunk):
        xc = X[start:start + chunk]
        out += (xc * v[start:start + chunk, None]).T @ xc
    return out


def information(rs: RiskSets, Xs: np.ndarray, gs: GroupSums, multiplier=None) -> np.ndarray:
    """sum_k m_g wt_k [S2_k / D_k - xbar_k xbar_k'] (m = 1 unless a per-group ``multiplier``
    is given: cox.zph uses g(t) and g(t)^2)."""
    m = 1.0 if multiplier is None else multiplier
    vs = gs.vs
    c1, c1f, q0, q1, q2 = (m * c for c in (vs.c1, vs.c1f, vs.q0, vs.q1, vs.q2))
    coef = group_range_sums(rs, c1)
    dead = rs.death_rows
    coef[dead] -= c1f[rs.death_group]
    first = weighted_crossprod(Xs, gs.risk * coef)
    cross = (gs.s1 * q1[:, None]).T @ gs.s1d
    second = (gs.s1 * q0[:, None]).T @ gs.s1 - cross - cross.T + (gs.s1d * q2[:, None]).T @ gs.s1d
    info = first - second
    return (info + info.T) / 2
