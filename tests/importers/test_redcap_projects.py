"""Projects unlike the template: longitudinal events, checkboxes, a data access group as site.

Small hand-made exports of the template's dictionary; the expected format-v1 rows are written out
in each test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from prrt_rwe.importers.problems import ImportFailed
from prrt_rwe.importers.redcap.convert import convert_export, import_redcap
from prrt_rwe.importers.redcap.template import write_template

PATIENT = {"patient_id": "7", "sex": "F", "age": "61", "primary_site": "pancreas", "ki67_percent": "3",
           "krenning_score": "4", "liver_metastases": "0", "ssa_concomitant": "1"}


def _write(path: Path, header: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows([[r.get(c, "") for c in header] for r in rows])
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def dictionary(tmp_path) -> Path:
    write_template(tmp_path / "template")
    return tmp_path / "template" / "data_dictionary.csv"


LONG_HEADER = ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
               "redcap_data_access_group", *PATIENT, "last_contact_date", "death_date", "cyc_cycle",
               "cyc_date", "cyc_activity_gbq", "asm_date", "asm_overall_response"]


def _longitudinal(tmp_path) -> Path:
    return _write(tmp_path / "long.csv", LONG_HEADER, [
        {"record_id": "r1", "redcap_event_name": "baseline_arm_1", "redcap_data_access_group": "osaka",
         **PATIENT},
        {"record_id": "r1", "redcap_event_name": "baseline_arm_1", "redcap_repeat_instrument": "assessments",
         "redcap_repeat_instance": "1", "redcap_data_access_group": "osaka", "asm_date": "2022-01-03"},
        {"record_id": "r1", "redcap_event_name": "cycle_1_arm_1", "redcap_data_access_group": "osaka",
         "cyc_cycle": "1", "cyc_date": "2022-01-10", "cyc_activity_gbq": "7.4"},
        {"record_id": "r1", "redcap_event_name": "cycle_2_arm_1", "redcap_data_access_group": "osaka",
         "cyc_cycle": "2", "cyc_date": "2022-03-07", "cyc_activity_gbq": "7.3"},
        {"record_id": "r1", "redcap_event_name": "followup_arm_1", "redcap_repeat_instrument": "assessments",
         "redcap_repeat_instance": "1", "redcap_data_access_group": "osaka", "asm_date": "2022-04-11",
         "asm_overall_response": "PR"},
        {"record_id": "r1", "redcap_event_name": "followup_arm_1", "redcap_data_access_group": "osaka",
         "last_contact_date": "2023-02-01"},
        {"record_id": "r1", "redcap_event_name": "screening_arm_1", "redcap_data_access_group": "osaka"},
    ])


def test_longitudinal_events_from_the_mapping(tmp_path, dictionary):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[site]\nvalues = {osaka = "OSK"}\n[events]\n'
                       'patients = ["baseline_arm_1", "followup_arm_1"]\n'
                       'cycles = ["cycle_1_arm_1", "cycle_2_arm_1"]\n', encoding="utf-8")
    result = import_redcap(_longitudinal(tmp_path), dictionary, tmp_path / "out", mapping=mapping)
    patients = _read(tmp_path / "out" / "patients.csv")
    # patients from both named events: demographics at baseline, last contact at follow-up
    assert [(p["site_id"], p["patient_id"], p["last_contact_date"], p["liver_metastases"])
            for p in patients] == [("OSK", "7", "2023-02-01", "no")]
    # one cycle per named event (rows without a repeat instrument)
    assert [(c["cycle"], c["date"], c["activity_gbq"]) for c in _read(tmp_path / "out" / "cycles.csv")] == [
        ("1", "2022-01-10", "7.4"), ("2", "2022-03-07", "7.3")]
    # repeat instances keyed by (event, instrument, instance): instance 1 twice, in two events
    assert [(a["date"], a["overall_response"]) for a in _read(tmp_path / "out" / "assessments.csv")] == [
        ("2022-01-03", ""), ("2022-04-11", "PR")]
    assert result.report.to_dict()["values_not_mapped"] == [
        {"source": "redcap_event_name", "value": "screening_arm_1", "why": "not a form or event of the mapping",
         "rows": 1}]


def test_longitudinal_export_needs_the_events_of_patients(tmp_path, dictionary):
    with pytest.raises(ImportFailed) as info:
        import_redcap(_longitudinal(tmp_path), dictionary, tmp_path / "out")
    assert [p.code for p in info.value.problems] == ["I006"]
    assert "must name the event holding the patients form" in info.value.problems[0].message


def test_a_value_given_differently_in_two_events_is_an_error(tmp_path, dictionary):
    rows = list(csv.DictReader(_longitudinal(tmp_path).open(encoding="utf-8")))
    rows[5]["sex"] = "M"
    export = _write(tmp_path / "conflict.csv", LONG_HEADER, rows)
    mapping = tmp_path / "map.toml"
    mapping.write_text('[events]\npatients = ["baseline_arm_1", "followup_arm_1"]\n', encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        import_redcap(export, dictionary, tmp_path / "out", mapping=mapping)
    assert info.value.problems[0].format() == (
        "conflict.csv:7:sex: I007 record 'r1': sex is 'F' in one event and 'M' in another")


def test_checkbox_choice_fills_a_yes_no_column(tmp_path):
    (tmp_path / "dict.csv").write_text(
        '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels"\n'
        'study_id,demographics,,text,Study ID,\n'
        'patient_id,demographics,,text,Patient,\n'
        'sex,demographics,,radio,Sex,"M, Male|F, Female"\n'
        'met,demographics,,checkbox,Metastases,"1, Liver | 2, Bone | 99, Neither"\n', encoding="utf-8")
    export = _write(tmp_path / "export.csv",
                    ["study_id", "redcap_data_access_group", "patient_id", "sex", "met___1", "met___2",
                     "met___99", "demographics_complete"],
                    [{"study_id": "1", "redcap_data_access_group": "a", "patient_id": "1", "sex": "F",
                      "met___1": "1", "met___2": "0", "met___99": "0"},
                     {"study_id": "2", "redcap_data_access_group": "a", "patient_id": "2", "sex": "M",
                      "met___1": "0", "met___2": "0", "met___99": "1"},
                     {"study_id": "3", "redcap_data_access_group": "b", "patient_id": "3", "sex": "M",
                      "met___1": "0", "met___2": "0", "met___99": "0"}])
    mapping = tmp_path / "map.toml"
    mapping.write_text('[fields.patients]\nliver_metastases = "met___1"\nbone_metastases = "met___2"\n',
                       encoding="utf-8")
    rows, _ = convert_export(export, tmp_path / "dict.csv", mapping=mapping)
    got = [(r["site_id"], r["patient_id"], r["liver_metastases"], r["bone_metastases"])
           for r in rows.rows["patients"]]
    # ticked -> yes; unticked while another choice is ticked -> no; nothing ticked -> missing
    assert got == [("a", "1", "yes", "no"), ("a", "2", "no", "no"), ("b", "3", "", "")]
