"""The Newton-Raphson pass of :mod:`prrt_rwe.stats.cox_efron` over large right-censored data,
split into chunks of rows that run in parallel (numba ``prange``).

The sequential pass keeps running sums S0, S1 = sum r x and S2 = sum r x x' down the sorted
rows.  Here (1) every row's risk score r = w exp(eta) and every block's sums of r are
computed chunk by chunk; (2) one short sequential sweep over the blocks turns them into each
death group's S0 and its virtual-death sums (Efron/Breslow: logd, c1, c1f, q0, q1, q2 of
:mod:`prrt_rwe.stats.efron_sums`); (3) each chunk accumulates S1 and S2 from zero and adds
its groups' score and information terms.  A group's true sums are S = P + L, P the sums of
the earlier chunks' rows of the same stratum; the terms are linear or quadratic in S, so a
chunk also returns sum c1, sum q0, sum q0 L1 and sum q1 S1d over its groups in the
stratum it starts in, and the corrections are added in chunk order:

    score -= P1 sum c1;   info += P2 sum c1 - P1 P1' sum q0 - (P1 V0' + V0 P1') + (P1 V1' + V1 P1').

The number of chunks is fixed (``CHUNKS``), not the number of threads, so the result does
not depend on the machine; it equals the sequential pass up to rounding.
"""

from __future__ import annotations

import numpy as np

from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit, prange

from prrt_rwe.stats.cox_efron import _add_row
from prrt_rwe.stats.efron_sums import group_virtual_sums

__all__ = ["CHUNKS", "chunked_pass"]

CHUNKS = 8


def chunk_bounds(block_start: np.ndarray, n: int, chunks: int = CHUNKS) -> np.ndarray:
    """Block indices splitting the rows into ``chunks`` parts of about equal size."""
    targets = np.arange(1, chunks) * (n / chunks)
    cuts = np.searchsorted(block_start, targets, side="left")
    return np.unique(np.concatenate(([0], cuts, [block_start.shape[0]])))


def chunked_pass(X, beta, w, event, block_start, new_stratum, efron):
    """(loglik, score, information) as ``cox_efron._one_pass`` for right-censored data."""
    n = X.shape[0]
    bounds = chunk_bounds(block_start, n)
    block_end = np.append(block_start[1:], n)
    r, eta_dead, block_r, block_rd, block_nd, block_wd = _risk_scores(X, beta, w, event, block_start, block_end,
                                                                      bounds)
    vs = _group_sums(block_r, block_rd, block_nd, block_wd, new_stratum, efron)
    loglik = eta_dead - vs[0].sum()
    return _accumulate(X, r, w, event, block_start, block_end, new_stratum, bounds, vs, loglik)


@njit(cache=CACHE, parallel=True)
def _risk_scores(X, beta, w, event, block_start, block_end, bounds):
    n, p = X.shape
    n_blocks = block_start.shape[0]
    r = np.empty(n)
    block_r, block_rd, block_wd = np.zeros(n_blocks), np.zeros(n_blocks), np.zeros(n_blocks)
    block_nd = np.zeros(n_blocks, dtype=np.int64)
    chunks = bounds.shape[0] - 1
    eta_dead = np.zeros(chunks)
    for c in prange(chunks):
        for b in range(bounds[c], bounds[c + 1]):
            for i in range(block_start[b], block_end[b]):
                eta = 0.0
                for j in range(p):
                    eta += X[i, j] * beta[j]
                ri = w[i] * np.exp(eta)
                r[i] = ri
                block_r[b] += ri
                if event[i]:
                    block_rd[b] += ri
                    block_nd[b] += 1
                    block_wd[b] += w[i]
                    eta_dead[c] += w[i] * eta
    return r, eta_dead.sum(), block_r, block_rd, block_nd, block_wd


@njit(cache=CACHE)
def _group_sums(block_r, block_rd, block_nd, block_wd, new_stratum, efron):
    """Per block holding deaths: logd, c1, c1f, q0, q1, q2 (zeros elsewhere)."""
    n_blocks = block_r.shape[0]
    out = np.zeros((6, n_blocks))
    s0 = 0.0
    for b in range(n_blocks):
        if new_stratum[b]:
            s0 = 0.0
        s0 += block_r[b]
        if block_nd[b] > 0:
            sums = group_virtual_sums(s0, block_rd[b], block_nd[b] if efron else 1, block_wd[b])
            for k in range(6):
                out[k, b] = sums[k]
    return out


