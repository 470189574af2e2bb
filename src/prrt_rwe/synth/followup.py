"""Follow-up: next therapy after progression, death as recorded, last contact.

Death is recorded when it happens within follow-up (before loss to follow-up and the data
cut-off). 65 % of patients with documented progression start a next therapy 2-17 weeks
later (within follow-up and before death). Last contact = date of death, otherwise the
end of follow-up less up to 30 days, never before the patient's last record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

P_NEXT_THERAPY = 0.65


@dataclass(frozen=True)
class FollowUp:
    death_day: np.ndarray         # NaN when not recorded
    next_therapy_day: np.ndarray  # NaN when none
    end: np.ndarray               # last day any record may carry


def make_followup(rng: np.random.Generator, death: np.ndarray, pd_day: np.ndarray,
                  horizon: np.ndarray) -> FollowUp:
    n = len(death)
    horizon = np.floor(horizon)
    recorded = death <= horizon
    death_day = np.where(recorded, death, np.nan)
    end = np.minimum(horizon, death)
    nt = pd_day + rng.integers(14, 120, n)
    with np.errstate(invalid="ignore"):
        ok = (rng.random(n) < P_NEXT_THERAPY) & (nt <= end) & ~(nt >= death)
    return FollowUp(death_day, np.where(ok, nt, np.nan), end)


def last_contact(rng: np.random.Generator, fu: FollowUp, last_record: np.ndarray) -> np.ndarray:
    alive = np.isnan(fu.death_day)
    guess = fu.end - rng.integers(0, 31, len(fu.end))
    return np.where(alive, np.maximum(guess, last_record), fu.death_day)
