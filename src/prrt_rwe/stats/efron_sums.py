"""Sums over the virtual deaths of each death group (Efron's approximation), compiled.

A group of d tied deaths with risk-set sum S0, deaths' sum S0d and deaths' weight W has
(R ``coxfit6.c``) d virtual deaths k = 0..d-1 with down-weight f = k/d, weight wt = W/d
and denominator D = S0 - f S0d; Breslow (or d = 1) is one virtual death, f = 0, wt = W.
Every Cox computation needs only these per-group sums, so the (events)-long arrays are
never formed:

    logd = sum wt log D,  c1 = sum wt / D,  c1f = sum wt f / D,
    q0 = sum wt / D^2,  q1 = sum wt f / D^2,  q2 = sum wt f^2 / D^2,
    inv = sum 1 / D,  finv = sum f / D,  count = number of virtual deaths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit

__all__ = ["VirtualSums", "virtual_sums", "group_virtual_sums"]


@dataclass(frozen=True)
class VirtualSums:
    logd: np.ndarray
    c1: np.ndarray
    c1f: np.ndarray
    q0: np.ndarray
    q1: np.ndarray
    q2: np.ndarray
    inv: np.ndarray
    finv: np.ndarray
    count: np.ndarray


@njit(cache=CACHE)
def group_virtual_sums(s0, s0d, d, deadwt):
    """One group's sums (logd, c1, c1f, q0, q1, q2, inv, finv) over its d virtual deaths
    (d = 1 for Breslow)."""
    wt = deadwt / d
    logd = c1 = c1f = q0 = q1 = q2 = inv_sum = finv = 0.0
    for k in range(d):
        f = k / d
        inv = 1.0 / (s0 - f * s0d)
        logd -= wt * np.log(inv)
        c1 += wt * inv
        c1f += wt * f * inv
        q0 += wt * inv * inv
        q1 += wt * f * inv * inv
        q2 += wt * f * f * inv * inv
        inv_sum += inv
        finv += f * inv
    return logd, c1, c1f, q0, q1, q2, inv_sum, finv


@njit(cache=CACHE)
def _sums(s0, s0d, ndead, deadwt, efron):
    n_groups = s0.shape[0]
    out = np.zeros((9, n_groups))
    for g in range(n_groups):
        d = ndead[g] if efron else 1
        sums = group_virtual_sums(s0[g], s0d[g], d, deadwt[g])
        for j in range(8):
            out[j, g] = sums[j]
        out[8, g] = d
    return out


def virtual_sums(s0, s0d, ndead, deadwt, ties: str) -> VirtualSums:
    """Per death group sums over its virtual deaths (``ties``: "efron" or "breslow")."""
    out = _sums(np.asarray(s0, float), np.asarray(s0d, float), np.asarray(ndead, np.int64),
                np.asarray(deadwt, float), ties == "efron")
    return VirtualSums(*out)
