"""The REDCap template is the format-v1 schema in REDCap's terms (shared/spec/importers.md)."""

from __future__ import annotations

import csv

from prrt_rwe.importers.redcap.dictionary import COLUMNS, read_dictionary
from prrt_rwe.importers.redcap.template import write_template
from prrt_rwe.schema import TABLES_BY_NAME


def _template(tmp_path):
    write_template(tmp_path)
    return read_dictionary(tmp_path / "data_dictionary.csv").by_name(), tmp_path


def test_header_is_redcaps_18_columns_in_order(tmp_path):
    write_template(tmp_path)
    with (tmp_path / "data_dictionary.csv").open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert len(header) == 18 and tuple(header) == COLUMNS
    assert header[0] == "Variable / Field Name" and header[5] == "Choices, Calculations, OR Slider Labels"
    assert header[-1] == "Field Annotation"


def test_every_format_v1_column_has_its_field(tmp_path):
    fields, _ = _template(tmp_path)
    prefixes = {"patients": "", "cycles": "cyc_", "assessments": "asm_", "lesions": "les_", "labs": "lab_",
                "adverse_events": "ae_", "hormonal_symptoms": "hs_"}
    expected = {"record_id"}
    for table, prefix in prefixes.items():
        for col in TABLES_BY_NAME[table].columns:
            if table == "patients":
                expected.add(col.name)
            elif col.name not in ("site_id", "patient_id"):
                expected.add(prefix + col.name)
    assert set(fields) == expected
    assert [f.form for f in fields.values()][0] == "patients" and list(fields)[0] == "record_id"
    assert {fields["cyc_date"].form, fields["lab_test"].form, fields["ae_onset_date"].form} == {
        "cycles", "labs", "adverse_events"}


def test_types_validation_and_ranges_come_from_the_schema(tmp_path):
    fields, _ = _template(tmp_path)
    assert (fields["sex"].type, fields["sex"].choices) == ("radio", (("M", "Male"), ("F", "Female")))
    assert fields["primary_site"].type == "dropdown" and len(fields["primary_site"].choices) == 12
    assert fields["primary_site"].choices[3] == ("small_intestine", "Small intestine")
    assert fields["lab_test"].type == "dropdown" and fields["asm_overall_response"].type == "radio"
    assert (fields["liver_metastases"].type, fields["liver_metastases"].choices) == ("yesno", ())
    assert (fields["cyc_date"].type, fields["cyc_date"].validation) == ("text", "date_ymd")
    assert (fields["age"].validation, fields["age"].min, fields["age"].max) == ("integer", "18", "110")
    assert (fields["cyc_activity_gbq"].validation, fields["cyc_activity_gbq"].min,
            fields["cyc_activity_gbq"].max) == ("number", "0.5", "15")
    assert fields["cyc_activity_gbq"].label == "Activity (GBq)"
    assert (fields["ae_grade"].min, fields["ae_grade"].max) == ("1", "5")
    assert fields["patient_id"].required and not fields["site_id"].required  # the DAG may give the site
    assert fields["lab_unit"].type == "text" and fields["ae_term"].type == "text"


def test_repeating_instruments(tmp_path):
    _, folder = _template(tmp_path)
    with (folder / "repeating_instruments.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["form_name", "custom_form_label"]
    assert [r[0] for r in rows[1:]] == ["cycles", "assessments", "lesions", "labs", "adverse_events"]
