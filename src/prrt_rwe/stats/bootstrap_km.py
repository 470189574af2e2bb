"""Batched Kaplan-Meier medians: the fast path of the bootstrap for survival data.

The distinct times are coded once; a resample is then just its count of rows and of events
per distinct time — two ``bincount`` calls for all B resamples together — and every
Kaplan-Meier curve follows by cumulative sums and products over the (B, G) tables: no
sorting and no refitting per resample.  The median of each
curve follows R ``quantile.survfit`` (see :mod:`prrt_rwe.stats.survival_quantile`): the first
time S <= ½ (within ``sqrt(eps)``), the midpoint of a flat stretch at exactly ½, NaN when
not reached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.kaplan_meier import kaplan_meier
from prrt_rwe.stats.survival_quantile import TOLERANCE

__all__ = ["km_median", "km_quantiles_batch", "leave_one_out_tables", "resample_tables",
           "CodedSurvival", "code_survival"]


def km_median(time, event) -> float:
    """Kaplan-Meier median survival time (NaN when not reached); R ``quantile.survfit``."""
    m = kaplan_meier(time, event).median
    return np.nan if m is None else m


@dataclass(frozen=True)
class CodedSurvival:
    """The sorted distinct ``times``; each row's code into them (``group``) and event flag."""

    times: np.ndarray
    group: np.ndarray
    event: np.ndarray

    @property
    def size(self) -> int:
        return self.times.size


def code_survival(time, event) -> CodedSurvival:
    times, group = np.unique(np.asarray(time, float), return_inverse=True)
    return CodedSurvival(times, group.reshape(-1), np.asarray(event, dtype=float))


def resample_tables(data: CodedSurvival, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(total, deaths), shape (B, G): rows and events per distinct time in each resample."""
    B, G = idx.shape[0], data.size
    cell = data.group * 2 + (data.event > 0)  # (time code, event flag) of each row
    key = ((np.arange(B) * (2 * G))[:, None] + cell[idx]).ravel()
    counts = np.bincount(key, minlength=B * 2 * G).reshape(B, G, 2).astype(float)
    return counts[:, :, 0] + counts[:, :, 1], counts[:, :, 1]


def leave_one_out_tables(data: CodedSurvival) -> tuple[np.ndarray, np.ndarray]:
    """(total, deaths), shape (n, G): the full table less row i, for each i."""
    n, G = data.group.size, data.size
    total = np.tile(np.bincount(data.group, minlength=G).astype(float), (n, 1))
    deaths = np.tile(np.bincount(data.group, weights=data.event, minlength=G), (n, 1))
    rows = np.arange(n)
    total[rows, data.group] -= 1
    deaths[rows, data.group] -= data.event
    return total, deaths


def km_quantiles_batch(data: CodedSurvival, total: np.ndarray, deaths: np.ndarray,
                       p: float = 0.5) -> np.ndarray:
    """p-quantile of the KM curve of each row of the (B, G) count tables."""
    at_risk = np.cumsum(total[:, ::-1], axis=1)[:, ::-1]
    factor = np.divide(at_risk - deaths, at_risk, out=np.ones_like(at_risk), where=deaths > 0)
    surv = np.cumprod(factor, axis=1)
    target = 1 - p
    a = _first(surv <= target + TOLERANCE)
    b = _first(surv <= target - TOLERANCE)
    last = _last(total > 0)
    times = np.append(data.times, np.nan)
    out = (times[a] + times[b]) / 2
    flat_end = (b == data.size) & (a < data.size)
    out[flat_end] = (times[a[flat_end]] + times[last[flat_end]]) / 2
    return out


def _first(mask: np.ndarray) -> np.ndarray:
    """Column index of the first True per row; ncol when none."""
    idx = np.argmax(mask, axis=1)
    return np.where(mask[np.arange(mask.shape[0]), idx], idx, mask.shape[1])


def _last(mask: np.ndarray) -> np.ndarray:
    flipped = np.argmax(mask[:, ::-1], axis=1)
    return mask.shape[1] - 1 - flipped
