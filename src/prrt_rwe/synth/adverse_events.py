"""Clinician-reported adverse events (adverse_events.csv), consistent with the labs.

- A lab grade >= 3 in platelets, neutrophils, wbc or hemoglobin is reported as its CTCAE
  term with the lab's grade and date in 93 % of patients; 1.5 % of the others have a grade 3
  febrile neutropenia without a matching count, so the AE-based rate stays ~18 %
  (okamoto2026.results.hematologic_grade3plus, source adverse events).
- Renal grade >= 3 creatinine -> Acute kidney injury grade 3 (90 % reported); renal decline
  (late_effects.py) -> Chronic kidney disease grade 2 when the creatinine has doubled (60 %
  reported).
- MDS / AML at the latent onset of late_effects.py (MDS grade 3, AML grade 4, both serious),
  recorded only before death and within follow-up.
- Low-grade nausea and fatigue around the cycles.
Sites grading with CTCAE 4.03 say so in ctcae_version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.synth import calibration as cal
from prrt_rwe.synth import late_effects
from prrt_rwe.synth.labs import TESTS, Labs

TERMS = ("Platelet count decreased", "Neutrophil count decreased", "White blood cell decreased",
         "Anemia", "Febrile neutropenia", "Acute kidney injury", "Myelodysplastic syndrome",
         "Acute myeloid leukemia", "Nausea", "Fatigue", "Chronic kidney disease")
LAB_TERM = {"platelets": 0, "neutrophils": 1, "wbc": 2, "hemoglobin": 3}
P_RENAL_REPORTED = 0.9
P_CKD_REPORTED = 0.6
P_NAUSEA, P_FATIGUE = 0.3, 0.25


@dataclass(frozen=True)
class AdverseEvents:
    patient: np.ndarray
    day: np.ndarray
    term: np.ndarray      # index into TERMS
    grade: np.ndarray
    serious: np.ndarray


def make_adverse_events(rng: np.random.Generator, labs: Labs, cycle_day: np.ndarray,
                        end: np.ndarray) -> AdverseEvents:
    n = len(end)
    rows = []  # (patient, day, term, grade)
    lab_tox = labs.worst_hem_grade >= 3
    rep = np.flatnonzero(lab_tox & (rng.random(n) < cal.AE_REPORTING_SHARE))
    term_of_test = np.full(len(TESTS), -1)
    for test, term in LAB_TERM.items():
        term_of_test[TESTS.index(test)] = term
    rows.append((rep, labs.worst_hem_day[rep], term_of_test[labs.worst_hem_test[rep]],
                 labs.worst_hem_grade[rep]))
    n_cyc = np.sum(~np.isnan(cycle_day), axis=1)
    pick = np.floor(rng.random(n) * n_cyc).astype(int)
    fn_day = cycle_day[np.arange(n), pick] + rng.integers(7, 21, n)
    fn = np.flatnonzero(~lab_tox & (rng.random(n) < cal.AE_ONLY_GRADE3_SHARE) & (fn_day <= end))
    rows.append((fn, fn_day[fn], np.full(len(fn), 4), np.full(len(fn), 3)))
    renal = np.flatnonzero(~np.isnan(labs.renal_day) & (rng.random(n) < P_RENAL_REPORTED))
    rows.append((renal, labs.renal_day[renal], np.full(len(renal), 5), np.full(len(renal), 3)))
    for _ in range(2):   # draws of the former MDS and AML model, kept so later draws stay put
        rng.integers(300, 1800, n)
        rng.random(n)
    late, late_rng = labs.late, rng.spawn(1)[0]
    marrow = late.marrow_day
    with np.errstate(invalid="ignore"):
        seen = np.flatnonzero(marrow <= end)
    aml = late.marrow_aml[seen]
    rows.append((seen, marrow[seen], np.where(aml, 7, 6), np.where(aml, 4, 3)))
    ckd_day = late.renal_onset + late_effects.RENAL_DECLINE_RAMP_DAYS
    with np.errstate(invalid="ignore"):
        ckd = np.flatnonzero((ckd_day <= end) & (late_rng.random(n) < P_CKD_REPORTED))
    rows.append((ckd, ckd_day[ckd], np.full(len(ckd), 10), np.full(len(ckd), 2)))
    for term, share, lo, hi in ((8, P_NAUSEA, 0, 2), (9, P_FATIGUE, 3, 15)):
        day = rng.integers(lo, hi, n).astype(float)
        hit = np.flatnonzero((rng.random(n) < share) & (day <= end))
        rows.append((hit, day[hit], np.full(len(hit), term), rng.integers(1, 3, len(hit))))
    p, d, t, g = (np.concatenate([np.asarray(r[i]) for r in rows]) for i in range(4))
    order = np.lexsort((t, d, p))
    p, d, t, g = p[order], d[order], t[order].astype(np.int64), g[order].astype(np.int64)
    serious = (g >= 4) | np.isin(t, (4, 6, 7))
    return AdverseEvents(p, d, t, g, serious)
