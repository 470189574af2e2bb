"""Per patient from ADLB, in the engine (rules: derive/adlb.py steps 6-8,
late_effects.py step 1; results/safety.py, treatment_emergent.py): for each graded test the
worst grade in the acute window (APOSTFL, whatever the baseline), the treatment-emergent worst
grade in the acute and in the late window (a value that is not treatment-emergent counts as
0; NULL without a graded value in the window), the baseline grade, and the date of the first
treatment-emergent haematologic grade >= 3 value in the late window; the baseline platelet
count; the shift-table counts and the defaulted reference ranges per test.

``prrt_lab_pt`` (materialised): one row per patient and graded test.
"""

from __future__ import annotations

from prrt_rwe.derive import ctcae
from prrt_rwe.derive.adlb import HEMATOLOGIC_LAB_TESTS
from prrt_rwe.derive.relational.labs import text

GRADED = ", ".join(text(t) for t in ctcae.GRADED_TESTS)
HEMATOLOGIC = ", ".join(text(t) for t in HEMATOLOGIC_LAB_TESTS)
# Aggregates with FILTER and arithmetic, never the grade inside a CASE branch: the engine then
# computes the (long) grade expression of prrt_lab once per row (DuckDB does not share an
# expression that sits in a conditional branch).
_TE = "grade * CAST(trtemfl AS INTEGER)"   # the grade when treatment-emergent, else 0

PER_TEST_SQL = f"""
SELECT pidx, test,
       max(grade) FILTER (WHERE apostfl) AS worst,
       max({_TE}) FILTER (WHERE apostfl AND grade IS NOT NULL) AS te,
       max({_TE}) FILTER (WHERE alatefl AND grade IS NOT NULL) AS te_late,
       min(date) FILTER (WHERE trtemfl AND alatefl AND grade >= 3 AND test IN ({HEMATOLOGIC})) AS hem3_date,
       sum(CAST(rangedef AS INTEGER)) AS n_defaulted
FROM prrt_lab WHERE test IN ({GRADED})
GROUP BY pidx, test
"""

KINDS = ("worst", "te", "te_late", "baseline")


def _pivot() -> str:
    cols = []
    for test in ctcae.GRADED_TESTS:
        for kind in KINDS[:3]:
            cols.append(f"max(CASE WHEN t.test = {text(test)} THEN t.{kind} END) AS {kind}_{test}")
    return ", ".join(cols)


def _baseline_pivot() -> str:
    cols = [f"max(CASE WHEN b.test = {text(t)} THEN b.grade END) AS baseline_{t}" for t in ctcae.GRADED_TESTS]
    return ", ".join(cols + ["max(CASE WHEN b.test = 'platelets' THEN b.value END) AS baseline_platelets_value"])


PATIENT_SQL = f"""
WITH pt AS (SELECT t.pidx, {_pivot()}, min(t.hem3_date) AS hem3_date FROM prrt_lab_pt t GROUP BY t.pidx),
bl AS (SELECT b.pidx, {_baseline_pivot()} FROM prrt_lab_base b GROUP BY b.pidx)
SELECT p.pidx, {", ".join(f"pt.{k}_{t}" for t in ctcae.GRADED_TESTS for k in KINDS[:3])}, pt.hem3_date,
       {", ".join(f"bl.baseline_{t}" for t in ctcae.GRADED_TESTS)}, bl.baseline_platelets_value
FROM prrt_patients p LEFT JOIN pt ON pt.pidx = p.pidx LEFT JOIN bl ON bl.pidx = p.pidx
ORDER BY p.pidx
"""

SHIFT_SQL = f"""
SELECT t.test, coalesce(b.grade, 0) AS base, t.worst, count(*) AS n
FROM prrt_lab_pt t LEFT JOIN prrt_lab_base b ON b.pidx = t.pidx AND b.test = t.test
WHERE t.worst IS NOT NULL
GROUP BY t.test, coalesce(b.grade, 0), t.worst
"""

DEFAULTED_SQL = "SELECT test, sum(n_defaulted) AS n FROM prrt_lab_pt GROUP BY test"


def stage(engine) -> None:
    engine.materialize("prrt_lab_pt", PER_TEST_SQL)
