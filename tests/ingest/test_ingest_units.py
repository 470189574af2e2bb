"""Lab values into canonical units, checked against hand calculations with the factors of
registry format v1 (labs.csv "unit")."""

from __future__ import annotations

import pytest
from registry_edits import append_row

from prrt_rwe.ingest.load import load_registry


@pytest.mark.parametrize("test, value, unit, canonical_value, canonical_unit", [
    ("hemoglobin", "12.5", "g/dL", 125.0, "g/L"),            # 12.5 x 10
    ("hemoglobin", "8", "mmol/L", 128.912, "g/L"),           # 8 x 16.114
    ("creatinine", "1.2", "mg/dL", 106.104, "umol/L"),       # 1.2 x 88.42
    ("creatinine", "80", "µmol/L", 80.0, "umol/L"),          # micro sign read as u
    ("creatinine", "80", "μmol/l", 80.0, "umol/L"),          # Greek mu, lower case
    ("bilirubin", "0.5", "mg/dL", 8.55, "umol/L"),           # 0.5 x 17.1
    ("platelets", "150000", "/uL", 150.0, "10^9/L"),         # 150000 x 0.001
    ("platelets", "210000", "/mm3", 210.0, "10^9/L"),
    ("neutrophils", "3.1", "10^3/µL", 3.1, "10^9/L"),
    ("wbc", "5.5", "G/L", 5.5, "10^9/L"),
    ("albumin", "4.1", "g/dL", 41.0, "g/L"),
    ("alt", "31", "u/l", 31.0, "U/L"),
    ("chromogranin_a", "120", "ug/L", 120.0, "ng/mL"),
    ("chromogranin_a", "3.2", "nmol/L", 3.2, "nmol/L"),      # assays kept apart
])
def test_conversion(registry, test, value, unit, canonical_value, canonical_unit):
    line = append_row(registry, "labs", {"site_id": "S01", "patient_id": "1", "date": "2020-02-01",
                                         "test": test, "value": value, "unit": unit,
                                         "lln": value, "uln": value})
    con, report = load_registry(registry)
    assert report.ok, report.format_lines()
    row = con.execute("SELECT value, unit, lln, uln, value_original, unit_original FROM labs "
                      "WHERE source_line = ?", [line]).fetchone()
    assert row[0] == pytest.approx(canonical_value, rel=1e-12)
    assert row[2] == pytest.approx(canonical_value, rel=1e-12)
    assert row[3] == pytest.approx(canonical_value, rel=1e-12)
    assert row[1] == canonical_unit
    assert row[4] == float(value) and row[5] == unit


def test_chromogranin_units_never_converted_into_each_other(registry):
    append_row(registry, "labs", {"site_id": "S01", "patient_id": "1", "date": "2020-02-01",
                                  "test": "chromogranin_a", "value": "5", "unit": "U/L"})
    con, _ = load_registry(registry)
    assert con.execute("SELECT unit FROM labs WHERE test = 'chromogranin_a'").fetchall() == [("U/L",)]


def test_unit_of_another_test_is_unknown(registry):
    line = append_row(registry, "labs", {"site_id": "S01", "patient_id": "1", "date": "2020-02-01",
                                         "test": "alt", "value": "1", "unit": "g/dL"})
    con, report = load_registry(registry)
    assert con is None
    assert [(i.line, i.column, i.code) for i in report.errors] == [(line, "unit", "E007")]