@njit(cache=CACHE, parallel=True)
def _chunk_terms(X, r, event, block_start, block_end, new_stratum, bounds, vs):
    n, p = X.shape
    pp = p * p
    chunks = bounds.shape[0] - 1
    score = np.zeros((chunks, p))
    info = np.zeros((chunks, pp))
    lin = np.zeros((chunks, 2))  # sum c1, sum q0 over the first segment
    vec = np.zeros((chunks, 2, p))  # sum q0 L1, sum q1 S1d over the first segment
    tot1 = np.zeros((chunks, p))  # L1, L2 at the chunk's end (its last segment)
    tot2 = np.zeros((chunks, pp))
    reset = np.zeros(chunks, dtype=np.bool_)
    for c in prange(chunks):
        s1, s1d = np.zeros(p), np.zeros(p)
        s2, s2d = np.zeros(pp), np.zeros(pp)
        first = True
        for b in range(bounds[c], bounds[c + 1]):
            if new_stratum[b] and b > bounds[c]:
                s1[:] = 0.0
                s2[:] = 0.0
                first = False
                reset[c] = True
            s1d[:] = 0.0
            s2d[:] = 0.0
            for i in range(block_start[b], block_end[b]):
                if event[i]:
                    _add_row(X[i], r[i], s1d, s2d)
                else:
                    _add_row(X[i], r[i], s1, s2)
            for j in range(p):
                s1[j] += s1d[j]
            for j in range(pp):
                s2[j] += s2d[j]
            c1, c1f, q0, q1, q2 = vs[1, b], vs[2, b], vs[3, b], vs[4, b], vs[5, b]
            if c1 == 0.0:  # no deaths in the block (c1 > 0 wherever a death is)
                continue
            for j in range(p):
                score[c, j] -= s1[j] * c1 - s1d[j] * c1f
                for m in range(p):
                    outer = q0 * s1[j] * s1[m] - q1 * (s1[j] * s1d[m] + s1d[j] * s1[m]) + q2 * s1d[j] * s1d[m]
                    info[c, j * p + m] += s2[j * p + m] * c1 - s2d[j * p + m] * c1f - outer
            if first:
                lin[c, 0] += c1
                lin[c, 1] += q0
                for j in range(p):
                    vec[c, 0, j] += q0 * s1[j]
                    vec[c, 1, j] += q1 * s1d[j]
        tot1[c] = s1
        tot2[c] = s2
    return score, info, lin, vec, tot1, tot2, reset


def _accumulate(X, r, w, event, block_start, block_end, new_stratum, bounds, vs, loglik):
    p = X.shape[1]
    score_c, info_c, lin, vec, tot1, tot2, reset = _chunk_terms(X, r, event, block_start, block_end, new_stratum,
                                                                bounds, vs)
    score = _dead_x(X, w, event)
    info = np.zeros((p, p))
    p1, p2 = np.zeros(p), np.zeros((p, p))
    for c in range(bounds.shape[0] - 1):
        if c > 0:
            if new_stratum[bounds[c]]:
                p1, p2 = np.zeros(p), np.zeros((p, p))
            else:
                keep = 0.0 if reset[c - 1] else 1.0
                p1 = keep * p1 + tot1[c - 1]
                p2 = keep * p2 + tot2[c - 1].reshape(p, p)
        score += score_c[c] - p1 * lin[c, 0]
        v0, v1 = vec[c, 0], vec[c, 1]
        info += (info_c[c].reshape(p, p) + p2 * lin[c, 0] - lin[c, 1] * np.outer(p1, p1)
                 - np.outer(p1, v0) - np.outer(v0, p1) + np.outer(p1, v1) + np.outer(v1, p1))
    return float(loglik), score, (info + info.T) / 2


@njit(cache=CACHE)
def _dead_x(X, w, event):
    n, p = X.shape
    out = np.zeros(p)
    for i in range(n):
        if event[i]:
            for j in range(p):
                out[j] += w[i] * X[i, j]
    return out
