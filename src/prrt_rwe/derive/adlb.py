"""ADLB: lab results of safety-set patients with ranges, baseline, windows and CTCAE grades.

Source: shared/spec/derivations.md "Laboratory toxicity"; grades from ctcae.py. The steps run
in the engine (derive/relational/labs.py, lab_summary.py; issue 17), written once as SQL:
1. Keep results of safety-set patients (C1 known); ADY = date - C1 (day 0 = C1).
2. ANRLO/ANRHI = the site range (canonical units, as ingest stored it); when the limit a
   graded test uses (LLN for counts and hemoglobin, ULN for creatinine) is missing, the
   default of ctcae.DEFAULT_RANGES by sex is used and RANGEDEF = Y.
3. Baseline (ABLFL) = per patient and test the last result dated C1 - baseline_window_days
   through C1 (both included); on one date the last row of the file.
4. Post-baseline (APOSTFL) = strictly after C1 through last cycle + window_days (included).
5. ATOXGR = CTCAE v5 grade of the row (creatinine with the patient's baseline creatinine as
   BASE); BTOXGR = grade of the baseline row of that test.
6. Worst grade per patient and test = highest ATOXGR among APOSTFL rows (whatever the
   baseline grade), for patients with at least one post-baseline result.
Treatment-emergent (derivations.md "Treatment-emergent toxicity and late effects (wave 2)";
the shift logic of admiral's ATOXGR/BTOXGR):
7. TRTEMFL = a value strictly after C1 whose grade is greater than the baseline grade (BTOXGR,
   0 when the patient has no baseline value of that test): 2 -> 2 is not treatment-emergent,
   1 -> 3 is; ungraded tests are never flagged.
8. ALATEFL = late window: strictly after C1 through the data cut-off (included; derive/cutoff.py
   has already dropped every value after it); the acute window is APOSTFL.
The file is written by the engine (``COPY ... TO``); Python reads one row per patient
(derive/lab_results.py). tests/derive/lab_reference.py keeps the earlier pandas derivation as
the reference the engine's output is tested against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GRADES = (0, 1, 2, 3, 4)
# derivations.md: hematologic grade >= 3 (lab) tests; lymphopenia reported separately.
HEMATOLOGIC_LAB_TESTS = ("platelets", "neutrophils", "wbc", "hemoglobin")
RENAL_LAB_TESTS = ("creatinine",)


def worst_grade_counts(worst: pd.DataFrame, safety: np.ndarray) -> dict[str, dict[str, int]]:
    """results.json safety.lab.worst_grade: counts of grades 0-4 per test (safety patients with a value)."""
    out = {}
    for name in worst.columns:
        w = worst[name].to_numpy()[np.asarray(safety, dtype=bool)]
        out[name] = {str(g): int((w == g).sum()) for g in GRADES}
    return out
