"""PRRT cycles (cycles.csv): up to 4 x 7.4 GBq every 8 weeks, stops and reductions.

A cycle is given only while the patient is alive, in follow-up and without a documented
progression. Hematologic grade >= 3 toxicity (okamoto2026.results.hematologic_grade3plus,
18 %) strikes after cycle k* among the cycles the patient would otherwise receive; then
45 % stop and the rest continue at a reduced activity (3.7 or 5.55 GBq).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.synth import calibration as cal

P_DELAY, P_OTHER_STOP = 0.05, 0.03
P_STOP_AFTER_TOXICITY = 0.45
ACTIVITY_SD = 0.02
REDUCED_ACTIVITIES = np.array([3.7, 5.55])


@dataclass(frozen=True)
class Treatment:
    day: np.ndarray        # (n, 4) days from C1, NaN = not given
    activity: np.ndarray   # (n, 4) GBq, 2 decimals
    n_cycles: np.ndarray
    toxic_cycle: np.ndarray  # cycle after which grade >= 3 hematologic toxicity occurs, 0 = none

    @property
    def last_day(self) -> np.ndarray:
        return np.nanmax(self.day, axis=1)


def make_treatment(rng: np.random.Generator, pd_day: np.ndarray, death_day: np.ndarray,
                   horizon: np.ndarray) -> Treatment:
    n, k = len(pd_day), cal.PLANNED_CYCLES
    gap = cal.CYCLE_INTERVAL_DAYS + rng.normal(0, 5, (n, k - 1))
    gap += np.where(rng.random((n, k - 1)) < P_DELAY, rng.uniform(7, 28, (n, k - 1)), 0.0)
    gap = np.clip(np.round(gap), 42, 105)
    day = np.column_stack([np.zeros(n), np.cumsum(gap, axis=1)])
    with np.errstate(invalid="ignore"):
        possible = (~(day >= pd_day[:, None])) & (day < death_day[:, None]) & (day <= horizon[:, None])
    possible[:, 1:] &= rng.random((n, k - 1)) >= P_OTHER_STOP
    possible[:, 0] = True
    n_possible = np.cumprod(possible, axis=1).sum(axis=1)
    toxic = rng.random(n) < cal.HEMATOLOGIC_GRADE3_DRAW
    toxic_cycle = np.where(toxic, 1 + np.floor(rng.random(n) * n_possible).astype(int), 0)
    stop = toxic & (toxic_cycle < n_possible) & (rng.random(n) < P_STOP_AFTER_TOXICITY)
    n_cycles = np.where(stop, toxic_cycle, n_possible)
    given = np.arange(1, k + 1)[None, :] <= n_cycles[:, None]
    full = cal.NOMINAL_ACTIVITY_GBQ * (1 + rng.normal(0, ACTIVITY_SD, (n, k)))
    reduced = rng.choice(REDUCED_ACTIVITIES, (n, 1)) * (1 + np.abs(rng.normal(0, ACTIVITY_SD, (n, k))))
    after_tox = toxic[:, None] & (np.arange(1, k + 1)[None, :] > toxic_cycle[:, None])
    activity = np.round(np.clip(np.where(after_tox, reduced, full), 3.7, 8.0), 2)
    return Treatment(
        day=np.where(given, day, np.nan),
        activity=np.where(given, activity, np.nan),
        n_cycles=n_cycles,
        toxic_cycle=toxic_cycle,
    )
