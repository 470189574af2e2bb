"""results.json ``safety.lab_te``, ``safety.lab_te_late`` and ``safety.shift`` (safety set):
treatment-emergent worst grades in the acute and late windows, and baseline x worst
post-baseline grade shift tables (derivations.md "Treatment-emergent toxicity and late
effects"; ADLB TRTEMFL, APOSTFL, ALATEFL; the per-patient grades and the shift counts are
derived in the engine: derive/relational/lab_summary.py).

Counts, like ``lab.worst_grade``, cover the patients with at least one graded value of the
test in the window; rates use the safety N. Shift rows are the baseline grade (missing
baseline = 0), columns the worst post-baseline grade in the acute window, whatever the
baseline.
"""

from __future__ import annotations

import pandas as pd

from prrt_rwe.results.safety import GRADES, LAB_TESTS, lab_rates, worst_lab_grades


def lab_te(labs, safety_ids: pd.Index, window: str) -> dict:
    """``lab_te`` (window APOSTFL) or ``lab_te_late`` (ALATEFL)."""
    return lab_rates(worst_lab_grades(labs, safety_ids, window, emergent=True), len(safety_ids))


def shift_tables(labs, safety_ids: pd.Index) -> dict:
    """{test: {baseline grade: {worst post-baseline grade: patients}}}, grades "0"-"4" (the ADLB
    population, i.e. the safety set, counted in the engine)."""
    return {t: {str(b): {str(w): int(labs.shift[t][str(b)][str(w)]) for w in GRADES} for b in GRADES}
            for t in LAB_TESTS}
