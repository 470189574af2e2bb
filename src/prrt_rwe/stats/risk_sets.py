"""Risk-set layout for Cox models, built once per fit.

Rows are sorted by stratum, then time *descending*, so the risk set of an event time
(everyone in the stratum with time >= t) is a prefix of the stratum: any sum over a risk
set is a difference of two cumulative sums.

(start, stop] data (``entry``): a row is at risk at the event times t with entry < t <= time.
The death groups a row belongs to are still consecutive — from the first group at or
below its stop time (``row_first_group``) to the last group above its entry
(``row_last_group``) — so a per-row sum over its groups stays a difference of two
cumulative sums (:func:`row_range_sums`), and a per-group sum over its risk set is a
difference array over groups (:func:`risk_set_sums`).  Right-censored data is the case
entry = -inf.  Events sharing a (stratum, time) form one
"death group" (Efron's virtual deaths are summed per group: :mod:`prrt_rwe.stats.efron_sums`).

Rows with the same (stratum, time) form a "block"; risk-set sums are first summed per
block (one sparse product, O(n p)) and then accumulated over blocks, which is what makes
heavily tied data cheap.  Every later computation (partial likelihood, score residuals,
cox.zph, baseline hazard) works on these arrays: O(n) memory, no n x n loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit
from scipy.sparse import csr_matrix

__all__ = ["RiskSets", "risk_sets", "within_stratum_sums", "group_range_sums", "block_sums", "death_sums",
           "block_range_sums", "risk_set_sums", "row_range_sums", "sorted_centred"]


@dataclass(frozen=True)
class RiskSets:
    """Sorted layout: every ``*_s`` array is in sorted row order (``order`` maps back)."""

    order: np.ndarray  # sorted position -> original row
    time_s: np.ndarray
    event_s: np.ndarray  # bool
    weight_s: np.ndarray
    stratum_s: np.ndarray  # stratum code per sorted row
    block_start: np.ndarray  # first sorted index of each (stratum, time) block
    row_block: np.ndarray  # block of each sorted row
    group_end: np.ndarray  # per death group: last sorted index of its time block
    group_block: np.ndarray  # per death group: its block
    group_stratum_first_block: np.ndarray  # per death group: first block of its stratum
    group_ndead: np.ndarray
    group_deadwt: np.ndarray
    group_time: np.ndarray
    group_stratum: np.ndarray
    death_rows: np.ndarray  # sorted indices of the events
    death_group: np.ndarray  # death group of each event
    block_first_group: np.ndarray  # first death group whose risk set holds the block
    block_last_group: np.ndarray  # last death group of the block's stratum (inclusive)
    death_indptr: np.ndarray  # death_rows[death_indptr[g]:death_indptr[g+1]] die in group g
    dead_weight: np.ndarray  # per sorted row: w if an event else 0
    ties: str
    entry_s: np.ndarray | None = None  # (start, stop] data: entry per sorted row
    entry_order: np.ndarray | None = None  # sorted rows by stratum, then entry descending
    entry_last_group: np.ndarray | None = None  # (start, stop] data: row_last_group

    @property
    def counting(self) -> bool:
        """(start, stop] data: risk sets are not prefixes of the strata."""
        return self.entry_s is not None

    def leaving(self) -> np.ndarray:
        """(start, stop] data, per sorted row: does it leave the risk sets before the last
        event time of its stratum (entry >= the stratum's smallest event time)?  The others
        are at risk from their stop time on, as right-censored rows."""
        smallest = np.full(int(self.stratum_s.max()) + 1, np.inf)
        np.minimum.at(smallest, self.group_stratum, self.group_time)
        return self.entry_s >= smallest[self.stratum_s]

    @property
    def row_first_group(self) -> np.ndarray:
        """Per sorted row: the first death group whose risk set holds it."""
        return self.block_first_group[self.row_block]

    @property
    def row_last_group(self) -> np.ndarray:
        """Per sorted row: the last death group whose risk set holds it (first - 1: none)."""
        return self.entry_last_group if self.counting else self.block_last_group[self.row_block]

    @property
    def n(self) -> int:
        return self.order.shape[0]

    @property
    def n_groups(self) -> int:
        return self.group_end.shape[0]


def _sort_order(time: np.ndarray, strata: np.ndarray | None) -> np.ndarray:
    """Stratum ascending, time descending: a sort on time, then a stable sort on the
    stratum.  Whole-number times spanning < 65536 values (days, typically) and the stratum
    codes get numpy's O(n) radix sort (16-bit keys)."""
    order = _time_descending(time)
    if strata is None:
        return order
    codes = np.asarray(strata)[order]
    if codes.max() < 65536:
        codes = codes.astype(np.uint16)
    return order[np.argsort(codes, kind="stable")]


def _time_descending(time: np.ndarray) -> np.ndarray:
    if time.shape[0]:
        hi, lo = time.max(), time.min()
        if hi - lo < 65536 and np.all(time == np.floor(time)):
            return np.argsort((hi - time).astype(np.uint16), kind="stable")
    return np.argsort(-time)


def risk_sets(time, event, weights=None, strata=None, ties: str = "efron", entry=None) -> RiskSets:
    """Sort once and index the death groups; ``ties`` is "efron" or "breslow" (or "exact",
    which uses the layout only); ``entry`` the start times of (start, stop] data."""
    time = np.asarray(time, dtype=float)
    n = time.shape[0]
    order = _sort_order(time, strata)
    t = time[order]
    event = np.asarray(event)
    ev = event[order].view(np.bool_) if event.dtype in (np.int8, np.uint8) else event[order].astype(bool)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)[order]
    s = np.zeros(n, dtype=np.intp) if strata is None else np.asarray(strata)[order]

    new_stratum = np.zeros(max(n - 1, 0), dtype=bool) if strata is None else s[1:] != s[:-1]
    new_block = t[1:] != t[:-1] if strata is None else new_stratum | (t[1:] != t[:-1])
    block_start = np.flatnonzero(np.concatenate(([True], new_block))) if n else np.zeros(0, dtype=np.intp)
    row_block = np.concatenate(([0], np.cumsum(new_block)))[:n]
    block_end = np.append(block_start[1:] - 1, n - 1)
    block_new_stratum = np.concatenate(([True], new_stratum[block_start[1:] - 1]))[:block_start.shape[0]]
    stratum_first_block = np.flatnonzero(block_new_stratum)
    block_stratum = np.cumsum(block_new_stratum) - 1
    block_stratum_last = np.append(stratum_first_block[1:] - 1, block_start.shape[0] - 1)[block_stratum]

    death_rows = np.flatnonzero(ev)
    death_block = row_block[death_rows]  # nondecreasing
    new_group = np.concatenate(([True], death_block[1:] != death_block[:-1]))[:death_block.shape[0]]
    group_block = death_block[new_group]
    death_group = np.cumsum(new_group) - 1
    n_groups = group_block.shape[0]
    group_ndead = np.bincount(death_group, minlength=n_groups)
    group_deadwt = (group_ndead.astype(float) if weights is None
                    else np.bincount(death_group, weights=w[death_rows], minlength=n_groups))

    group_end = block_end[group_block]
    block_first_group = np.searchsorted(group_block, np.arange(block_start.shape[0]), side="left")
    block_last_group = np.searchsorted(group_block, block_stratum_last, side="right") - 1
    entry_s = entry_order = entry_last_group = None
    if entry is not None:
        entry_s = np.asarray(entry, dtype=float)[order]
        entry_order = _sort_order(entry_s, None if strata is None else s)  # stratum, entry descending
        gs = s[group_end]
        g_first = np.searchsorted(gs, np.arange(int(s.max()) + 2 if n else 1), side="left")
        entry_last_group = _last_groups_above(entry_order, entry_s, s, t[group_end], g_first)
    return RiskSets(
        order=order,
        time_s=t,
        event_s=ev,
        weight_s=w,
        stratum_s=s,
        block_start=block_start,
        row_block=row_block,
        group_end=group_end,
        group_block=group_block,
        group_stratum_first_block=stratum_first_block[block_stratum[group_block]],
        group_ndead=group_ndead,
        group_deadwt=group_deadwt,
        group_time=t[group_end],
        group_stratum=s[group_end],
        death_rows=death_rows,
        death_group=death_group,
        block_first_group=block_first_group,
        block_last_group=block_last_group,
        death_indptr=np.concatenate(([0], np.cumsum(group_ndead))),
        dead_weight=ev.astype(float) if weights is None else np.where(ev, w, 0.0),
        ties=ties,
        entry_s=entry_s,
        entry_order=entry_order,
        entry_last_group=entry_last_group,
    )


