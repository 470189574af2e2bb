"""Late effects of the synthetic registry: laboratory follow-up after the first year, the slow
loss of kidney function, renal decline and MDS/AML (used by labs.py and adverse_events.py).

- Late laboratory follow-up: blood counts and creatinine every ~4 months (120 ± 14 days)
  from the last cycle + 1 year to 30 days before the end of follow-up (at most 15 visits, 5
  years), so a late visit never moves the last contact (followup.last_contact) or OS.
- Kidney: log creatinine drifts by k per year, k ~ N(0.02, 0.04) per patient, so eGFR falls
  by about 2–3 % a year on average (ageing included), with a wide spread between patients.
- Renal decline: 3 % of patients; from an onset 6–36 months after C1 creatinine climbs over
  120 days to 1.9–2.6 times its level, an eGFR fall of 40 % or more (CTCAE creatinine grade
  2, so the lab-based renal grade >= 3 rate stays at calibration.RENAL_GRADE3_SHARE).
- MDS/AML: 3 % of patients have a latent onset, lognormal with median 30 months (sd of log
  0.45: 90 % between 14 and 63 months), recorded only before death and within follow-up, so
  the cumulative incidence at 5 years with death competing is ~2 % in expectation, inside
  the 1–3 % of the PRRT literature (brabander2017: MDS 1.5 %, acute leukaemia 0.7 %; netter1
  MDS 2.3 %); MDS and AML split as calibration.MDS_SHARE : AML_SHARE. Platelets fall to grade
  2–3 and neutrophils to grade 1–2 in the 6 months before the diagnosis.
Every draw here comes from a generator spawned from the chunk's one (``rng.spawn``), so the
draws of the other tables of a seed do not move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.synth import calibration as cal

LATE_START_DAYS = 360        # after the last cycle: where the first-year schedule ends
LATE_INTERVAL_DAYS = 120
LATE_JITTER_DAYS = 14
LATE_END_MARGIN_DAYS = 30     # followup.last_contact is drawn within 30 days of the end
N_LATE_VISITS = 15
LATE_TESTS = ("platelets", "neutrophils", "wbc", "lymphocytes", "hemoglobin", "creatinine")
CREATININE_DRIFT = (0.02, 0.04)            # per year on the log scale: mean, sd
RENAL_DECLINE_SHARE = 0.03
RENAL_DECLINE_ONSET_DAYS = (180, 1100)
RENAL_DECLINE_RAMP_DAYS = 120
RENAL_DECLINE_FACTOR = (1.9, 2.6)
MARROW_SHARE = 0.03
MARROW_MEDIAN_DAYS = 30 * 30.4375
MARROW_SDLOG = 0.45
MARROW_PRODROME_DAYS = 180
AML_FRACTION = cal.AML_SHARE / (cal.MDS_SHARE + cal.AML_SHARE)
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class LateEffects:
    """Per patient latent quantities (NaN = none) and the late visit days (n, N_LATE_VISITS)."""

    visit_day: np.ndarray
    creatinine_drift: np.ndarray   # k per year
    renal_onset: np.ndarray
    renal_factor: np.ndarray
    marrow_day: np.ndarray         # latent MDS/AML onset (whether or not it is observed)
    marrow_aml: np.ndarray         # True: AML, False: MDS


def make_late_effects(rng: np.random.Generator, last_cycle: np.ndarray, end: np.ndarray) -> LateEffects:
    n = len(last_cycle)
    k = np.arange(1, N_LATE_VISITS + 1)
    visits = (last_cycle[:, None] + LATE_START_DAYS + LATE_INTERVAL_DAYS * k
              + rng.integers(-LATE_JITTER_DAYS, LATE_JITTER_DAYS + 1, (n, N_LATE_VISITS)))
    with np.errstate(invalid="ignore"):
        visits = np.where(visits <= end[:, None] - LATE_END_MARGIN_DAYS, visits, np.nan).astype(float)
    drift = rng.normal(*CREATININE_DRIFT, n)
    renal = rng.random(n) < RENAL_DECLINE_SHARE
    onset = rng.uniform(*RENAL_DECLINE_ONSET_DAYS, n)
    factor = rng.uniform(*RENAL_DECLINE_FACTOR, n)
    marrow = rng.random(n) < MARROW_SHARE
    marrow_day = np.maximum(np.round(MARROW_MEDIAN_DAYS * np.exp(MARROW_SDLOG * rng.standard_normal(n))), 1)
    aml = rng.random(n) < AML_FRACTION
    return LateEffects(visits, drift, np.where(renal, np.round(onset), np.nan), factor,
                       np.where(marrow, marrow_day, np.nan), aml)


def creatinine_multiplier(late: LateEffects, patient: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Drift times the renal-decline ramp for creatinine rows (patient, day from C1)."""
    years = np.maximum(day, 0) / DAYS_PER_YEAR
    mult = np.exp(late.creatinine_drift[patient] * years)
    onset = late.renal_onset[patient]
    with np.errstate(invalid="ignore"):
        ramp = np.clip((day - onset) / RENAL_DECLINE_RAMP_DAYS, 0, 1)
    ramp = np.where(np.isnan(onset), 0.0, ramp)
    return mult * (1 + ramp * (late.renal_factor[patient] - 1))


def in_prodrome(late: LateEffects, patient: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Rows in the 6 months before a latent MDS/AML onset (cytopenia precedes the diagnosis)."""
    onset = late.marrow_day[patient]
    with np.errstate(invalid="ignore"):
        return (day > onset - MARROW_PRODROME_DAYS) & (day <= onset) & (day > 0)


def prodrome_counts(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """Canonical platelets (grade 2-3) and neutrophils (grade 1-2) before MDS/AML."""
    return {"platelets": rng.uniform(30.0, 62.0, rows), "neutrophils": rng.uniform(1.05, 1.7, rows)}


def late_values(rng: np.random.Generator, late: LateEffects, baseline: dict[str, np.ndarray],
                floors: dict[str, float]) -> dict[str, np.ndarray]:
    """(n, N_LATE_VISITS) canonical values per LATE_TESTS from each patient's baseline: counts a
    little below it (marrow reserve after PRRT), creatinine from baseline times its drift."""
    n, v = late.visit_day.shape[0], {}
    shape = late.visit_day.shape
    v["platelets"] = baseline["platelets"][:, None] * rng.uniform(0.72, 0.95, shape)
    v["neutrophils"] = baseline["neutrophils"][:, None] * rng.uniform(0.75, 1.0, shape)
    v["lymphocytes"] = baseline["lymphocytes"][:, None] * rng.uniform(0.55, 0.95, shape)
    v["wbc"] = v["neutrophils"] + v["lymphocytes"] + 0.5 * np.exp(rng.normal(0, 0.2, (n, 1)))
    v["hemoglobin"] = baseline["hemoglobin"][:, None] * rng.uniform(0.92, 1.02, shape)
    for test, floor in floors.items():
        v[test] = np.maximum(v[test], floor * rng.uniform(1.0, 1.1, shape))
    v["creatinine"] = baseline["creatinine"][:, None] * rng.uniform(0.95, 1.05, shape)
    return v
