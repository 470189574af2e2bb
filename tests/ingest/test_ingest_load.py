"""All-or-nothing load into DuckDB (registry format v1, last rule; schema/duckdb_layout.py)."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest
from registry_edits import MINIMAL, read_rows, set_cell, write_rows

import prrt_rwe
from prrt_rwe.ingest import load
from prrt_rwe.ingest.load import ingest, load_registry
from prrt_rwe.outputs.destination import DestinationError
from prrt_rwe.schema import TABLES


def table_contents(db) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [t.name for t in TABLES] + ["extra_columns", "ingest_meta"]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in names}
    finally:
        con.close()


def test_ingest_writes_every_table_with_counts(registry, tmp_path):
    db = tmp_path / "out" / "registry.duckdb"
    result = ingest(registry, db)
    assert result.ok and db.exists()
    content = table_contents(db)
    for table in TABLES:
        expected = len(read_rows(MINIMAL, table.name)) - 1
        assert len(content[table.name]) == expected, table.name
        assert result.rows[table.name] == expected


def test_ingest_meta_fingerprint_and_version(registry, tmp_path):
    db = tmp_path / "r.duckdb"
    ingest(registry, db)
    meta = dict(table_contents(db)["ingest_meta"])
    digest = hashlib.sha256()
    for path in sorted(p for p in registry.iterdir()):
        digest.update(path.read_bytes())
    assert meta["input_fingerprint"] == digest.hexdigest()
    assert meta["format_version"] == "registry-format-v1"
    assert meta["rows.patients"] == "20"


def test_canonical_values_and_types(registry, tmp_path):
    set_cell(registry, "patients", 2, "sex", "m")
    set_cell(registry, "patients", 2, "functioning", "Y")
    set_cell(registry, "patients", 2, "primary_site", "PANCREAS")
    con, report = load_registry(registry)
    assert report.ok
    row = con.execute("SELECT sex, functioning, primary_site, age, diagnosis_date, source_line "
                      "FROM patients WHERE site_id = 'S01' AND patient_id = '1'").fetchone()
    assert row == ("M", True, "pancreas", 64, dt.date(2019, 3, 10), 2)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'patients'").fetchall())
    assert types["diagnosis_date"] == "DATE" and types["functioning"] == "BOOLEAN"


def test_extra_columns_are_kept_only_when_asked(registry):
    rows = read_rows(registry, "cycles")
    write_rows(registry, "cycles", [r + (["Batch"] if i == 0 else ["B7" if i == 3 else ""])
                                    for i, r in enumerate(rows)])
    con, report = load_registry(registry, keep_extra_columns=True)
    assert report.ok and [i.code for i in report.warnings if i.column == "Batch"] == ["W110"]
    assert con.execute("SELECT * FROM extra_columns").fetchall() == [("cycles", 4, "Batch", "B7")]
    con, _ = load_registry(registry)
    assert con.execute("SELECT * FROM extra_columns").fetchall() == []


def test_failed_validation_leaves_existing_db_byte_identical(registry, tmp_path):
    db = tmp_path / "r.duckdb"
    assert ingest(registry, db).ok
    before = db.read_bytes()
    set_cell(registry, "patients", 2, "age", "abc")
    result = ingest(registry, db)
    assert not result.ok and result.validation.errors
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.duckdb", "registry"]


def test_crash_mid_write_leaves_existing_db_byte_identical(registry, tmp_path, monkeypatch):
    db = tmp_path / "r.duckdb"
    assert ingest(registry, db).ok
    before = db.read_bytes()
    set_cell(registry, "patients", 2, "age", "65")  # valid new content
    real_insert = load._insert
    calls = []

    def crash_after_two(con, name, frame):
        calls.append(name)
        if len(calls) > 2:
            raise KeyboardInterrupt("simulated crash")
        real_insert(con, name, frame)

    monkeypatch.setattr(load, "_insert", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        ingest(registry, db)
    assert len(calls) == 3
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.duckdb", "registry"]


def test_crash_before_replace_leaves_no_new_db(registry, tmp_path, monkeypatch):
    db = tmp_path / "new.duckdb"

    def fail_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(load.os, "replace", fail_replace)
    with pytest.raises(DestinationError, match="cannot write .*new.duckdb"):
        ingest(registry, db)
    assert list(tmp_path.iterdir()) == [registry]


def test_reingest_gives_identical_content(registry, tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    assert ingest(registry, a).ok
    assert ingest(registry, b).ok
    assert ingest(registry, a).ok  # over an existing database
    assert table_contents(a) == table_contents(b)


def test_public_api_delegates(registry, tmp_path):
    report = prrt_rwe.validate(registry)
    assert report.ok
    result = prrt_rwe.ingest(registry, tmp_path / "api.duckdb")
    assert result.ok and result.validation.ok


def test_load_registry_invalid_gives_no_connection(registry):
    set_cell(registry, "cycles", 2, "date", "")
    con, report = load_registry(registry)
    assert con is None and not report.ok


def test_cli_validate_and_ingest_exit_codes(registry, tmp_path):
    from typer.testing import CliRunner

    from prrt_rwe.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(registry), "--json", str(tmp_path / "v.json")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "v.json").read_text().startswith("{")
    set_cell(registry, "labs", 3, "unit", "mg/L")
    bad = runner.invoke(app, ["validate", str(registry)])
    assert bad.exit_code == 1
    assert "labs.csv:3:unit: E007 unknown unit 'mg/L' for test 'hemoglobin'" in bad.output
    db = tmp_path / "x.duckdb"
    assert runner.invoke(app, ["ingest", str(registry), "--db", str(db)]).exit_code == 1
    assert not db.exists()


_LEAVE_SCRATCH = """
import os, sys, tempfile
tempfile.tempdir = sys.argv[1]
from prrt_rwe.ingest.load import scratch_database
con = scratch_database()
con.execute("CREATE TABLE t AS SELECT range AS x FROM range(1000)")
print("ready", flush=True)
if sys.argv[2] == "exit":
    os._exit(0)   # no close: DuckDB leaves the WAL beside the unlinked database
sys.stdin.readline()
"""


def test_scratch_files_of_a_process_gone_are_removed(tmp_path, monkeypatch):
    """A process that exits without closing its scratch database leaves its WAL in the
    temporary folder; the next scratch_database removes it, and keeps a live process's."""
    import subprocess
    import sys

    from prrt_rwe.ingest.load import scratch_database

    gone = subprocess.run([sys.executable, "-c", _LEAVE_SCRATCH, str(tmp_path), "exit"],
                          capture_output=True, text=True, check=True)
    assert gone.stdout.strip() == "ready"
    left = sorted(p.name for p in tmp_path.glob("prrt-rwe-registry-*"))
    assert left and all(name.endswith(".duckdb.wal") for name in left)
    live = subprocess.Popen([sys.executable, "-c", _LEAVE_SCRATCH, str(tmp_path), "wait"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert live.stdout.readline().strip() == "ready"
        theirs = {p.name for p in tmp_path.glob(f"prrt-rwe-registry-{live.pid}-*")}
        assert theirs
        monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
        con = scratch_database()
        con.close()
        remaining = {p.name for p in tmp_path.glob("prrt-rwe-registry-*")}
        assert remaining == theirs   # the dead process's WAL gone, the live one's kept
    finally:
        live.communicate("\n")
