"""Property: any corruption of a valid registry is reported as an error, never crashes and
never ingests (an existing database stays byte-identical)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registry_edits import MINIMAL, read_rows, write_rows

from prrt_rwe.ingest.load import ingest
from prrt_rwe.ingest.validation import validate
from prrt_rwe.schema import TABLES_BY_NAME

REQUIRED = [(t, c.name) for t, table in TABLES_BY_NAME.items() for c in table.columns
            if c.required and (MINIMAL / f"{t}.csv").exists()]
KEYED = ["patients", "cycles", "hormonal_symptoms", "sites"]
TEXT_FILES = sorted(p.stem for p in MINIMAL.glob("*.csv"))


def delete_required_cell(folder: Path, data) -> None:
    table, column = data.draw(st.sampled_from(REQUIRED))
    rows = read_rows(folder, table)
    line = data.draw(st.integers(2, len(rows)))
    rows[line - 1][rows[0].index(column)] = ""
    write_rows(folder, table, rows)


def death_before_first_cycle(folder: Path, data) -> None:
    rows = read_rows(folder, "patients")
    line = data.draw(st.integers(2, len(rows)))
    # every patient's C1 is in 2020 and its diagnosis before it: a death in 2010 is impossible
    rows[line - 1][rows[0].index("death_date")] = "2010-01-01"
    write_rows(folder, "patients", rows)


def swap_cycle_dates(folder: Path, data) -> None:
    rows = read_rows(folder, "cycles")
    line = data.draw(st.integers(2, len(rows) - 1))
    a, b = rows[line - 1], rows[line]
    if a[:2] != b[:2]:  # next row is another patient: swap with the previous instead
        a, b = rows[line - 2], rows[line - 1]
    col = rows[0].index("date")
    a[col], b[col] = b[col], a[col]
    write_rows(folder, "cycles", rows)


def garbage_bytes(folder: Path, data) -> None:
    path = folder / f"{data.draw(st.sampled_from(TEXT_FILES))}.csv"
    raw = path.read_bytes()
    at = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.binary(min_size=0, max_size=8))
    path.write_bytes(raw[:at] + b"\xff" + junk + raw[at:])  # 0xff never occurs in UTF-8


def wrong_encoding(folder: Path, data) -> None:
    name = data.draw(st.sampled_from(TEXT_FILES))
    encoding = data.draw(st.sampled_from(["utf-16", "utf-16-le", "latin-1", "cp1252"]))
    path = folder / f"{name}.csv"
    rows = read_rows(folder, name)
    line = data.draw(st.integers(2, len(rows)))
    rows[line - 1][0] = rows[line - 1][0] + "é"  # non-ASCII so latin-1 differs from UTF-8
    write_rows(folder, name, rows)
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))


def duplicate_key_row(folder: Path, data) -> None:
    table = data.draw(st.sampled_from(KEYED))
    rows = read_rows(folder, table)
    line = data.draw(st.integers(2, len(rows)))
    at = data.draw(st.integers(2, len(rows) + 1))
    rows.insert(at - 1, list(rows[line - 1]))
    write_rows(folder, table, rows)


@pytest.fixture(scope="module")
def valid_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("db") / "r.duckdb"
    assert ingest(MINIMAL, db).ok
    return db


ROW_CORRUPTIONS = [delete_required_cell, death_before_first_cycle, swap_cycle_dates,
                   duplicate_key_row]
BYTE_CORRUPTIONS = [garbage_bytes, wrong_encoding]  # applied last, at most one


@st.composite
def corruption_plans(draw):
    rows = draw(st.lists(st.sampled_from(ROW_CORRUPTIONS), max_size=2, unique=True))
    raw = draw(st.lists(st.sampled_from(BYTE_CORRUPTIONS), min_size=0 if rows else 1, max_size=1))
    return rows + raw


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), corruptions=corruption_plans())
def test_corruption_is_an_error_and_never_ingests(tmp_path, valid_db, data, corruptions):
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    folder = work / "registry"
    shutil.copytree(MINIMAL, folder)
    db = work / "r.duckdb"
    before = valid_db.read_bytes()
    db.write_bytes(before)
    for corrupt in corruptions:
        corrupt(folder, data)
    report = validate(folder)
    assert not report.ok
    assert all(i.line >= 1 for i in report.issues)
    assert not ingest(folder, db).ok
    assert db.read_bytes() == before
    shutil.rmtree(work)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_issues(tmp_path, seed):
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    folder = work / "registry"
    shutil.copytree(MINIMAL, folder)
    before = {(i.code, i.column, i.message) for i in validate(folder).issues}
    for name in TEXT_FILES:
        rows = read_rows(folder, name)
        body = rows[1:]
        seed.shuffle(body)
        write_rows(folder, name, [rows[0]] + body)
    after = {(i.code, i.column, i.message) for i in validate(folder).issues}
    assert before == after
    shutil.rmtree(work)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), text=st.text(max_size=12))
def test_any_cell_text_never_crashes(tmp_path, data, text):
    """Arbitrary text in an arbitrary cell: a report (error or not), never an exception; an
    ingest happens exactly when the report has no error."""
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    folder = work / "registry"
    shutil.copytree(MINIMAL, folder)
    name = data.draw(st.sampled_from(TEXT_FILES))
    rows = read_rows(folder, name)
    line = data.draw(st.integers(1, len(rows)))
    column = data.draw(st.integers(0, len(rows[0]) - 1))
    rows[line - 1][column] = text
    write_rows(folder, name, rows)
    report = validate(folder)
    result = ingest(folder, work / "r.duckdb")
    assert result.ok == report.ok == (work / "r.duckdb").exists()
    shutil.rmtree(work)


def test_header_only_tables(tmp_path):
    folder = tmp_path / "registry"
    shutil.copytree(MINIMAL, folder)
    for name in TEXT_FILES:
        write_rows(folder, name, read_rows(folder, name)[:1])
    report = validate(folder)
    assert report.ok and report.issues == ()
    assert ingest(folder, tmp_path / "r.duckdb").ok