@njit(cache=CACHE)
def _last_groups_above(entry_order, entry, stratum, group_time, stratum_first_group):
    """Per row: the last death group of its stratum whose time exceeds the row's entry
    (first group - 1 when there is none).  One merge of the rows in (stratum, entry
    descending) order with the groups, which are in (stratum, time descending) order."""
    out = np.empty(entry.shape[0], dtype=np.intp)
    g, cur = 0, -1
    for k in range(entry_order.shape[0]):
        i = entry_order[k]
        if stratum[i] != cur:
            cur = stratum[i]
            g = stratum_first_group[cur]
        end = stratum_first_group[cur + 1]
        while g < end and group_time[g] > entry[i]:
            g += 1
        out[i] = g - 1
    return out


SPARSE_FROM = 20_000  # rows; below, plain reduceat beats building a sparse matrix


def block_sums(rs: RiskSets, weight: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """Per block: sum of ``weight`` (values None) or of ``weight * values`` rows (sorted)."""
    if values is None:
        return np.add.reduceat(weight, rs.block_start)
    if rs.n < SPARSE_FROM:
        return np.add.reduceat(weight[:, None] * values, rs.block_start, axis=0)
    m = csr_matrix((weight, np.arange(rs.n), np.append(rs.block_start, rs.n)),
                   shape=(rs.block_start.shape[0], rs.n))
    return m @ values


def death_sums(rs: RiskSets, weight: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """Per death group: sum over its deaths of ``weight`` (or ``weight * values`` rows)."""
    dr = rs.death_rows
    if values is None:
        return np.add.reduceat(weight[dr], rs.death_indptr[:-1])
    if rs.n < SPARSE_FROM:
        return np.add.reduceat(weight[dr, None] * values[dr], rs.death_indptr[:-1], axis=0)
    m = csr_matrix((weight[dr], dr, rs.death_indptr), shape=(rs.n_groups, rs.n))
    return m @ values


def within_stratum_sums(rs: RiskSets, per_block: np.ndarray) -> np.ndarray:
    """Per death group: sum of ``per_block`` over the blocks of its risk set (same stratum,
    time >= the group's time: blocks from the stratum's first to the group's own)."""
    zero = np.zeros((1,) + per_block.shape[1:])
    cs0 = np.concatenate((zero, np.cumsum(per_block, axis=0)), axis=0)
    return cs0[rs.group_block + 1] - cs0[rs.group_stratum_first_block]


def block_range_sums(rs: RiskSets, per_group: np.ndarray) -> np.ndarray:
    """Per block: sum of ``per_group`` over the death groups whose risk set holds the block."""
    zero = np.zeros((1,) + per_group.shape[1:])
    cc0 = np.concatenate((zero, np.cumsum(per_group, axis=0)), axis=0)
    first = rs.block_first_group
    last = np.maximum(rs.block_last_group + 1, first)
    return cc0[last] - cc0[first]


def group_range_sums(rs: RiskSets, per_group: np.ndarray) -> np.ndarray:
    """Per sorted row: sum of ``per_group`` over the death groups whose risk set holds it."""
    return block_range_sums(rs, per_group)[rs.row_block]


def row_range_sums(rs: RiskSets, per_group: np.ndarray) -> np.ndarray:
    """Per sorted row: sum of ``per_group`` over the death groups whose risk set holds it
    (right-censored or (start, stop] data)."""
    if not rs.counting:
        return group_range_sums(rs, per_group)
    zero = np.zeros((1,) + per_group.shape[1:])
    cc0 = np.concatenate((zero, np.cumsum(per_group, axis=0)), axis=0)
    first = rs.row_first_group
    return cc0[np.maximum(rs.row_last_group + 1, first)] - cc0[first]


def risk_set_sums(rs: RiskSets, weight: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """Per death group: sum over its risk set of ``weight`` (or ``weight * values`` rows)."""
    if not rs.counting:
        return within_stratum_sums(rs, block_sums(rs, weight, values))
    first, stop = rs.row_first_group, rs.row_last_group + 1
    held = np.flatnonzero(stop > first)
    G = rs.n_groups
    if values is None:
        diff = (np.bincount(first[held], weights=weight[held], minlength=G + 1)
                - np.bincount(stop[held], weights=weight[held], minlength=G + 1))
        return np.cumsum(diff)[:G]
    wh = weight[held]
    m = csr_matrix((np.concatenate((wh, -wh)), (np.concatenate((first[held], stop[held])),
                                                np.concatenate((held, held)))), shape=(G + 1, rs.n))
    return np.cumsum(m @ values, axis=0)[:G]


def sorted_centred(X: np.ndarray, order: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """X[order] - centre: the covariates in risk-set order, centred (``np.take`` copies whole
    rows, several times faster here than a compiled gather loop)."""
    out = np.take(np.asarray(X, dtype=float), order, axis=0)
    out -= centre
    return out
