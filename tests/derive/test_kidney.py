"""eGFR CKD-EPI 2021 and the 12-month change (derivations.md "Kidney function")."""

from __future__ import annotations

import pytest

from derive_builders import cohort, day, treated
from prrt_rwe.derive import kidney

# The six check values of derivations.md (sex, age, Scr mg/dL, eGFR to 1 decimal).
CHECKS = [("F", 55, 0.9, 75.5), ("M", 60, 1.0, 86.2), ("F", 40, 0.7, 112.1),
          ("M", 70, 0.6, 103.8), ("M", 64, 1.5, 51.7), ("F", 75, 2.0, 25.6)]


@pytest.mark.parametrize("sex,age,scr_mgdl,expected", CHECKS)
def test_ckd_epi_2021_check_values(sex, age, scr_mgdl, expected):
    # creatinine is stored in umol/L; mg/dL = umol/L / 88.42
    egfr = kidney.ckd_epi_2021(scr_mgdl * 88.42, age, sex)
    assert round(float(egfr), 1) == expected


def test_ckd_epi_by_hand_male_60_scr_1():
    # M, Scr/k = 1.0/0.9 > 1: 142 x 1 x (1/0.9)^-1.2 x 0.9938^60
    expected = 142 * (1 / 0.9) ** -1.2 * 0.9938 ** 60
    assert kidney.ckd_epi_2021(88.42, 60, "M") == pytest.approx(expected, rel=1e-12)


def _creat(pid, d, v):
    return {"patient_id": pid, "date": day(d), "test": "creatinine", "value": v, "uln": 104.0}


@pytest.fixture(scope="module")
def adam():
    from prrt_rwe.derive import derive_all
    labs = [
        # a: baseline 80 at day -3; candidates day 300 (outside), 340 and 390 (both 25 days
        # from 365: the earlier, 340, wins), 426 (outside)
        _creat("a", -3, 80.0), _creat("a", 300, 200.0), _creat("a", 340, 120.0),
        _creat("a", 390, 60.0), _creat("a", 426, 300.0),
        # b: baseline 70; 12-month value on day 425 (window edge, included)
        _creat("b", 0, 70.0), _creat("b", 425, 72.0),
        # c: no value in days 305-425 -> not in the denominator
        _creat("c", -1, 70.0), _creat("c", 304, 90.0),
    ]
    people = [treated("a", age=60), treated("b", age=50, sex="F"), treated("c")]
    return derive_all(cohort(*people, labs=labs))


def test_twelve_month_value_and_decline(adam):
    ch = adam.egfr_change.set_index("SUBJID")
    assert list(ch.index) == ["a", "b"]
    base_a = kidney.ckd_epi_2021(80.0, 60, "M")
    m12_a = kidney.ckd_epi_2021(120.0, 61, "M")   # day 340 (earlier on the tie), age + 1
    assert ch.loc["a", "ADY_12M"] == 340
    assert ch.loc["a", "EGFR_BASE"] == pytest.approx(base_a)
    assert ch.loc["a", "EGFR_12M"] == pytest.approx(m12_a)
    # (base - m12) / base >= 0.30 ?
    # 80 -> 120 umol/L lowers eGFR by more than 30 % (computed above: see the two values)
    assert (base_a - m12_a) / base_a > 0.30 and bool(ch.loc["a", "DECL30FL"]) is True
    assert ch.loc["b", "ADY_12M"] == 425
    assert bool(ch.loc["b", "DECL30FL"]) is False


def test_decline_boundary_exactly_30_percent():
    # ">= 30 % decline": 80 -> 56 is exactly 30 % (counts); 80 -> 56.1 is 29.875 % (does not)
    assert kidney.decline30([80.0, 80.0, 100.0], [56.0, 56.1, 70.0]).tolist() == [True, False, True]


def test_egfr_rows_in_adlb(adam):
    lb = adam.adlb
    eg = lb[(lb["SUBJID"] == "a") & (lb["PARAMCD"] == "EGFR")]
    assert len(eg) == 5
    # wave 2: age at each value = age at C1 + (date - C1) / 365.25 (baseline on day -3)
    assert eg["AVAL"].iloc[0] == pytest.approx(kidney.ckd_epi_2021(80.0, 60 - 3 / 365.25, "M"), rel=1e-12)
    assert eg["AVAL"].iloc[2] == pytest.approx(kidney.ckd_epi_2021(120.0, 60 + 340 / 365.25, "M"), rel=1e-12)
