"""Harrell's concordance for right-censored data, as R survival ``concordancefit``.

Definition (R survival 3.x, ``timewt = "n"``, the one ``coxph`` and ``summary(coxph)``
report): a pair is comparable when the shorter time is an event (a censored time equal to
an event time counts as longer); pairs tied on time with both events are ``tied.y`` and
not comparable.  Comparable pairs are concordant, discordant, or tied on the score
(``tied.x``, counted 1/2).  Case weights count a pair w_i w_j; only pairs within a stratum
are compared.  concordance = (concordant + tied.x / 2) / (concordant + discordant + tied.x).
For a Cox model the score is the linear predictor with ``reverse = True`` (a higher risk
score should mean a shorter time).

The standard error is R's infinitesimal-jackknife one (``std`` = sqrt(var); the dfbeta
are summed within cluster when given).  Each subject's influence counts, over the
comparable pairs it belongs to, the weight of the other member by pair type, exactly the
``imat`` of R's ``src/concordance3.c``.

Algorithm: O(n log S).  Rows get a time "slot" (stratum, time descending, censored before
events at the same time), so the comparators of an event are the slots before its own in
the stratum and the events a row is compared with are the event slots after its own.
Rows are swept in increasing score, one group of tied scores at a time, with two Fenwick
trees over the slots (all rows; events): a prefix query before and after inserting the
group splits every range into smaller / tied / larger score.  S (the number of slots) is
small when times are tied, so the trees stay in cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from prrt_rwe.stats.risk_sets import RiskSets, risk_sets

__all__ = ["Concordance", "concordance", "concordance_sorted"]


@dataclass(frozen=True)
class Concordance:
    concordance: float
    std: float
    concordant: float
    discordant: float
    tied_x: float
    tied_y: float
    tied_xy: float
    reverse: bool


@njit(cache=True)
def _add(tree, i, w):
    i += 1
    while i < tree.shape[0]:
        tree[i] += w
        i += i & (-i)


@njit(cache=True)
def _prefix(tree, i):  # sum over slots 0..i-1
    s = 0.0
    while i > 0:
        s += tree[i]
        i -= i & (-i)
    return s


@njit(cache=True)
def _sweep(tie_start, slot, w, lo_of, hi_of, cs_r, cs_d):
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


def _slot_tables(rs: RiskSets):
    """Per slot (2 * block + event): first and last slot of its stratum; cumulative
    weights of all rows and of events over slots."""
    n_blocks = int(rs.row_block[-1]) + 1
    block_stratum = rs.stratum_s[rs.block_start]
    new_stratum = np.concatenate(([True], block_stratum[1:] != block_stratum[:-1]))
    sid = np.cumsum(new_stratum) - 1
    first_block = np.flatnonzero(new_stratum)
    last_block = np.append(first_block[1:] - 1, n_blocks - 1)
    lo_of = np.repeat(2 * first_block[sid], 2)
    hi_of = np.repeat(2 * last_block[sid] + 1, 2)
    slot = 2 * rs.row_block + rs.event_s
    ev_w = np.where(rs.event_s, rs.weight_s, 0.0)
    cs_r = np.concatenate(([0.0], np.cumsum(np.bincount(slot, weights=rs.weight_s, minlength=2 * n_blocks))))
    cs_d = np.concatenate(([0.0], np.cumsum(np.bincount(slot, weights=ev_w, minlength=2 * n_blocks))))
    return slot, lo_of, hi_of, cs_r, cs_d


def _tied_time_pairs(rs: RiskSets, slot_by_score, w_by_score, tie_start):
    """Weighted pairs of events tied on time (tied.y) and of those also tied on score."""
    tied_y = _pairs(rs.death_group, rs.weight_s[rs.death_rows])
    size = np.diff(tie_start)
    in_tie = np.repeat(size > 1, size) & (slot_by_score & 1).astype(bool)
    if not in_tie.any():
        return tied_y, 0.0
    tie_id = np.repeat(np.arange(size.shape[0]), size)[in_tie]
    key = tie_id.astype(np.int64) * (int(slot_by_score.max()) + 1) + slot_by_score[in_tie]
    _, by_xy = np.unique(key, return_inverse=True)
    tied_xy = _pairs(by_xy, w_by_score[in_tie])
    return tied_y - tied_xy, tied_xy


def _pairs(group, w) -> float:
    s = np.bincount(group, weights=w)
    s2 = np.bincount(group, weights=w * w)
    return float(np.sum(s * s - s2) / 2)


def concordance_sorted(rs: RiskSets, score_s: np.ndarray, *, cluster_s=None, reverse=True) -> Concordance:
    """Concordance from a risk-set layout; ``score_s`` (and ``cluster_s``) in sorted order."""
    slot, lo_of, hi_of, cs_r, cs_d = _slot_tables(rs)
    by_score = np.argsort(score_s)
    ss = score_s[by_score]
    tie_start = np.flatnonzero(np.concatenate(([True], ss[1:] != ss[:-1], [True])))
    slot_b, w_b = slot[by_score], rs.weight_s[by_score]
    count, infl = _sweep(tie_start, slot_b, w_b, lo_of, hi_of, cs_r, cs_d)
    tied_y, tied_xy = _tied_time_pairs(rs, slot_b, w_b, tie_start)
    cluster_b = None if cluster_s is None else cluster_s[by_score]
    return _assemble(count, tied_y, tied_xy, infl, w_b, cluster_b, reverse)


def concordance(time, event, score, *, weights=None, strata=None, cluster=None, reverse=True) -> Concordance:
    """Concordance of ``score`` with survival; ``reverse=True`` for Cox risk scores.
    ``strata``/``cluster``: integer codes (see survival_data)."""
    rs = risk_sets(time, event, weights, strata)
    cluster_s = None if cluster is None else np.asarray(cluster)[rs.order]
    return concordance_sorted(rs, np.asarray(score, dtype=float)[rs.order], cluster_s=cluster_s,
                              reverse=reverse)


def _assemble(count, tied_y, tied_xy, influence, w, cluster_s, reverse) -> Concordance:
    npair = count.sum()
    somer = (count[0] - count[1]) / npair
    a, b, t = influence
    dfbeta = ((a - b) - (a + b + t) * somer) * w / (2 * npair)
    if cluster_s is not None:
        dfbeta = np.bincount(cluster_s, weights=dfbeta)
    conc = (somer + 1) / 2
    concordant, discordant = count[0], count[1]
    if reverse:
        conc, concordant, discordant = 1 - conc, count[1], count[0]
    return Concordance(
        concordance=float(conc),
        std=float(np.sqrt(np.sum(dfbeta**2))),
        concordant=float(concordant),
        discordant=float(discordant),
        tied_x=float(count[2]),
        tied_y=float(tied_y),
        tied_xy=float(tied_xy),
        reverse=reverse,
    )
