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

(start, stop] data follow R's ``concordance4``: an event at t is compared with the rows at
risk at t (entry < t <= stop).  Those are the rows with stop >= t less the rows with
entry >= t, so every count is the right-censored count of the rows minus that of a copy of
each row censored at its entry with weight -w (a row that enters at or after t counts as
"longer" than an event at t, exactly the right-censored tie rule); a row's influence is
the sum over its two copies.  One sweep of the fast algorithm above on 2n rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.risk_sets import RiskSets, risk_sets
from prrt_rwe.stats.survival_data import SurvivalDataError, survival_data
from prrt_rwe.stats.time_fix import fix_intervals, fix_times

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


def _counting(rs: RiskSets, score_s: np.ndarray, cluster_s, reverse) -> Concordance:
    n = rs.n
    # an entry copy below every event time of its stratum pairs with no event: left out
    keep = np.flatnonzero(rs.leaving())
    both = risk_sets(np.concatenate((rs.time_s, rs.entry_s[keep])),
                     np.concatenate((rs.event_s, np.zeros(keep.shape[0], bool))),
                     np.concatenate((rs.weight_s, -rs.weight_s[keep])),
                     np.concatenate((rs.stratum_s, rs.stratum_s[keep])))
    source = np.concatenate((np.arange(n), keep))[both.order]  # the row each copy comes from
    position = np.empty(source.shape[0], dtype=np.intp)
    position[both.order] = np.arange(source.shape[0])
    copy_at = np.full(n, -1, dtype=np.intp)
    copy_at[keep] = position[n:]
    by_row = np.argsort(score_s, kind="stable")  # one sort of n scores orders both copies
    pairs = np.column_stack((position[:n][by_row], copy_at[by_row])).ravel()
    by_score = pairs[pairs >= 0]
    owner = source if cluster_s is None else cluster_s[source]
    return concordance_sorted(both, score_s[source], cluster_s=owner, reverse=reverse, by_score=by_score)


def concordance_sorted(rs: RiskSets, score_s: np.ndarray, *, cluster_s=None, reverse=True,
                       by_score: np.ndarray | None = None) -> Concordance:
    """Concordance from a risk-set layout; ``score_s`` (and ``cluster_s``) in sorted order;
    ``by_score``: the rows in increasing score, if already known."""
    if rs.counting:
        return _counting(rs, score_s, cluster_s, reverse)
    slot, lo_of, hi_of, cs_r, cs_d = _slot_tables(rs)
    by_score = np.argsort(score_s) if by_score is None else by_score
    ss = score_s[by_score]
    tie_start = np.flatnonzero(np.concatenate(([True], ss[1:] != ss[:-1], [True])))
    slot_b, w_b = slot[by_score], rs.weight_s[by_score]
    from prrt_rwe.stats.concordance_sweep import sweep  # numba: imported on first use

    count, infl = sweep(tie_start, slot_b, w_b, lo_of, hi_of, cs_r, cs_d)
    tied_y, tied_xy = _tied_time_pairs(rs, slot_b, w_b, tie_start)
    cluster_b = None if cluster_s is None else cluster_s[by_score]
    return _assemble(count, tied_y, tied_xy, infl, w_b, cluster_b, reverse)


def concordance(time, event, score, *, weights=None, strata=None, cluster=None, reverse=True, entry=None,
                timefix: bool = True) -> Concordance:
    """Concordance of ``score`` with survival; ``reverse=True`` for Cox risk scores (higher
    score, shorter time).  Inputs are checked against the survival-data contract; times
    equal up to rounding are tied (R ``aeqSurv``) unless ``timefix=False``; ``entry``
    gives (start, stop] data.  No comparable pair (e.g. no events): NaN, as R."""
    sd = survival_data(time, event, weights=weights, strata=strata, cluster=cluster, entry=entry)
    score = np.asarray(score, dtype=float)
    if score.shape != sd.time.shape or not np.all(np.isfinite(score)):
        raise SurvivalDataError("score", "must be finite, one value per row")
    if sd.entry is None:
        t, a = fix_times(sd.time, timefix), None
    else:
        a, t = fix_intervals(sd.entry, sd.time, timefix)
    rs = risk_sets(t, sd.event, sd.weights, sd.strata, entry=a)
    cluster_s = None if sd.cluster is None else sd.cluster[rs.order]
    return concordance_sorted(rs, score[rs.order], cluster_s=cluster_s, reverse=reverse)


def _assemble(count, tied_y, tied_xy, influence, w, cluster_s, reverse) -> Concordance:
    npair = count.sum()
    with np.errstate(invalid="ignore", divide="ignore"):  # no comparable pairs: NaN, as R
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
