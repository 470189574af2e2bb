"""Every file follows registry format v1 (shared/spec/registry-format-v1.md) and passes
validation; --messy faults are all found by validation at the manifest's file/line/column."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from prrt_rwe.schema.registry_v1 import CODE, DATE, TABLES
from prrt_rwe.schema.units import to_canonical
from prrt_rwe.synth.generator import generate


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("clean"), patients=600, sites=33, seed=11)


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("messy"), patients=600, sites=33, seed=11, messy=True)


def _read(result, table):
    return pd.read_csv(result.paths[table.name], dtype=str, keep_default_na=False)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_columns_codes_dates_follow_the_schema(clean, table):
    frame = _read(clean, table)
    assert tuple(frame.columns) == table.column_names
    assert len(frame) > 0
    for col in table.columns:
        cells = frame[col.name]
        filled = cells[cells != ""]
        if col.required:
            assert len(filled) == len(cells), f"{table.name}.{col.name} has empty required cells"
        if col.type == CODE and col.codes:
            assert set(filled) <= set(col.codes), f"{table.name}.{col.name}"
        if col.type == DATE:
            assert filled.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
            pd.to_datetime(filled, format="%Y-%m-%d")  # raises on 2021-13-01


def test_rows_sorted_by_site_and_patient(clean):
    for table in TABLES:
        frame = _read(clean, table)
        if "patient_id" in frame:
            keys = list(zip(frame["site_id"], frame["patient_id"]))
            assert keys == sorted(keys), table.name


def test_lab_units_are_accepted_and_sites_differ(clean):
    labs = pd.read_csv(clean.paths["labs"], dtype=str, keep_default_na=False)
    pairs = labs[["test", "unit"]].drop_duplicates()
    assert all(to_canonical(t, u) is not None for t, u in pairs.itertuples(index=False))
    assert {"g/dL", "g/L"} <= set(labs.loc[labs["test"] == "hemoglobin", "unit"])
    # some sites give reference ranges, some do not (issue 4)
    assert (labs["lln"] == "").any() and (labs["lln"] != "").any()


def test_clean_registry_validates_without_errors(clean):
    from prrt_rwe.ingest.validation import validate

    report = validate(clean.out)
    assert list(report.errors) == [], report.errors[:5]


def test_every_manifest_fault_is_found_and_nothing_else(messy):
    from prrt_rwe.ingest.codes import CODES_BY_ID
    from prrt_rwe.ingest.validation import validate

    faults = json.loads(messy.manifest.read_text())["faults"]
    kinds = {f["code"] for f in faults}
    # the catalogue: bad dates, unknown units/codes, duplicates, orphans, death
    # before C1, records after death, empty required cells, cycle order
    assert {"E003", "E004", "E006", "E007", "E008", "E009", "E010", "E012", "E013"} <= kinds
    assert kinds <= set(CODES_BY_ID)
    report = validate(messy.out)
    found = {(i.file, i.line, i.column, i.code) for i in report.errors}
    expected = {(f["file"], f["line"], f["column"], f["code"]) for f in faults}
    assert expected - found == set()
    assert found - expected == set()


def test_manifest_lies_beside_the_registry_not_inside(messy):
    # inside, validation would flag it as an unknown extra file (W109)
    from prrt_rwe.ingest.validation import validate

    assert messy.manifest == messy.out.resolve().parent / f"{messy.out.name}.manifest.json"
    assert messy.manifest.is_file() and not (messy.out / "manifest.json").exists()
    assert "W109" not in validate(messy.out).code_counts()
