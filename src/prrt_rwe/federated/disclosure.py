"""Disclosure control at the site (shared/spec/federated.md, "network.toml"): the rules a node
applies to every release before it leaves, whatever the coordinator asks.

1. Counts.  A released count is 0 or at least ``min_cell`` (DataSHIELD's nfilter.tab rule;
   ``min_cell`` 5 by default).  A proportion releases its numerator n and denominator N only
   when n and N - n both pass.  When one count among siblings (the levels of one table) fails,
   the smallest other non-zero sibling is suppressed with it, so that the table's total cannot
   give it back.  Suppressed counts travel as null; the coordinator's key is null with the sites
   named.
2. Times.  Event and censoring times are first rounded up to ``time_unit`` (day, week = 7 days,
   month = 30.4375 days), then pooled: walking the site's distinct times upwards, each time is
   pooled into the next released time until the group's count of every status (events,
   censorings, ...) is 0 or at least ``min_cell``; the last group, if short, is pooled into the
   previous released time (so every row only ever moves later).  Each group is released at its
   latest time.  Kaplan-Meier counts, log-rank counts and the Cox risk-set sums are released on
   these pooled times, so every released per-time count passes rule 1 and every per-time sum is
   over at least ``min_cell`` events or censorings (or none).  A site whose totals fail rule 1
   cannot form a group and refuses the release.
3. Model sums.  A site-stratified Cox contribution needs 0 or at least ``min_cell`` events; a
   logistic contribution needs the responders and the non-responders each 0 or at least
   ``min_cell``; otherwise the site refuses (the model is then null, naming the site).

4. Weighted sums (IPTW, MAIC): federated/weighted_replies.py -- an arm or MAIC set of 1 to
   min_cell - 1 patients refuses; per-time weighted tables on the pooled times of rule 2.

With ``min_cell = 1`` and ``time_unit = "day"`` nothing is changed and federated results
equal pooled ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.event_counts import EventCounts, count_events

__all__ = ["Refusal", "UNIT_DAYS", "cell_ok", "coarsen_days", "pooled_times", "released_counts",
           "suppress_siblings"]

UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375}


@dataclass(frozen=True)
class Refusal:
    """A release the node will not send, and why (written to the audit log and replied)."""

    reason: str


def cell_ok(count, min_cell: int) -> bool:
    return count == 0 or count >= min_cell


def coarsen_days(days, unit: str) -> np.ndarray:
    """Times rounded up to the unit (0 stays 0); whole days are unchanged by "day"."""
    step = UNIT_DAYS[unit]
    d = np.asarray(days, dtype=float)
    return np.ceil(d / step) * step


def _group_ok(counts: np.ndarray, min_cell: int) -> bool:
    return counts.sum() >= min_cell and all(cell_ok(int(c), min_cell) for c in counts)


def pooled_times(table: EventCounts, min_cell: int) -> np.ndarray | Refusal:
    """For each distinct time of ``table`` the time it is released at (rule 2 of the module
    doc), or a Refusal when the site's totals cannot be released."""
    if table.time.size == 0:
        return np.empty(0)
    if not _group_ok(table.counts.sum(axis=0), min_cell):
        totals = ", ".join(str(int(c)) for c in table.counts.sum(axis=0))
        return Refusal(f"counts by status ({totals}) include one under min_cell {min_cell}")
    ends, running = [], np.zeros(table.n_status, dtype=np.int64)
    for i, row in enumerate(table.counts):
        running += row
        if _group_ok(running, min_cell):
            ends.append(i)
            running[:] = 0
    last = table.time.size - 1
    if not ends or ends[-1] != last:   # a short tail: pool the last groups until they pass
        while ends and not _group_ok(table.counts[(ends[-2] + 1 if len(ends) > 1 else 0):].sum(axis=0),
                                     min_cell):
            ends.pop()
        if ends:
            ends[-1] = last
        else:
            ends = [last]
    release = np.empty(table.time.size)
    start = 0
    for end in ends:
        release[start:end + 1] = table.time[end]
        start = end + 1
    return release


def released_counts(time, status, n_status: int, min_cell: int, unit: str | None):
    """(released time of every row, released table) after rule 2 of the module doc, or a
    Refusal; ``unit`` None: values that are not times (ages) are pooled but not rounded."""
    coarse = np.asarray(time, dtype=float) if unit is None else coarsen_days(time, unit)
    table = count_events(coarse, status, n_status)
    release = pooled_times(table, min_cell)
    if isinstance(release, Refusal):
        return release
    row_time = release[np.searchsorted(table.time, coarse)] if coarse.size else coarse
    return row_time, count_events(row_time, status, n_status)


def suppress_siblings(values: dict, min_cell: int) -> dict:
    """Counts of one table with rule 1 applied: failing counts and, when exactly one fails,
    the smallest other non-zero count become None."""
    out = {k: (v if v is None or cell_ok(v, min_cell) else None) for k, v in values.items()}
    failed = [k for k, v in values.items() if v is not None and out[k] is None]
    if len(failed) == 1:
        others = [(v, k) for k, v in out.items() if v and k != failed[0]]
        if others:
            out[min(others)[1]] = None
    return out
