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

MIN_ROWS = 200_000  # right-censored data from this size: the pass runs in parallel chunks (cox_chunks)
from prrt_rwe.stats.risk_sets import RiskSets, death_sums, risk_set_sums, row_range_sums

__all__ = ["GroupSums", "group_sums", "weighted_mean_sum", "PartialLikelihood", "partial_likelihood",
           "likelihood_evaluator",
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
    s0 = risk_set_sums(rs, r)
    s1 = risk_set_sums(rs, r, Xs)
    vs = virtual_sums(s0, death_sums(rs, r), rs.group_ndead, rs.group_deadwt, rs.ties)
    return GroupSums(s1=s1, s1d=death_sums(rs, r, Xs), vs=vs, risk=r)


def weighted_mean_sum(gs: GroupSums, c: np.ndarray, cf: np.ndarray) -> np.ndarray:
    """Per group sum_k (c_k D_k xbar_k) given c = sum_k c_k, cf = sum_k c_k f_k: S1 c - S1d cf."""
    return gs.s1 * c[:, None] - gs.s1d * cf[:, None]


def partial_likelihood(rs: RiskSets, Xs: np.ndarray, beta: np.ndarray) -> PartialLikelihood:
    """Log partial likelihood, score vector and information matrix at ``beta``."""
    return likelihood_evaluator(rs, Xs)(beta)


def likelihood_evaluator(rs: RiskSets, Xs: np.ndarray):
    """``beta -> PartialLikelihood`` for repeated evaluation (Newton-Raphson): the layout is
    prepared once — for (start, stop] data a copy of the rows in entry order, so that the
    rows leaving the risk sets are read sequentially."""
    block_stratum = rs.stratum_s[rs.block_start]
    new_stratum = np.concatenate(([True], block_stratum[1:] != block_stratum[:-1]))
    X = np.ascontiguousarray(Xs, dtype=float)
    efron = rs.ties == "efron"
    if rs.counting:
        eo = rs.entry_order
        eo = eo[rs.leaving()[eo]]  # the other rows never leave before an event time
        X_entry, w_entry, a_entry, s_entry = np.take(X, eo, axis=0), rs.weight_s[eo], rs.entry_s[eo], rs.stratum_s[eo]
    else:
        X_entry, w_entry, a_entry = np.empty((0, X.shape[1])), np.empty(0), np.empty(0)
        s_entry = np.empty(0, dtype=rs.stratum_s.dtype)

    if not rs.counting and rs.n >= MIN_ROWS:
        from prrt_rwe.stats.cox_chunks import chunked_pass

        def evaluate(beta):
            out = chunked_pass(X, np.asarray(beta, dtype=float), rs.weight_s, rs.event_s, rs.block_start,
                               new_stratum, efron)
            return PartialLikelihood(out[0], out[1], out[2])
        return evaluate

    def evaluate(beta):
        out = _one_pass(X, np.asarray(beta, dtype=float), rs.weight_s, rs.event_s, rs.block_start, new_stratum,
                        efron, rs.time_s, rs.stratum_s, X_entry, w_entry, a_entry, s_entry)
        return PartialLikelihood(float(out[0]), out[1], out[2])
    return evaluate


@njit(cache=CACHE)
def _add_row(x, r, s1, s2):
    """s1 += r x, s2 += r x x' with s2 the p x p matrix as a flat vector (the full square on
    contiguous memory vectorises; the triangle or a 2-d array do not, and run 1.5-2x slower)."""
    p = x.shape[0]
    for j in range(p):
        xr = r * x[j]
        s1[j] += xr
        base = j * p
        for k in range(p):
            s2[base + k] += xr * x[k]


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
            info[j, m] += s2[j * p + m] * c1 - s2d[j * p + m] * c1f - outer


@njit(cache=CACHE)
def _one_pass(X, beta, w, event, block_start, new_stratum, efron, time, stratum, X_entry, w_entry, a_entry,
              s_entry):
    """The pass over the sorted rows (R ``coxfit6.c``; ``agfit4.c`` for (start, stop] data): a
    row joins the running sums at its stop time; with (start, stop] data it leaves them once
    the sweep (time descending) reaches its entry time (entry >= t: not at risk at t).  The
    leaving rows come from a copy in (stratum, entry descending) order (``*_entry``, empty
    for right-censored data); their risk score is recomputed, bit for bit the value that
    was added."""
    n, p = X.shape
    n_entry = X_entry.shape[0]
    nonzero = False
    for j in range(p):
        nonzero = nonzero or beta[j] != 0.0
    n_blocks = block_start.shape[0]
    s1, s1d, score = np.zeros(p), np.zeros(p), np.zeros(p)
    s2, s2d, info = np.zeros(p * p), np.zeros(p * p), np.zeros((p, p))
    s0, loglik = 0.0, 0.0
    at_risk = 0
    ptr = 0
    for b in range(n_blocks):
        start = block_start[b]
        end = block_start[b + 1] if b + 1 < n_blocks else n
        cur = stratum[start]
        if new_stratum[b]:
            s0 = 0.0
            s1[:] = 0.0
            s2[:] = 0.0
            at_risk = 0
            while ptr < n_entry and s_entry[ptr] < cur:
                ptr += 1
        s0d, deadwt, ndead = 0.0, 0.0, 0
        s1d[:] = 0.0
        s2d[:] = 0.0
        for i in range(start, end):
            eta, r = 0.0, w[i]
            if nonzero:  # at beta = 0 (the first evaluation) every risk score is the weight
                for j in range(p):
                    eta += X[i, j] * beta[j]
                r = w[i] * np.exp(eta)
            at_risk += 1
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
        t = time[start]
        while ptr < n_entry and s_entry[ptr] == cur and a_entry[ptr] >= t:
            eta, r = 0.0, w_entry[ptr]
            if nonzero:
                for j in range(p):
                    eta += X_entry[ptr, j] * beta[j]
                r = w_entry[ptr] * np.exp(eta)
            s0 -= r
            _add_row(X_entry[ptr], -r, s1, s2)
            at_risk -= 1
            ptr += 1
        if at_risk == 0:  # nobody left: drop the round-off of adding and removing
            s0 = 0.0
            s1[:] = 0.0
            s2[:] = 0.0
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
    coef = row_range_sums(rs, c1)
    dead = rs.death_rows
    coef[dead] -= c1f[rs.death_group]
    first = weighted_crossprod(Xs, gs.risk * coef)
    cross = (gs.s1 * q1[:, None]).T @ gs.s1d
    second = (gs.s1 * q0[:, None]).T @ gs.s1 - cross - cross.T + (gs.s1d * q2[:, None]).T @ gs.s1d
    info = first - second
    return (info + info.T) / 2
