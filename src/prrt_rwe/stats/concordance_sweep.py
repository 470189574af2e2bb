"""The compiled kernel of :mod:`prrt_rwe.stats.concordance`: one sweep over the rows in
increasing score with two Fenwick (binary indexed) trees over the time slots.

Kept apart so that numba is imported (and the kernel loaded from its cache, compiled on
the very first run) only when a concordance is computed.
"""

from __future__ import annotations

import numpy as np
from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit

__all__ = ["sweep"]


@njit(cache=CACHE)
def _add(tree, i, w):
    i += 1
    while i < tree.shape[0]:
        tree[i] += w
        i += i & (-i)


@njit(cache=CACHE)
def _prefix(tree, i):  # sum over slots 0..i-1
    s = 0.0
    while i > 0:
        s += tree[i]
        i -= i & (-i)
    return s


@njit(cache=CACHE)
def sweep(tie_start, slot, w, lo_of, hi_of, cs_r, cs_d):
    """Rows in increasing score (groups of equal score between ``tie_start`` entries);
    ``slot`` = 2 * block + event.  Returns the pair counts (comparator score larger,
    smaller, tied) and, per row in this order, the weight of the other members of its
    comparable pairs by the same three types."""
    n = slot.shape[0]
    n_slots = lo_of.shape[0]
    tree = np.zeros(n_slots + 1)
    dtree = np.zeros(n_slots + 1)
    lt_r = np.zeros(n)
    lt_d = np.zeros(n)
    infl = np.zeros((3, n))
    count = np.zeros(3)
    for g in range(tie_start.shape[0] - 1):
        a, b = tie_start[g], tie_start[g + 1]
        for k in range(a, b):
            s = slot[k]
            if s & 1:
                lt_r[k] = _prefix(tree, s) - _prefix(tree, lo_of[s])
            lt_d[k] = _prefix(dtree, hi_of[s] + 1) - _prefix(dtree, s + 1)
        for k in range(a, b):
            _add(tree, slot[k], w[k])
            if slot[k] & 1:
                _add(dtree, slot[k], w[k])
        for k in range(a, b):
            s = slot[k]
            le_d = _prefix(dtree, hi_of[s] + 1) - _prefix(dtree, s + 1)
            tot_d = cs_d[hi_of[s] + 1] - cs_d[s + 1]
            larger, smaller, tied = lt_d[k], tot_d - le_d, le_d - lt_d[k]
            if s & 1:
                le_r = _prefix(tree, s) - _prefix(tree, lo_of[s])
                tot_r = cs_r[s] - cs_r[lo_of[s]]
                count[0] += w[k] * (tot_r - le_r)
                count[1] += w[k] * lt_r[k]
                count[2] += w[k] * (le_r - lt_r[k])
                larger += tot_r - le_r
                smaller += lt_r[k]
                tied += le_r - lt_r[k]
            infl[0, k] = larger
            infl[1, k] = smaller
            infl[2, k] = tied
    return count, infl



@njit(cache=CACHE)
def merge_blocks(time, stratum, entry, copies):
    """Time blocks of the rows (sorted by stratum, time descending) and of entry copies
    (``copies``: rows by stratum, entry descending) merged: a block per distinct (stratum,
    time) of either.  Returns the block of each row, of each copy (indexed like the rows;
    -1 for rows without a copy) and the stratum of each block."""
    n, m = time.shape[0], copies.shape[0]
    block_row = np.empty(n, dtype=np.intp)
    block_copy = np.full(n, -1, dtype=np.intp)
    block_stratum = np.empty(n + m, dtype=stratum.dtype)
    i = k = 0
    b = -1
    last_s, last_t = -1, np.nan
    while i < n or k < m:
        take_row = k >= m
        if not take_row and i < n:
            c = copies[k]
            take_row = stratum[i] < stratum[c] or (stratum[i] == stratum[c] and time[i] >= entry[c])
        if take_row:
            s, t = stratum[i], time[i]
        else:
            c = copies[k]
            s, t = stratum[c], entry[c]
        if s != last_s or t != last_t:
            b += 1
            block_stratum[b] = s
            last_s, last_t = s, t
        if take_row:
            block_row[i] = b
            i += 1
        else:
            block_copy[copies[k]] = b
            k += 1
    return block_row, block_copy[copies], block_stratum[:b + 1]
