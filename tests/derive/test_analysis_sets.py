"""Analysis sets, exclusion counts and ADSL covariates (derivations.md "Analysis sets",
"Baseline covariates")."""

from __future__ import annotations

import pandas as pd
import pytest

from derive_builders import build, cohort, day, treated
from prrt_rwe.config import parse_config


@pytest.fixture(scope="module")
def adam():
    from prrt_rwe.derive import derive_all
    people = [
        treated("ok"),
        # no cycle AND no baseline scan AND missing ki67: counted once, under the first reason
        {"patient": {"patient_id": "nocyc", "ki67_percent": None}, "cycles": [], "assessments": []},
        # cycles but the only scan is after C1, and ki67 missing: "no baseline assessment"
        {**treated("nobase", ki67_percent=None), "assessments": [
            {"patient_id": "nobase", "date": day(30), "overall_response": "SD"}]},
        # baseline scan on the C1 date counts ("dated on or before C1"); ki67 missing
        {**treated("c1scan", ki67_percent=None), "assessments": [{"patient_id": "c1scan", "date": day(0)}]},
        # liver metastases yes, lesion size missing: liver_lesion_le30 missing
        treated("liveryes", liver_metastases=True, liver_tumor_burden_percent=20.0),
        # liver metastases empty, both numbers given: flags from the numbers
        treated("liverempty", liver_metastases=None, liver_tumor_burden_percent=50.0,
                largest_liver_lesion_mm=30.0),
        # liver metastases no, numbers contradict: flags true "whatever the numbers"
        treated("liverno", liver_metastases=False, liver_tumor_burden_percent=80.0,
                largest_liver_lesion_mm=45.0),
        treated("nossa", ssa_concomitant=None),
    ]
    return derive_all(cohort(*people))


def test_exclusion_counts_first_reason(adam):
    # nocyc -> no PRRT cycle; nobase -> no baseline assessment; c1scan, liveryes, nossa ->
    # missing covariate (ki67, liver_lesion_le30, ssa_concomitant)
    assert adam.exclusions == [("no PRRT cycle", 1), ("no baseline assessment", 1),
                               ("missing covariate", 3)]
    a = adam.adsl.set_index("SUBJID")
    assert a.loc["nocyc", "EXCLRSN"] == "no PRRT cycle"
    assert a.loc["nobase", "EXCLRSN"] == "no baseline assessment"
    assert a.loc["c1scan", "EXCLRSN"] == "missing covariate"
    assert (a.loc["nocyc", "SAFFL"], a.loc["nocyc", "EFFFL"]) == ("N", "N")
    assert (a.loc["nobase", "SAFFL"], a.loc["nobase", "EFFFL"]) == ("Y", "N")
    assert (a.loc["ok", "SAFFL"], a.loc["ok", "EFFFL"]) == ("Y", "Y")
    assert a["EFFFL"].eq("Y").sum() == 3   # ok, liverempty, liverno


def test_adsl_one_row_per_enrolled_others_safety_only(adam):
    assert len(adam.adsl) == 8
    assert "nocyc" not in set(adam.adtte["SUBJID"])
    assert "nocyc" not in set(adam.adrs["SUBJID"])


@pytest.mark.parametrize("pid,burden,lesion", [
    ("liveryes", True, None),      # yes: 20 < 50 -> true; lesion missing -> missing
    ("liverempty", False, True),   # empty: 50 < 50 false; 30 <= 30 true
    ("liverno", True, True),       # no: true whatever the numbers (80 %, 45 mm)
    ("ok", True, True),            # no liver metastases and empty lesion size: complete, true
])
def test_liver_flags(adam, pid, burden, lesion):
    row = adam.adsl.set_index("SUBJID").loc[pid]
    got = (row["liver_burden_lt50"], row["liver_lesion_le30"])
    assert tuple(None if pd.isna(v) else bool(v) for v in got) == (burden, lesion)


