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


def _slot_ranges(block_stratum: np.ndarray):
    """Per slot (2 * block + event): the first and last slot of its stratum."""
    n_blocks = block_stratum.shape[0]
    new_stratum = np.concatenate(([True], block_stratum[1:] != block_stratum[:-1]))
    sid = np.cumsum(new_stratum) - 1
    first_block = np.flatnonzero(new_stratum)
    last_block = np.append(first_block[1:] - 1, n_blocks - 1)
    return np.repeat(2 * first_block[sid], 2), np.repeat(2 * last_block[sid] + 1, 2)


def _cumulative(slot: np.ndarray, weight: np.ndarray, n_slots: int) -> np.ndarray:
    return np.concatenate(([0.0], np.cumsum(np.bincount(slot, weights=weight, minlength=n_slots))))


def _tied_xy(slot_by_score, w_by_score, tie_start) -> float:
    """Weighted pairs of events tied on time and on score (tied.xy)."""
    size = np.diff(tie_start)
    in_tie = np.repeat(size > 1, size) & (slot_by_score & 1).astype(bool)
    if not in_tie.any():
        return 0.0
    tie_id = np.repeat(np.arange(size.shape[0]), size)[in_tie]
    key = tie_id.astype(np.int64) * (int(slot_by_score.max()) + 1) + slot_by_score[in_tie]
    _, by_xy = np.unique(key, return_inverse=True)
    return _pairs(by_xy, w_by_score[in_tie])


def _pairs(group, w) -> float:
    s = np.bincount(group, weights=w)
    s2 = np.bincount(group, weights=w * w)
    return float(np.sum(s * s - s2) / 2)


def _sweep_slots(slot_b, w_b, score_b, lo_of, hi_of, cs_r, cs_d, tied_y, cluster_b, reverse) -> Concordance:
    """The pair counts and influence of rows given in increasing score (``*_b``)."""
    tie_start = np.flatnonzero(np.concatenate(([True], score_b[1:] != score_b[:-1], [True])))
    from prrt_rwe.stats.concordance_sweep import sweep  # numba: imported on first use

    count, infl = sweep(tie_start, slot_b, w_b, lo_of, hi_of, cs_r, cs_d)
    tied_xy = _tied_xy(slot_b, w_b, tie_start)
    return _assemble(count, tied_y - tied_xy, tied_xy, infl, w_b, cluster_b, reverse)


def _counting(rs: RiskSets, score_s: np.ndarray, cluster_s, reverse) -> Concordance:
    """Each row and, if it can leave a risk set before its stratum's last event time, a
    copy censored at its entry with weight -w, merged on the time slots of the layout."""
    copies = rs.entry_order[rs.leaving()[rs.entry_order]]
    from prrt_rwe.stats.concordance_sweep import merge_blocks  # numba: imported on first use

    block_row, block_copy, block_stratum = merge_blocks(rs.time_s, rs.stratum_s, rs.entry_s, copies)
    n_slots = 2 * block_stratum.shape[0]
    slot_row = 2 * block_row + rs.event_s
    copy_slot = np.full(rs.n, -1, dtype=np.intp)
    copy_slot[copies] = 2 * block_copy
    lo_of, hi_of = _slot_ranges(block_stratum)
    cs_r = _cumulative(slot_row, rs.weight_s, n_slots) - _cumulative(copy_slot[copies], rs.weight_s[copies],
                                                                     n_slots)
    cs_d = _cumulative(slot_row, rs.dead_weight, n_slots)
    by_row = np.argsort(score_s)  # each row followed by its copy: one sort of n scores
    both = np.column_stack((slot_row[by_row], copy_slot[by_row])).ravel()
    kept = both >= 0
    sign = np.tile([1.0, -1.0], rs.n)[kept]
    source = np.repeat(by_row, 2)[kept]
    owner = source if cluster_s is None else cluster_s[source]
    tied_y = _pairs(rs.death_group, rs.weight_s[rs.death_rows])
    return _sweep_slots(both[kept], sign * rs.weight_s[source], score_s[source], lo_of, hi_of, cs_r, cs_d,
                        tied_y, owner, reverse)


def concordance_sorted(rs: RiskSets, score_s: np.ndarray, *, cluster_s=None, reverse=True) -> Concordance:
    """Concordance from a risk-set layout; ``score_s`` (and ``cluster_s``) in sorted order."""
    if rs.counting:
        return _counting(rs, score_s, cluster_s, reverse)
    lo_of, hi_of = _slot_ranges(rs.stratum_s[rs.block_start])
    n_slots = 2 * rs.block_start.shape[0]
    slot = 2 * rs.row_block + rs.event_s
    cs_r, cs_d = _cumulative(slot, rs.weight_s, n_slots), _cumulative(slot, rs.dead_weight, n_slots)
    by_score = np.argsort(score_s)
    tied_y = _pairs(rs.death_group, rs.weight_s[rs.death_rows])
    return _sweep_slots(slot[by_score], rs.weight_s[by_score], score_s[by_score], lo_of, hi_of, cs_r, cs_d, tied_y,
                        None if cluster_s is None else cluster_s[by_score], reverse)


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
