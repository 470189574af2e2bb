"""Hostile input, one test per class (issue 12): each hostile file is built here, and the
test asserts the exact code, file, line and column, and that nothing else changed."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from raw_xlsx import PERCENT, PERCENT_CUSTOM, column_letters, registry_workbook
from registry_edits import MINIMAL, append_row, codes, read_rows, set_cell

from prrt_rwe.ingest.load import ingest, load_registry
from prrt_rwe.ingest.validation import validate
from prrt_rwe.schema.limits import MAX_CELL_BYTES


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ref(table: str, column: str, row: int) -> str:
    return f"{column_letters(read_rows(MINIMAL, table)[0].index(column) + 1)}{row}"


@pytest.fixture
def old_db(registry, tmp_path):
    """A valid database ingested before the hostile input arrives, and its sha256."""
    db = tmp_path / "old.duckdb"
    assert ingest(registry, db).ok
    return db, sha(db)


def refused_without_change(path, old_db) -> list:
    db, digest = old_db
    result = ingest(path, db)
    assert not result.ok and sha(db) == digest
    return result.validation


# -- long values over the csv module's field limit ------------------------------------------

@pytest.mark.parametrize("shape", ["long line", "quoted term", "unclosed quote", "long header"])
def test_value_over_the_cell_limit_is_e014_on_its_line(registry, old_db, shape):
    path = registry / "adverse_events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    head, row = lines[0].split(","), lines[2].split(",")
    term = head.index("term")
    if shape == "long line":
        lines[2] += "x" * 10_000_000
    elif shape == "quoted term":
        row[term] = '"' + "y," * (MAX_CELL_BYTES // 2 + 10) + '"'
        lines[2] = ",".join(row)
    elif shape == "unclosed quote":
        row[term] = '"Nausea'
        lines[2] = ",".join(row)
        lines += [lines[1]] * 60_000
    else:
        lines[0] += "," + "h" * (MAX_CELL_BYTES + 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = refused_without_change(registry, old_db)
    line = 1 if shape == "long header" else 3
    column = "term" if shape == "quoted term" else ""
    assert codes(report, "E014") == [("adverse_events.csv", line, column)]


# -- impossible dates -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["3025-05-16", "9999-12-31", "1899-12-31", "0001-01-01"])
def test_date_before_1900_or_after_today_is_e005(registry, old_db, value):
    set_cell(registry, "patients", 4, "death_date", value)
    report = refused_without_change(registry, old_db)
    assert ("patients.csv", 4, "death_date") in codes(report, "E005")
    message = next(i.message for i in report.errors if i.code == "E005")
    assert f"'{value}'" in message and dt.date.today().isoformat() in message


def test_today_is_a_valid_date(registry):
    set_cell(registry, "patients", 2, "last_contact_date", dt.date.today().isoformat())
    assert not codes(validate(registry), "E005")


# -- invisible characters in keys -------------------------------------------------------------

def test_zero_width_space_in_a_key_is_removed_with_w111(registry):
    patient = read_rows(registry, "patients")[1]
    line = append_row(registry, "cycles", {"site_id": patient[0], "patient_id": patient[1] + "\u200b",
                                           "cycle": "9", "date": "2021-06-01", "activity_gbq": "7.4"})
    report = validate(registry)
    assert codes(report, "W111") == [("cycles.csv", line, "patient_id")]
    assert not codes(report, "E009")          # no phantom second patient
    assert "\\u200b" in next(i.message for i in report.issues if i.code == "W111")


def test_duplicate_found_after_normalization_inner_space_kept(registry):
    first = read_rows(registry, "patients")[1]
    dup = append_row(registry, "patients", dict(zip(read_rows(registry, "patients")[0],
                                                    [first[0], "\ufeff" + first[1], *first[2:]])))
    spaced = append_row(registry, "patients", dict(zip(read_rows(registry, "patients")[0],
                                                       [first[0], first[1][:1] + " " + first[1][1:] + "x",
                                                        *first[2:]])))
    report = validate(registry)
    assert ("patients.csv", dup, "patient_id") in codes(report, "E008")
    assert ("patients.csv", spaced, "patient_id") not in codes(report, "E008")
    assert codes(report, "W111") == [("patients.csv", dup, "patient_id")]


def test_nfc_normalization(registry):
    set_cell(registry, "patients", 2, "site_id", "Zu\u0308rich")     # u + combining diaeresis
    for name in ("cycles", "assessments"):
        rows = read_rows(registry, name)
        for i, r in enumerate(rows[1:], start=2):
            if r[0] == "S01" and r[1] == read_rows(registry, "patients")[1][1]:
                set_cell(registry, name, i, "site_id", "Z\u00fcrich")
    report = validate(registry)
    assert codes(report, "W111") == [("patients.csv", 2, "site_id")]


# -- Excel cell types -------------------------------------------------------------------------

@pytest.mark.parametrize("xml, message", [
    ('<c r="{ref}" t="e"><v>#N/A</v></c>', "Excel error value '#N/A'"),
    ('<c r="{ref}" t="e"><v>#DIV/0!</v></c>', "Excel error value '#DIV/0!'"),
    ('<c r="{ref}"><f>TODAY()-30</f></c>', "formula without a cached result"),
    ('<c r="{ref}"><f>TODAY()-30</f><v></v></c>', "formula without a cached result"),
])
def test_error_cells_and_uncached_formulas_are_e015(registry, old_db, tmp_path, xml, message):
    cell = ref("patients", "death_date", 4)
    book = registry_workbook(registry, tmp_path / "registry.xlsx",
                             cells={("patients", cell): xml.format(ref=cell)})
    report = refused_without_change(book, old_db)
    assert [(i.file, i.line, i.column, i.code) for i in report.errors] == [
        ("registry.xlsx[patients]", 4, "death_date", "E015")]
    assert message in report.errors[0].message


@pytest.mark.parametrize("style", [PERCENT, PERCENT_CUSTOM])
def test_percent_formatted_cell_read_as_shown(registry, tmp_path, style):
    cell = ref("patients", "ki67_percent", 3)
    book = registry_workbook(registry, tmp_path / "registry.xlsx",
                             cells={("patients", cell): f'<c r="{cell}" s="{style}"><v>0.053</v></c>'})
    con, report = load_registry(book)
    assert report.ok
    assert con.execute("SELECT ki67_percent FROM patients WHERE source_line = 3").fetchone() == (5.3,)


def test_cached_formula_value_is_read(registry, tmp_path):
    cell = ref("patients", "age", 3)
    book = registry_workbook(registry, tmp_path / "registry.xlsx",
                             cells={("patients", cell): f'<c r="{cell}"><f>60+4</f><v>64</v></c>'})
    con, report = load_registry(book)
    assert report.ok and con.execute("SELECT age FROM patients WHERE source_line = 3").fetchone() == (64,)


# -- workbooks that would exhaust memory ------------------------------------------------------

@pytest.mark.parametrize("edit, sheet, line, words", [
    ({"cells": {("labs", "XFD1048576"): '<c r="XFD1048576"><v>1</v></c>'}}, "labs", 1, "column 16,384"),
    ({"cells": {("labs", "BL1048576"): '<c r="BL1048576"><v>1</v></c>'}}, "labs", 1, "67,108,864 cells"),
    ({"dimension": {"cycles": "A1:XFD1048576"}}, "cycles", 1, "declares the range A1:XFD1048576"),
    ({"cells": {("adverse_events", "C3"): '<c r="C3" t="s"><v>0</v></c>'},
      "shared_strings": '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
                        + "z" * (3 * MAX_CELL_BYTES) + "</t></si></sst>"},
     "adverse_events", 3, "shared text longer than 1,048,576 bytes"),
    ({"cells": {("adverse_events", "C3"): '<c r="C3" t="inlineStr"><is><t>' + "w" * (2 * MAX_CELL_BYTES)
                                          + "</t></is></c>"}},
     "adverse_events", 1, "text longer than 1,048,576 bytes"),
])
def test_oversized_workbook_refused_with_e014_naming_the_sheet(registry, old_db, tmp_path, edit, sheet,
                                                               line, words):
    book = registry_workbook(registry, tmp_path / "registry.xlsx", **edit)
    assert book.stat().st_size < 200_000
    report = refused_without_change(book, old_db)
    assert codes(report, "E014") == [(f"registry.xlsx[{sheet}]", line, "")]
    assert words in report.errors[0].message and f"sheet '{sheet}'" in report.errors[0].message


def test_not_a_workbook_is_e014(registry, old_db, tmp_path):
    book = tmp_path / "registry.xlsx"
    book.write_bytes(b"PK\x03\x04 not really a zip")
    report = refused_without_change(book, old_db)
    assert codes(report, "E014") == [("registry.xlsx", 1, "")]


# -- identifiers in extra columns -------------------------------------------------------------

def test_identifiers_in_extra_columns_reported_not_stored(registry, tmp_path):
    rows = read_rows(registry, "patients")
    from registry_edits import write_rows
    write_rows(registry, "patients", [r + (["name", "mrn"] if i == 0 else [f"Jane Doe {i}", f"MRN{i:06d}"])
                                      for i, r in enumerate(rows)])
    db = tmp_path / "r.duckdb"
    result = ingest(registry, db)
    assert result.ok and codes(result.validation, "W110") == [("patients.csv", 1, "mrn"),
                                                              ("patients.csv", 1, "name")]
    assert b"Jane Doe" not in db.read_bytes() and b"MRN000002" not in db.read_bytes()
    kept = tmp_path / "kept.duckdb"
    assert ingest(registry, kept, keep_extra_columns=True).ok
    import duckdb
    con = duckdb.connect(str(kept), read_only=True)
    assert con.execute("SELECT count(*) FROM extra_columns WHERE column_name = 'name'").fetchone() == (20,)
    con.close()


# -- terminal injection -----------------------------------------------------------------------

def test_control_characters_escaped_on_the_console(registry):
    from typer.testing import CliRunner

    from prrt_rwe.cli import app

    set_cell(registry, "patients", 2, "sex", "\x1b[2J\x1b]0;owned\x07X")
    result = CliRunner().invoke(app, ["validate", str(registry)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "patients.csv:2:sex: E006 unknown code '\\x1b[2J\\x1b]0;owned\\x07X'" in result.output
