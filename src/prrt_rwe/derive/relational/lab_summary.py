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
from prrt_rwe.derive.relational.labs import param_codes, text

# Aggregates with FILTER and arithmetic, never the grade inside a CASE branch: the engine then
# computes the (long) grade expression of prrt_lab once per row (DuckDB does not share an
# expression that sits in a conditional branch).
_TE = "grade * CAST(trtemfl AS INTEGER)"   # the grade when treatment-emergent, else 0

PER_TEST_SQL = """
SELECT pidx, test,
       max(grade) FILTER (WHERE apostfl) AS worst,
       max({te}) FILTER (WHERE apostfl AND grade IS NOT NULL) AS te,
       max({te}) FILTER (WHERE alatefl AND grade IS NOT NULL) AS te_late,
       min(date) FILTER (WHERE trtemfl AND alatefl AND grade >= 3 AND test IN ({hematologic})) AS hem3_date,
       sum(CAST(rangedef AS INTEGER)) AS n_defaulted
FROM {rows} WHERE test IN ({graded})
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


def per_test_sql(rows: str = "prrt_lab", code=text) -> str:
    """``prrt_lab_pt``'s rows from the lab rows ``rows`` (prrt_lab's columns pidx, test, date,
    grade and the flags); ``code(test)``: the SQL constant of a test code in ``rows``."""
    return PER_TEST_SQL.format(rows=rows, graded=", ".join(code(t) for t in ctcae.GRADED_TESTS),
                               hematologic=", ".join(code(t) for t in HEMATOLOGIC_LAB_TESTS), te=_TE)


def stage(engine) -> None:
    engine.materialize("prrt_lab_pt", per_test_sql())


def part_statement(rows: str, first: bool) -> str:
    """DuckDB, labs.py write_adlb: ``prrt_lab_pt`` made part by part from the lab rows of each
    ADLB part as written (``rows``, ``test`` as its rank in labs.param_codes(): grouped on an
    integer; a patient's rows are all in one part, so the same rows as :func:`stage`'s), the
    grades not computed a second time (issue 17)."""
    codes = param_codes()
    names = " ".join(f"WHEN {i} THEN {text(c)}" for i, c in enumerate(codes))
    select = (f"SELECT pidx, CASE test {names} END AS test, worst, te, te_late, hem3_date, n_defaulted "
              f"FROM ({per_test_sql(rows, lambda t: str(codes.index(t)))}) s")
    return (f"CREATE OR REPLACE TEMP TABLE prrt_lab_pt AS {select}" if first
            else f"INSERT INTO prrt_lab_pt {select}")