def test_primary_group_and_thresholds():
    from prrt_rwe.derive import derive_all
    sites = {"1": ("pancreas", "pancreas"), "2": ("duodenum", "foregut"),
             "3": ("cecum", "midgut"), "4": ("rectum", "hindgut"), "5": ("thymus", "other")}
    ki67 = {"1": 9.9, "2": 10.0, "3": None, "4": 2.0, "5": 30.0}
    kren = {"1": 4, "2": 3, "3": 4, "4": None, "5": 4}
    people = [treated(p, primary_site=s, ki67_percent=ki67[p], krenning_score=kren[p])
              for p, (s, _) in sites.items()]
    adsl = derive_all(cohort(*people)).adsl.set_index("SUBJID")
    assert adsl["primary_group"].to_dict() == {p: g for p, (_, g) in sites.items()}
    # ki67 < 10: 9.9 true, 10.0 false; missing stays missing
    assert adsl["ki67_lt10"].tolist()[:2] == [True, False]
    assert adsl["ki67_lt10"].isna().tolist() == [False, False, True, False, False]
    # krenning == 4
    assert adsl["krenning4"].isna().tolist() == [False, False, False, True, False]
    assert adsl["krenning4"].fillna(False).tolist() == [True, False, True, False, True]


def test_cycles_and_activity():
    from prrt_rwe.derive import derive_all
    con = build([{"patient_id": "1"}],
                cycles=[{"patient_id": "1", "cycle": 1, "date": day(0), "activity_gbq": 7.4},
                        {"patient_id": "1", "cycle": 2, "date": day(56), "activity_gbq": 7.3},
                        {"patient_id": "1", "cycle": 3, "date": day(112), "activity_gbq": 5.5}])
    row = derive_all(con).adsl.iloc[0]
    assert row["n_cycles"] == 3
    assert row["cumulative_activity_gbq"] == pytest.approx(7.4 + 7.3 + 5.5)
    assert str(row["TRTEDT"].date()) == day(112)


def test_complete_case_covariates_do_not_follow_model_formula():
    # derivations.md "Study period and populations": changing a model formula never changes
    # the headline population; [study] complete_case_covariates does.
    from prrt_rwe.derive import derive_all
    nossa = cohort(treated("nossa", ssa_concomitant=None))
    cfg = parse_config({"models": {"pfs": "pfs ~ ki67_lt10 + krenning4"}})
    adsl = derive_all(nossa, cfg).adsl
    assert adsl["EFFFL"].tolist() == ["N"] and adsl["EVALFL"].tolist() == ["Y"]
    assert adsl["EXCLRSN"].tolist() == ["missing covariate"]
    cfg = parse_config({"study": {"complete_case_covariates": ["ki67_lt10", "krenning4"]}})
    assert derive_all(nossa, cfg).adsl["EFFFL"].tolist() == ["Y"]
    bad = parse_config({"models": {"pfs": "pfs ~ not_a_variable"}})
    with pytest.raises(ValueError, match="not_a_variable"):
        derive_all(cohort(treated("x")), bad)


def test_evaluable_flag_and_data_cutoff():
    # EVALFL = safety set with a baseline assessment (derivations.md "Study period and
    # populations"); DCUTDT = [study] data_cutoff, else the latest date in the registry.
    from prrt_rwe.derive import derive_all
    nobase = treated("nobase", n_cycles=3)          # cycles on days 0, 56, 112: the latest date
    nobase["assessments"] = []
    con = cohort(treated("a"), nobase, labs=[{"patient_id": "a", "date": day(90), "test": "platelets",
                                              "value": 200.0}])
    adsl = derive_all(con).adsl
    assert adsl["EVALFL"].tolist() == ["Y", "N"]
    assert adsl["EXCLRSN"].tolist()[1] == "no baseline assessment"
    assert [str(d.date()) for d in adsl["DCUTDT"]] == [day(112), day(112)]
    cfg = parse_config({"study": {"data_cutoff": "2030-01-31"}})
    assert str(derive_all(con, cfg).adsl["DCUTDT"].iloc[0].date()) == "2030-01-31"
