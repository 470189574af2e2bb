"""Per-time status counts: the sufficient statistics of Kaplan-Meier, the log-rank test and the
Aalen-Johansen estimator, and the algebra that pools them across sites.

For each distinct time (ascending) ``counts[:, s]`` is the number of rows with status ``s``
(0 = censored, 1 = event, 2, ... = competing causes).  Every engine that reads a survival
curve from risk sets (R ``survfit``, ``survdiff``, ``cuminc``) sees the data only through
these counts, so

    engine(rows of all sites) == engine(expand(merge(count(rows of each site))))

exactly: :func:`merge_counts` adds the tables of the sites time by time, and
:func:`expand_counts` writes a table back as rows (one per counted patient, no patient's own
row) for the unchanged engines.  This is how a federated Kaplan-Meier curve equals the pooled
one (federated/, shared/spec/federated.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EventCounts", "count_events", "expand_counts", "merge_counts"]


@dataclass(frozen=True)
class EventCounts:
    """``time`` (T,) ascending distinct times; ``counts`` (T, S) rows with each status."""

    time: np.ndarray
    counts: np.ndarray

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def n_status(self) -> int:
        return int(self.counts.shape[1])

    def at_risk(self) -> np.ndarray:
        """Rows with time >= each time (the risk set of survfit)."""
        return np.cumsum(self.counts.sum(axis=1)[::-1])[::-1]


def count_events(time, status, n_status: int = 2) -> EventCounts:
    """Counts of each status at each distinct time (``status`` in 0..n_status-1)."""
    t = np.asarray(time, dtype=float).reshape(-1)
    s = np.asarray(status).astype(np.int64).reshape(-1)
    if t.shape != s.shape:
        raise ValueError(f"status: has {s.size} rows, expected {t.size} (the length of time)")
    if s.size and (s.min() < 0 or s.max() >= n_status):
        raise ValueError(f"status: values must lie in 0..{n_status - 1}, got {sorted(set(s.tolist()))}")
    grid, codes = np.unique(t, return_inverse=True)
    counts = np.zeros((grid.size, n_status), dtype=np.int64)
    np.add.at(counts, (codes.reshape(-1), s), 1)
    return EventCounts(grid, counts)


def merge_counts(parts, n_status: int | None = None) -> EventCounts:
    """One table from several (the sites'): counts added at equal times, union of times."""
    parts = list(parts)
    if not parts:
        return EventCounts(np.empty(0), np.zeros((0, n_status or 2), dtype=np.int64))
    width = n_status or max(p.n_status for p in parts)
    times = np.concatenate([p.time for p in parts])
    grid, codes = np.unique(times, return_inverse=True)
    counts = np.zeros((grid.size, width), dtype=np.int64)
    stacked = np.concatenate([np.pad(p.counts, ((0, 0), (0, width - p.n_status))) for p in parts])
    np.add.at(counts, codes.reshape(-1), stacked)
    return EventCounts(grid, counts)


def expand_counts(table: EventCounts) -> tuple[np.ndarray, np.ndarray]:
    """(time, status) rows, one per count, in time then status order."""
    flat = table.counts.reshape(-1)
    time = np.repeat(np.repeat(table.time, table.n_status), flat)
    status = np.repeat(np.tile(np.arange(table.n_status), table.time.size), flat)
    return time, status
