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


@njit(cache=True)
def _split(tree, node, total, x):
    """Weights (greater, smaller, tied) than score rank ``x`` in a Fenwick tree."""
    smaller = _prefix(tree, x)
    tied = node[x]
    return total - smaller - tied, smaller, tied


@njit(cache=True)
def _put(tree, node, x, w):
    _add(tree, x, w)
    node[x] += w


@njit(cache=True)
def _clear(tree, node, x):
    i = x + 1
    while i < tree.shape[0]:
        tree[i] = 0.0
        i += i & (-i)
    node[x] = 0.0


@njit(cache=True)
def counting_sweep(seg, o2, o1, time, entry, event, x, w, n_ranks):
    """R ``concordance4`` (survival ``src/concordance3.c``) for (start, stop] data, one stratum
    at a time (``seg``: stratum boundaries in both orders).  ``o2``: rows by stop time
    descending, censored before events at a time, then score rank; ``o1``: rows by entry
    descending.  Sweeping down in time, a row joins the tree of rows at risk at its stop and
    leaves it once an event time reaches its entry; each event is compared with the rows
    at risk.  Returns counts (concordant, discordant, tied.x, tied.y, tied.xy) and the
    influence (n, 3): per row the weight of its partners by the first three types."""
    n = o2.shape[0]
    tree, node = np.zeros(n_ranks + 1), np.zeros(n_ranks)
    dtree, dnode = np.zeros(n_ranks + 1), np.zeros(n_ranks)
    imat = np.zeros((n, 3))
    count = np.zeros(5)
    for s in range(seg.shape[0] - 1):
        lo, hi = seg[s], seg[s + 1]
        total, dtotal = 0.0, 0.0
        i, i2 = lo, lo
        while i < hi:
            ii = o2[i]
            if event[ii] == 0:
                g, sm, t = _split(dtree, dnode, dtotal, x[ii])
                imat[ii, 0] -= sm
                imat[ii, 1] -= g
                imat[ii, 2] -= t
                _put(tree, node, x[ii], w[ii])
                total += w[ii]
                i += 1
                continue
            while i2 < hi and entry[o1[i2]] >= time[ii]:
                jj = o1[i2]
                g, sm, t = _split(dtree, dnode, dtotal, x[jj])
                imat[jj, 0] += sm
                imat[jj, 1] += g
                imat[jj, 2] += t
                _put(tree, node, x[jj], -w[jj])
                total -= w[jj]
                i2 += 1
            ndeath, dwt, dwt2 = 0, 0.0, 0.0
            xsave = x[ii]
            j = i
            while j < hi and time[o2[j]] == time[ii]:
                jj = o2[j]
                ndeath += 1
                count[3] += w[jj] * dwt
                dwt += w[jj]
                if x[jj] != xsave:
                    dwt2 = 0.0
                    xsave = x[jj]
                count[4] += w[jj] * dwt2
                dwt2 += w[jj]
                g, sm, t = _split(tree, node, total, x[jj])
                count[0] += w[jj] * g
                count[1] += w[jj] * sm
                count[2] += w[jj] * t
                imat[jj, 0] += g
                imat[jj, 1] += sm
                imat[jj, 2] += t
                _put(dtree, dnode, x[jj], w[jj])
                dtotal += w[jj]
                j += 1
            for k in range(i, i + ndeath):
                jj = o2[k]
                g, sm, t = _split(dtree, dnode, dtotal, x[jj])
                imat[jj, 0] -= sm
                imat[jj, 1] -= g
                imat[jj, 2] -= t
                _put(tree, node, x[jj], w[jj])
                total += w[jj]
            i += ndeath
        while i2 < hi:
            jj = o1[i2]
            g, sm, t = _split(dtree, dnode, dtotal, x[jj])
            imat[jj, 0] += sm
            imat[jj, 1] += g
            imat[jj, 2] += t
            i2 += 1
        for k in range(lo, hi):
            _clear(tree, node, x[o2[k]])
            _clear(dtree, dnode, x[o2[k]])
    count[3] -= count[4]
    return count, imat
