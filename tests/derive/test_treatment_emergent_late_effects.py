"""Treatment-emergent grades, the late window and the competing-risk times, one small patient
per rule (derivations.md "Treatment-emergent toxicity and late effects (wave 2)").
C1 = day 0 for everyone; one cycle unless stated, so the acute window ends on day 365."""

from __future__ import annotations

import pandas as pd
import pytest

from derive_builders import cohort, day, treated
from prrt_rwe.derive import kidney


def _plt(pid, d, v):
    return {"patient_id": pid, "date": day(d), "test": "platelets", "value": v, "lln": 150.0}


def _cr(pid, d, v):
    return {"patient_id": pid, "date": day(d), "test": "creatinine", "value": v, "uln": 104.0}


@pytest.fixture(scope="module")
def adam():
    from prrt_rwe.derive import derive_all
    people = [
        treated("te2", last_contact_date=day(400)),     # baseline grade 2 -> post 2: not TE
        treated("te13", last_contact_date=day(400)),    # baseline grade 1 -> post 3: TE
        treated("nobase", last_contact_date=day(400)),  # no baseline: grade 1 after C1 is TE
        treated("late", last_contact_date=day(600)),    # grade 3 on day 500: late window only
        treated("death", death_date=day(200), last_contact_date=day(200)),  # dies, no event
        treated("mds", last_contact_date=day(300)),     # MDS on day 700, after a stale last contact
        treated("ren", last_contact_date=day(500)),     # renal decline (two consecutive)
        treated("renlast", last_contact_date=day(500)),  # qualifying last value alone: no event
        treated("rennobase", last_contact_date=day(500)),  # no baseline: only eGFR < 30 counts
        treated("sameday", death_date=day(100), last_contact_date=day(100)),  # event on death day
    ]
    labs = [
        _plt("te2", -2, 60.0), _plt("te2", 30, 55.0),
        _plt("te13", -2, 100.0), _plt("te13", 30, 40.0), _plt("te13", 60, 30.0),
        _plt("nobase", 30, 120.0),
        _plt("late", -2, 200.0), _plt("late", 500, 30.0),
        _plt("death", -2, 200.0), _plt("death", 30, 160.0),
        _plt("sameday", -2, 200.0), _plt("sameday", 100, 20.0),
        _cr("ren", -2, 70.0), _cr("ren", 100, 150.0), _cr("ren", 200, 80.0), _cr("ren", 300, 160.0),
        _cr("ren", 400, 170.0),
        _cr("renlast", -2, 70.0), _cr("renlast", 100, 80.0), _cr("renlast", 200, 300.0),
        _cr("rennobase", 100, 150.0), _cr("rennobase", 200, 300.0), _cr("rennobase", 300, 320.0),
    ]
    aes = [{"patient_id": "mds", "onset_date": day(700), "term": "Myelodysplastic syndrome", "grade": 2}]
    return derive_all(cohort(*people, labs=labs, adverse_events=aes))


def _te(adam, pid):
    lb = adam.adlb
    rows = lb[(lb["SUBJID"] == pid) & (lb["PARAMCD"] == "platelets") & (lb["ADY"] > 0)]
    return list(zip(rows["ADY"], rows["ATOXGR"], rows["BTOXGR"], rows["TRTEMFL"]))


def test_baseline_grade_2_then_2_is_not_treatment_emergent(adam):
    assert _te(adam, "te2") == [(30, 2, 2, "N")]


def test_baseline_grade_1_then_3_is_treatment_emergent(adam):
    assert _te(adam, "te13") == [(30, 3, 1, "Y"), (60, 3, 1, "Y")]


def test_missing_baseline_counts_as_grade_0(adam):
    (row,) = _te(adam, "nobase")
    assert row[0] == 30 and row[1] == 1 and pd.isna(row[2]) and row[3] == "Y"


def test_late_window_runs_to_the_cutoff(adam):
    lb = adam.adlb
    row = lb[(lb["SUBJID"] == "late") & (lb["ADY"] == 500)].iloc[0]
    assert (row["APOSTFL"], row["ALATEFL"], row["TRTEMFL"]) == ("N", "Y", "Y")


def _tte(adam, code):
    tte = adam.adtte[adam.adtte["PARAMCD"] == code].set_index("SUBJID")
    return {pid: (int(r.AVAL), int(r.CNSR), r.CMPEVFL) for pid, r in tte.iterrows()}


def test_first_te_hematologic_grade3(adam):
    hem = _tte(adam, "HEM3TE")
    assert hem["te13"] == (30, 0, "N")      # first TE grade >= 3 value
    assert hem["late"] == (500, 0, "N")     # late window
    assert hem["te2"] == (400, 1, "N")      # no event: censored at the OS censoring date
    assert hem["sameday"] == (100, 0, "N")  # event on the death date counts as the event


def test_death_before_any_toxicity_is_the_competing_event(adam):
    for code in ("HEM3TE", "MDSAML", "RENDECL"):
        assert _tte(adam, code)["death"] == (200, 1, "Y")


def test_mds_after_last_contact_is_an_event(adam):
    mds = _tte(adam, "MDSAML")
    # the onset (day 700) is a recorded date: OS is censored there too, not at the stale day 300
    assert mds["mds"] == (700, 0, "N")
    os_ = adam.adtte[(adam.adtte["PARAMCD"] == "OS") & (adam.adtte["SUBJID"] == "mds")]
    assert int(os_["AVAL"].iloc[0]) == 700
    assert mds["te13"] == (400, 1, "N")


def test_renal_decline_needs_two_consecutive_qualifying_values(adam):
    base = kidney.ckd_epi_2021(70.0, 60 - 2 / 365.25, "M")
    values = {d: kidney.ckd_epi_2021(v, 60 + d / 365.25, "M") for d, v in
              ((100, 150.0), (200, 80.0), (300, 160.0), (400, 170.0))}
    # day 100 qualifies (<= 60 % of baseline), day 200 does not, days 300 and 400 both do
    assert values[100] <= 0.6 * base and values[200] > 0.6 * base
    assert values[300] <= 0.6 * base and values[400] <= 0.6 * base
    ren = _tte(adam, "RENDECL")
    assert ren["ren"] == (300, 0, "N")
    assert ren["renlast"] == (500, 1, "N")        # the qualifying day-200 value is the last
    # without baseline: 150 umol/L (eGFR ~45) does not qualify, 300 and 320 (< 30) do
    assert kidney.ckd_epi_2021(150.0, 60, "M") > 30 > kidney.ckd_epi_2021(300.0, 60, "M")
    assert ren["rennobase"] == (200, 0, "N")


def test_adsl_carries_the_fine_gray_covariates(adam):
    adsl = adam.adsl.set_index("SUBJID")
    assert adsl.loc["te2", "activity_c1_gbq"] == pytest.approx(7.4)
    assert "bone_metastases" in adsl.columns
