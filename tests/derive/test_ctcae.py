"""CTCAE v5.0 lab grades: each boundary on both sides, and ADLB windows/ranges.

Rules: derivations.md "Laboratory toxicity" (half-open intervals as CTCAE writes them;
`<75-50` means 50 <= x < 75; creatinine `>1.5-3.0 x ULN` means 1.5 ULN < x <= 3.0 ULN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from derive_builders import cohort, day, treated
from prrt_rwe.derive import ctcae

# (value, LLN, expected grade) -- CTCAE v5.0 "Platelet count decreased", LLN 150.
PLATELETS = [
    (150.0, 150, 0), (149.9, 150, 1),   # G1 = [75, LLN)
    (75.0, 150, 1), (74.9, 150, 2),     # exactly 75 is grade 1
    (50.0, 150, 2), (49.9, 150, 3),     # exactly 50 is grade 2
    (25.0, 150, 3), (24.9, 150, 4),     # exactly 25 is grade 3
    (72.0, 70, 2),                      # >= LLN but < 75: grade 2 by the absolute limit
]
NEUTROPHILS = [
    (2.0, 2.0, 0), (1.99, 2.0, 1),
    (1.5, 2.0, 1), (1.49, 2.0, 2),
    (1.0, 2.0, 2), (0.99, 2.0, 3),
    (0.5, 2.0, 3), (0.49, 2.0, 4),
]
WBC = [(4.0, 4.0, 0), (3.0, 4.0, 1), (2.99, 4.0, 2), (2.0, 4.0, 2), (1.99, 4.0, 3),
       (1.0, 4.0, 3), (0.99, 4.0, 4)]
LYMPHOCYTES = [(1.0, 1.0, 0), (0.8, 1.0, 1), (0.79, 1.0, 2), (0.5, 1.0, 2), (0.49, 1.0, 3),
               (0.2, 1.0, 3), (0.19, 1.0, 4)]
# hemoglobin g/L, LLN 120: G1 [100, LLN), G2 [80, 100), G3 < 80, grade 4 not lab-gradable.
HEMOGLOBIN = [(120.0, 120, 0), (119.9, 120, 1), (100.0, 120, 1), (99.9, 120, 2),
              (80.0, 120, 2), (79.9, 120, 3), (40.0, 120, 3)]


@pytest.mark.parametrize("test,cases", [("platelets", PLATELETS), ("neutrophils", NEUTROPHILS),
                                        ("wbc", WBC), ("lymphocytes", LYMPHOCYTES),
                                        ("hemoglobin", HEMOGLOBIN)])
def test_decrease_boundaries(test, cases):
    value, lln, expected = (np.array(c, dtype=float) for c in zip(*cases))
    np.testing.assert_array_equal(ctcae.grade_decrease(test, value, lln), expected)


# (value, ULN, baseline, grade): ULN 100 umol/L.
CREATININE = [
    (100.0, 100, np.nan, 0), (100.1, 100, np.nan, 1),   # G1 > ULN
    (150.0, 100, np.nan, 1), (150.1, 100, np.nan, 2),   # exactly 1.5 x ULN is grade 1
    (300.0, 100, np.nan, 2), (300.1, 100, np.nan, 3),   # exactly 3 x ULN is grade 2
    (600.0, 100, np.nan, 3), (600.1, 100, np.nan, 4),   # exactly 6 x ULN is grade 3
    (180.0, 400, 60.0, 2), (180.1, 400, 60.0, 3),       # exactly 3 x baseline is grade 2; above -> 3
    (90.0, 100, 60.0, 0), (90.1, 100, 60.0, 2),         # <= ULN: 1.5 x baseline (90) -> 0; above -> 2
    (150.0, 100, 40.0, 3),                              # ULN gives 1, 3.75 x baseline gives 3: highest
]


def test_creatinine_boundaries_and_highest_criterion():
    value, uln, base, expected = (np.array(c, dtype=float) for c in zip(*CREATININE))
    np.testing.assert_array_equal(ctcae.grade_creatinine(value, uln, base), expected)


def test_converted_values_exactly_on_a_limit_keep_the_lower_grade():
    # creatinine 2.1 mg/dL with ULN 0.7 mg/dL is exactly 3 x ULN -> grade 2 (">3.0-6.0 x ULN"
    # starts above); in binary 2.1 * 88.42 > 3 * (0.7 * 88.42), so the comparison must
    # treat a relative 1e-9 as equality. Same for 1.05 = 1.5 x 0.7 mg/dL -> grade 1.
    value = np.array([2.1 * 88.42, 1.05 * 88.42])
    uln = np.array([0.7 * 88.42, 0.7 * 88.42])
    assert (value > 3 * uln)[0]   # the rounding this guards against
    np.testing.assert_array_equal(ctcae.grade_creatinine(value, uln, np.nan), [2.0, 1.0])
    # baseline-relative: 2.1 mg/dL = exactly 3 x baseline 0.7 mg/dL -> grade 2, not 3
    np.testing.assert_array_equal(ctcae.grade_creatinine([2.1 * 88.42], [1e9], [0.7 * 88.42]), [2.0])


def _lab(pid, d, test, value, **kw):
    return {"patient_id": pid, "date": day(d), "test": test, "value": value, **kw}


@pytest.fixture(scope="module")
def adam():
    from prrt_rwe.derive import derive_all
    # patient "w": 2 cycles (day 0, day 56) -> post-baseline window days 1 .. 56 + 365 = 421
    people = [treated("w", n_cycles=2, every=56), treated("f", sex="F"), treated("m", sex="M"),
              treated("u")]
    labs = [
        _lab("w", -31, "platelets", 10.0, lln=150.0),   # before the baseline window
        _lab("w", -30, "platelets", 60.0, lln=150.0),   # in the window, not the last
        _lab("w", 0, "platelets", 140.0, lln=150.0),    # C1 date: baseline (last in window)
        _lab("w", 1, "platelets", 140.0, lln=150.0),    # post-baseline, grade 1
        _lab("w", 421, "platelets", 40.0, lln=150.0),   # last cycle + 365: included, grade 3
        _lab("w", 422, "platelets", 10.0, lln=150.0),   # outside the window
        _lab("w", 100, "lymphocytes", 0.3, lln=1.0),    # grade 3 lymphopenia only
        # default ranges: hemoglobin LLN 120 (F) / 135 (M); creatinine ULN 84 (F) / 104 (M)
        _lab("f", 30, "hemoglobin", 125.0), _lab("m", 30, "hemoglobin", 125.0),
        _lab("f", 30, "creatinine", 90.0), _lab("m", 30, "creatinine", 90.0),
        _lab("f", 40, "platelets", 149.0),              # LLN default 150 -> grade 1
        # unit-converted results stored canonical by ingest (g/L): 6.2 mmol/L x 16.114 = 99.9068
        _lab("u", 30, "hemoglobin", 6.2 * 16.114, value_original=6.2, unit_original="mmol/L", lln=120.0),
        _lab("u", 31, "hemoglobin", 10.0 * 10, value_original=10.0, unit_original="g/dL", lln=120.0),
    ]
    return derive_all(cohort(*people, labs=labs))


def _rows(adam, pid, test):
    lb = adam.adlb
    return lb[(lb["SUBJID"] == pid) & (lb["PARAMCD"] == test)].reset_index(drop=True)


def test_baseline_is_last_value_in_c1_minus_30_through_c1(adam):
    rows = _rows(adam, "w", "platelets")
    assert rows["ADY"].tolist() == [-31, -30, 0, 1, 421, 422]
    assert rows["ABLFL"].tolist() == ["N", "N", "Y", "N", "N", "N"]
    # baseline value 140 < LLN 150 -> grade 1 on every row of the test
    assert rows["BTOXGR"].tolist() == [1] * 6


def test_post_baseline_window_through_last_cycle_plus_365(adam):
    rows = _rows(adam, "w", "platelets")
    assert rows["APOSTFL"].tolist() == ["N", "N", "N", "Y", "Y", "N"]
    assert rows["ATOXGR"].tolist() == [4, 2, 1, 1, 3, 4]


def test_worst_grade_counts_and_flags(adam):
    # w: worst post-baseline platelets = 3 (day 421; day 422 outside); f: 1; m, u: no value
    assert adam.worst_grades["platelets"] == {"0": 0, "1": 1, "2": 0, "3": 1, "4": 0}
    assert adam.worst_grades["lymphocytes"] == {"0": 0, "1": 0, "2": 0, "3": 1, "4": 0}
    flags = adam.adsl.set_index("SUBJID")
    # hematologic >= 3 from platelets (w); lymphopenia counted separately
    assert flags.loc["w", "LBHEM3FL"] == "Y" and flags.loc["w", "LBLYM3FL"] == "Y"
    assert flags.loc["f", "LBHEM3FL"] == "N"


@pytest.mark.parametrize("pid,test,limit,value,grade", [
    ("f", "hemoglobin", 120.0, 125.0, 0),   # 125 >= 120 (F default)
    ("m", "hemoglobin", 135.0, 125.0, 1),   # 125 < 135 (M default)
    ("f", "creatinine", 84.0, 90.0, 1),     # 90 > 84 (F default ULN)
    ("m", "creatinine", 104.0, 90.0, 0),    # 90 <= 104 (M default ULN)
    ("f", "platelets", 150.0, 149.0, 1),
])
def test_default_ranges_by_sex(adam, pid, test, limit, value, grade):
    row = _rows(adam, pid, test).iloc[0]
    col = "ANRHI" if test == "creatinine" else "ANRLO"
    assert (row[col], row["RANGEDEF"], row["AVAL"], row["ATOXGR"]) == (limit, "Y", value, grade)


def test_site_range_is_not_flagged_default(adam):
    assert set(_rows(adam, "w", "platelets")["RANGEDEF"]) == {"N"}


def test_unit_converted_hemoglobin_graded_on_canonical_value(adam):
    rows = _rows(adam, "u", "hemoglobin")
    # 99.9068 g/L -> [80, 100) grade 2; 100 g/L (10 g/dL) -> [100, 120) grade 1
    assert rows["ATOXGR"].tolist() == [2, 1]
    assert rows["AVALU"].tolist() == ["g/L", "g/L"]
    assert rows["AVALU_ORIG"].tolist() == ["mmol/L", "g/dL"]
    assert rows["AVAL_ORIG"].tolist() == [6.2, 10.0]


def test_creatinine_baseline_relative_grade_in_adlb():
    from prrt_rwe.derive import derive_all
    labs = [_lab("1", -5, "creatinine", 50.0, uln=100.0),   # baseline 50
            _lab("1", 30, "creatinine", 80.0, uln=100.0)]   # <= ULN but 1.6 x baseline -> 2
    adam = derive_all(cohort(treated("1"), labs=labs))
    rows = _rows(adam, "1", "creatinine")
    assert rows["ATOXGR"].tolist() == [0, 2]
    assert rows["BASE"].tolist() == [50.0, 50.0]


def test_ungraded_test_has_no_grade_and_no_default_range():
    from prrt_rwe.derive import derive_all
    adam = derive_all(cohort(treated("1"), labs=[_lab("1", 30, "alt", 200.0)]))
    row = _rows(adam, "1", "alt").iloc[0]
    assert pd.isna(row["ATOXGR"]) and row["RANGEDEF"] == "N" and np.isnan(row["ANRLO"])
    assert all(sum(v.values()) == 0 for v in adam.worst_grades.values())
