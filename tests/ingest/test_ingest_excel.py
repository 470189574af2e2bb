"""Excel parity: the same registry as an .xlsx workbook (dates stored as Excel dates,
numbers as numbers) gives the same issues and the same loaded tables as the CSV folder."""

from __future__ import annotations

import datetime as dt
import re
import sys

import openpyxl
import pytest
from registry_edits import append_row, read_rows, set_cell

from prrt_rwe.ingest.load import load_registry
from prrt_rwe.ingest.validation import validate
from prrt_rwe.ingest.xlsx_reader import cell_text
from prrt_rwe.schema import TABLES

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
INT = re.compile(r"-?\d+")
NUM = re.compile(r"-?\d+\.\d+")


def typed(text: str):
    """The value Excel would store for a CSV cell."""
    if DATE.fullmatch(text):
        return dt.date.fromisoformat(text)
    if INT.fullmatch(text):
        return int(text)
    if NUM.fullmatch(text):
        return float(text)
    if text.lower() == "true":
        return True
    return text or None


def to_workbook(folder, path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for csv_path in sorted(folder.glob("*.csv")):
        ws = wb.create_sheet(csv_path.stem)
        for i, row in enumerate(read_rows(folder, csv_path.stem)):
            ws.append(row if i == 0 else [typed(c) for c in row])
            if i and any(isinstance(v, dt.date) for v in map(typed, row)):
                for c in ws[ws.max_row]:
                    if isinstance(c.value, (dt.date, dt.datetime)):
                        c.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


@pytest.fixture(params=["calamine", "openpyxl"])
def engine(request, monkeypatch):
    """Run with python-calamine, and again with openpyxl (calamine made unimportable)."""
    if request.param == "openpyxl":
        monkeypatch.setitem(sys.modules, "python_calamine", None)
    return request.param


def comparable(report):
    return [(i.table, i.line, i.column, i.code, i.message) for i in report.issues]


def contents(con):
    names = [t.name for t in TABLES] + ["extra_columns"]
    return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in names}


@pytest.mark.parametrize("cell_text_in, expected", [
    (None, ""), (True, "true"), (12.0, "12"), (7.4, "7.4"), (1e-7, "1e-07"),
    (dt.datetime(2020, 1, 15), "2020-01-15"), (dt.date(2020, 1, 15), "2020-01-15"), ("PR", "PR"),
])
def test_cell_text(cell_text_in, expected):
    assert cell_text(cell_text_in) == expected


def test_valid_registry_same_issues_and_tables(engine, registry, tmp_path):
    set_cell(registry, "patients", 3, "functioning", "true")  # stored as an Excel boolean
    book = to_workbook(registry, tmp_path / "registry.xlsx")
    csv_con, csv_report = load_registry(registry)
    xlsx_con, xlsx_report = load_registry(book)
    assert csv_report.ok and xlsx_report.ok
    assert comparable(csv_report) == comparable(xlsx_report)
    assert contents(csv_con) == contents(xlsx_con)


def test_invalid_registry_same_issues(engine, registry, tmp_path):
    set_cell(registry, "cycles", 3, "date", "2020/03/11")          # E004 (text in Excel too)
    set_cell(registry, "patients", 2, "age", "17")                 # E005
    set_cell(registry, "labs", 3, "unit", "mg/L")                  # E007
    append_row(registry, "labs", {"site_id": "S01", "patient_id": "999", "date": "2020-02-01",
                                  "test": "platelets", "value": "200", "unit": "10^9/L"})  # E009
    book = to_workbook(registry, tmp_path / "registry.xlsx")
    csv_report, xlsx_report = validate(registry), validate(book)
    assert not csv_report.ok
    assert comparable(csv_report) == comparable(xlsx_report)
    assert {i.code for i in xlsx_report.errors} == {"E004", "E005", "E007", "E009"}
    assert xlsx_report.errors[0].file.startswith("registry.xlsx[")


def test_missing_sheet_and_unknown_sheet(engine, registry, tmp_path):
    book = to_workbook(registry, tmp_path / "registry.xlsx")
    wb = openpyxl.load_workbook(book)
    del wb["cycles"]
    wb.create_sheet("Notes")
    wb.save(book)
    report = validate(book)
    assert [(i.file, i.line, i.code) for i in report.issues if i.code in ("E001", "W109")] == [
        ("registry.xlsx[Notes]", 1, "W109"), ("registry.xlsx[cycles]", 1, "E001")]


def test_not_a_workbook(engine, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip file")
    report = validate(bad)
    assert [(i.file, i.line, i.code) for i in report.issues] == [("broken.xlsx", 1, "E014")]


def test_blank_sheet_rows_keep_row_numbers(engine, registry, tmp_path):
    book = to_workbook(registry, tmp_path / "registry.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["cycles"]
    ws.insert_rows(3)  # row 3 left empty; old row 3 (S01/1 cycle 2) is now row 4
    ws.cell(row=4, column=4).value = "2020/03/11"  # date column, as text
    wb.save(book)
    report = validate(book)
    assert [(i.file, i.line, i.column, i.code) for i in report.errors] == [
        ("registry.xlsx[cycles]", 4, "date", "E004")]
