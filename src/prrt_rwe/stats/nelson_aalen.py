"""Nelson-Aalen cumulative hazard, as R ``survfit(Surv(time, event) ~ 1)$cumhaz``.

H(t) = sum over event times t_i <= t of d_i / n_i (weighted counts), with standard error
sqrt(sum d_i / n_i^2) (R ``fit$std.chaz``; ``survfitkm.c``, the Nelson-Aalen branch).  The
same risk-set table as the Kaplan-Meier curve (:mod:`prrt_rwe.stats.event_table`): one row per
distinct time, censored times included; zero weights ignored; (entry, time] data through
``entry``; times equal up to rounding tied (R ``aeqSurv``) unless ``timefix=False``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.event_table import survival_table
from prrt_rwe.stats.kaplan_meier import nelson_aalen_curve

__all__ = ["NelsonAalen", "nelson_aalen"]


@dataclass(frozen=True)
class NelsonAalen:
    time: np.ndarray
    cumhaz: np.ndarray
    se: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    n: int

    def cumhaz_at(self, t: float) -> float | None:
        """H(t) (0 before the first time); ``None`` beyond the last observed time."""
        t = float(t)
        if np.isnan(t) or t > self.time[-1]:
            return None
        i = int(np.searchsorted(self.time, t, side="right")) - 1
        return 0.0 if i < 0 else float(self.cumhaz[i])


def nelson_aalen(time, event, *, weights=None, entry=None, timefix: bool = True) -> NelsonAalen:
    """Nelson-Aalen estimate of the cumulative hazard; see the module doc."""
    st = survival_table(time, event, weights=weights, entry=entry, timefix=timefix)
    table = st.table
    cumhaz, se = nelson_aalen_curve(table.n_risk, table.n_event, table.n_event_rows)
    return NelsonAalen(table.time, cumhaz, se, table.n_risk, table.n_event, table.n_censor, st.n)
