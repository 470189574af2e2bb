"""The format-as-data tables agree with shared/spec/registry-format-v1.md."""

import duckdb
import pytest

from prrt_rwe.schema import TABLES_BY_NAME, create_tables, to_canonical
from prrt_rwe.schema.registry_v1 import PATIENTS, PRIMARY_SITES


def test_required_files_are_patients_cycles_assessments():
    # spec: patients.csv and cycles.csv required; assessments.csv "required for efficacy"
    required = {t.name for t in TABLES_BY_NAME.values() if t.file_required}
    assert required == {"patients", "cycles", "assessments"}


def test_patient_ranges_and_codes_from_spec_table():
    assert (PATIENTS.column("age").min, PATIENTS.column("age").max) == (18, 110)
    assert PATIENTS.column("krenning_score").max == 4
    assert PATIENTS.column("sex").codes == ("M", "F")
    assert len(PRIMARY_SITES) == 12


@pytest.mark.parametrize(
    "test, unit, canonical, factor",
    [
        # spec labs.csv "unit": counts 10^9/L (10^3/uL x1, G/L x1, /uL and /mm3 x0.001)
        ("platelets", "10^3/uL", "10^9/L", 1.0),
        ("platelets", "/µL", "10^9/L", 0.001),
        ("wbc", "/mm3", "10^9/L", 0.001),
        ("neutrophils", "g/l", "10^9/L", 1.0),
        # hemoglobin g/L (g/dL x10, mmol/L x16.114)
        ("hemoglobin", "G/dL", "g/L", 10.0),
        ("hemoglobin", "mmol/L", "g/L", 16.114),
        # creatinine umol/L (mg/dL x88.42), bilirubin (mg/dL x17.1)
        ("creatinine", "mg/dL", "umol/L", 88.42),
        ("creatinine", "μmol/L", "umol/L", 1.0),
        ("bilirubin", "mg/dl", "umol/L", 17.1),
        ("albumin", "g/dL", "g/L", 10.0),
        # chromogranin A: ug/L equals ng/mL; nmol/L and U/L kept apart
        ("chromogranin_a", "ug/L", "ng/mL", 1.0),
        ("chromogranin_a", "nmol/L", "nmol/L", 1.0),
    ],
)
def test_unit_conversions(test, unit, canonical, factor):
    assert to_canonical(test, unit) == (canonical, factor)


@pytest.mark.parametrize("test, unit", [("hemoglobin", "mg/L"), ("creatinine", "mmol/L"),
                                        ("chromogranin_a", "ng/dL"), ("alt", "ukat/L")])
def test_unknown_units_are_never_guessed(test, unit):
    assert to_canonical(test, unit) is None


def test_duckdb_layout_has_every_column_and_source_line():
    con = duckdb.connect()
    create_tables(con)
    for table in TABLES_BY_NAME.values():
        cols = [r[0] for r in con.execute(f'DESCRIBE "{table.name}"').fetchall()]
        assert cols[: len(table.columns)] == list(table.column_names)
        assert cols[-1] == "source_line"
    lab_cols = [r[0] for r in con.execute('DESCRIBE "labs"').fetchall()]
    assert {"value_original", "unit_original"} <= set(lab_cols)


def test_registry_format_doc_is_generated_from_the_schema():
    from pathlib import Path

    from prrt_rwe.schema.markdown import registry_markdown

    doc = Path(__file__).parents[2] / "docs" / "registry-format.md"
    assert doc.read_text(encoding="utf-8") == registry_markdown(), (
        "regenerate: python -m prrt_rwe.schema.markdown > docs/registry-format.md")
