"""Faults around the files (issue 12): odd destinations, foreign or tampered databases, stale
WAL and .partial folders, config errors, killed runs. Each asserts the one-line message, the
exit code, and that every existing file is byte-identical afterwards."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from hand_registry import write_registry

from prrt_rwe.cli import app
from prrt_rwe.ingest.load import ingest
from prrt_rwe.outputs.completion import MARKER, completion

runner = CliRunner()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    registry = write_registry(base / "registry")
    db = base / "hand.duckdb"
    assert ingest(registry, db).ok
    return registry, db


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# -- data loss and odd destinations ----------------------------------------------------------

@pytest.mark.parametrize("make, words, code", [
    (lambda p: p.write_text("my notes\n"), "is not a prrt-rwe database: not replaced", 2),
    (lambda p: p.write_bytes(b""), "is not a prrt-rwe database", 2),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (a)").connection.commit(), "not a prrt-rwe", 2),
    (lambda p: duckdb.connect(str(p)).execute("CREATE TABLE other (a INT)").close(), "not a prrt-rwe", 2),
])
def test_ingest_refuses_to_replace_a_file_not_ours(hand, tmp_path, make, words, code):
    registry, _ = hand
    target = tmp_path / "notes.duckdb"
    make(target)
    before = sha(target)
    result = run("ingest", registry, "--db", target)
    assert result.exit_code == code and words in result.output
    assert sha(target) == before and sorted(p.name for p in tmp_path.iterdir()) == ["notes.duckdb"]


def test_ingest_refuses_a_path_inside_the_registry(hand, tmp_path):
    registry = shutil.copytree(hand[0], tmp_path / "registry")
    before = {p.name: sha(p) for p in registry.iterdir()}
    for target in (registry / "patients.csv", registry / "new.duckdb"):
        result = run("ingest", registry, "--db", target)
        assert result.exit_code == 2 and "inside the registry folder" in result.output
    assert {p.name: sha(p) for p in registry.iterdir()} == before


@pytest.mark.parametrize("where", ["proc", "file as folder", "folder as db"])
def test_unwritable_destinations_one_line_exit_2(hand, tmp_path, where):
    registry, _ = hand
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    db = {"proc": Path("/proc/self/no/such.duckdb"), "file as folder": blocker / "r.duckdb",
          "folder as db": tmp_path}[where]
    result = run("ingest", registry, "--db", db)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output and blocker.read_text() == "x"


def test_permission_denied_and_full_disk_leave_old_database(hand, tmp_path, monkeypatch):
    registry, source_db = hand
    db = tmp_path / "r.duckdb"
    shutil.copy(source_db, db)
    before = sha(db)
    from prrt_rwe.ingest import load

    for err in (errno.EACCES, errno.ENOSPC):
        def fail(*a, err=err, **k):
            raise OSError(err, os.strerror(err))
        monkeypatch.setattr(load, "write_tables", fail)
        result = run("ingest", registry, "--db", db)
        assert result.exit_code == 2 and os.strerror(err) in result.output
        assert sha(db) == before and sorted(p.name for p in tmp_path.iterdir()) == ["r.duckdb"]


def test_analyze_out_that_is_a_file_or_inside_the_registry(hand, tmp_path):
    registry, _ = hand
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    assert run("analyze", registry, "--out", target).exit_code == 2 and target.read_text() == "keep me"
    assert run("analyze", registry, "--out", registry / "out").exit_code == 2
    assert not (registry / "out").exists()


def test_analyze_full_disk_leaves_no_half_file(hand, tmp_path, monkeypatch):
    registry, db = hand
    from prrt_rwe.report import results_json

    def full(results, path):
        Path(path).write_bytes(b'{"trunc')
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr("prrt_rwe.study.write_results", full)
    result = run("analyze", "--db", db, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert not (tmp_path / "out" / "results.json").exists()
    assert not completion(tmp_path / "out").complete
    assert not [p for p in (tmp_path / "out").rglob("*.tmp")]


# -- foreign or tampered databases -----------------------------------------------------------

@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_text("hello"), "not a DuckDB database"),
    (lambda p: p.write_bytes(b""), "empty file"),
    (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (a)").connection.commit(), "not a DuckDB database"),
    (lambda p: duckdb.connect(str(p)).execute("CREATE TABLE other (a INT)").close(), "without ingest_meta"),
])
def test_analyze_refuses_a_foreign_database(tmp_path, make, words):
    db = tmp_path / "foreign.duckdb"
    make(db)
    before = sha(db)
    result = run("analyze", "--db", db, "--out", tmp_path / "out")
    assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output
    assert sha(db) == before and not (tmp_path / "out").exists()


def test_analyze_refuses_a_database_missing_a_table(hand, tmp_path):
    db = Path(shutil.copy(hand[1], tmp_path / "r.duckdb"))
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE labs")
    con.close()
    result = run("analyze", "--db", db, "--out", tmp_path / "out")
    assert result.exit_code == 1 and "table(s) labs missing" in result.output


def test_analyze_revalidates_a_database_edited_after_ingest(hand, tmp_path):
    db = Path(shutil.copy(hand[1], tmp_path / "r.duckdb"))
    con = duckdb.connect(str(db))
    line = con.execute("SELECT source_line FROM patients ORDER BY source_line LIMIT 1").fetchone()[0]
    con.execute("UPDATE patients SET death_date = DATE '2000-01-01' WHERE source_line = ?", [line])
    con.close()
    before = sha(db)
    result = run("analyze", "--db", db, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"r.duckdb[patients]:{line}:death_date: E010 death_date 2000-01-01 before the first cycle" in result.output
    assert sha(db) == before and not (tmp_path / "out" / "adam").exists()


def test_connections_never_autoload_extensions():
    from prrt_rwe.ingest.database import connect

    con = connect(":memory:")
    assert con.execute("SELECT current_setting('autoload_known_extensions'), "
                       "current_setting('autoinstall_known_extensions')").fetchone() == (False, False)


# -- stale WAL and .partial folders ----------------------------------------------------------

def test_stale_wal_and_partial_folders_are_handled(hand, tmp_path):
    registry, _ = hand
    db = tmp_path / "r.duckdb"
    other = duckdb.connect(str(tmp_path / "other.duckdb"))
    other.execute("CREATE TABLE t AS SELECT range AS a FROM range(1000)")
    shutil.copy(tmp_path / "other.duckdb.wal", db.with_name("r.duckdb.wal"))
    other.close()
    dead = tmp_path / ".r.duckdb.999999999.abc.partial"
    dead.mkdir()
    (dead / "r.duckdb").write_bytes(b"half")
    assert ingest(registry, db).ok
    assert not db.with_name("r.duckdb.wal").exists() and not dead.exists()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM patients").fetchone()[0] > 0
    con.close()


# -- config errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("content, words", [
    (b'[models]\norr = "response ~ primary_group + bogus"\n', "'bogus'"),
    (b'[km]\nconf_type = "log\xe9"\n', "not UTF-8 (byte 0xe9 on line 2)"),
])
def test_config_errors_are_one_message(hand, tmp_path, content, words):
    toml = tmp_path / "study.toml"
    toml.write_bytes(content)
    result = run("analyze", "--db", hand[1], "--out", tmp_path / "out", "--config", toml)
    assert result.exit_code == 1 and words in result.output and "study configuration" in result.output


def test_numba_cache_falls_back_to_a_writable_folder(tmp_path):
    from prrt_rwe.stats.numba_cache import choose_cache

    env: dict = {}
    assert choose_cache(tmp_path / "pkg", env, tmp=str(tmp_path), writable=lambda p: "pkg" not in str(p))
    assert env["NUMBA_CACHE_DIR"].startswith(str(tmp_path))
    env = {}
    assert not choose_cache(tmp_path / "pkg", env, tmp=str(tmp_path), writable=lambda p: False)


# -- completion marker -----------------------------------------------------------------------

def test_complete_run_has_a_matching_marker(hand, tmp_path):
    out = tmp_path / "out"
    assert run("analyze", "--db", hand[1], "--out", out).exit_code == 0
    state = completion(out)
    assert state.complete
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["run_id"] == state.run_id and state.run_id in (out / "report.html").read_text()
    marker = json.loads((out / MARKER).read_text())
    assert set(marker["files"]) >= {"results.json", "report.html", "run.json", "ard.parquet",
                                    "adam/adsl.parquet"}
    (out / "results.json").write_text("{}")
    assert not completion(out).complete
