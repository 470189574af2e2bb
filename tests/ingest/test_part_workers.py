"""Parts checked on worker processes (ingest/part_workers.py, issue 17) give the findings and
the database of one process, byte for byte, whichever way each file was staged (Arrow, DuckDB's
CSV reader, csv_reader); a registry of one part is checked in-process; the temporary files of
dead runs are removed at start (ingest/temp_files.py)."""

from __future__ import annotations

import subprocess
import sys
import tempfile

import duckdb
import pytest

from prrt_rwe.ingest import engine_reader, part_workers
from prrt_rwe.ingest.load import ingest
from prrt_rwe.ingest.temp_files import remove_stale
from prrt_rwe.ingest.validation import validate
from prrt_rwe.schema import TABLES
from prrt_rwe.synth.generator import generate


def _edit(path, change) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    change(lines)
    path.write_text("\n".join(lines), encoding="utf-8")


def _quote_agent(lines) -> None:
    """A quoted cell on line 6 of cycles.csv (the file then goes to DuckDB's CSV reader)."""
    head = lines[0].split(",")
    cells = lines[5].split(",")
    cells[head.index("agent")] = f'"{cells[head.index("agent")]}"'
    lines[5] = ",".join(cells)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A messy registry (errors of many codes) whose cycles have a quoted cell (DuckDB's CSV
    reader), whose assessments have a blank line (csv_reader) and whose labs are plain (Arrow)."""
    folder = tmp_path_factory.mktemp("faulty") / "registry"
    generate(folder, patients=150, sites=12, seed=5, messy=True)

    _edit(folder / "cycles.csv", _quote_agent)
    _edit(folder / "assessments.csv", lambda lines: lines.insert(40, ""))
    _edit(folder / "labs.csv", lambda lines: lines.insert(len(lines) - 1, lines[7]))   # W108 in a late part
    return folder


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean") / "registry"
    generate(folder, patients=150, sites=12, seed=6)
    _edit(folder / "cycles.csv", _quote_agent)
    _edit(folder / "assessments.csv", lambda lines: lines.insert(30, ""))
    return folder


@pytest.fixture
def parallel_calls(monkeypatch):
    """How many parts came from worker processes."""
    seen = []
    real = part_workers.checked_parts

    def spy(staged, workers, prepare=None):
        for result in real(staged, workers, prepare):
            seen.append(workers)
            yield result

    monkeypatch.setattr(part_workers, "checked_parts", spy)
    return seen


def _tables(db) -> dict[str, list[tuple]]:
    """Every table's rows in stored order (the order of the inserts)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [t.name for t in TABLES] + ["extra_columns", "ingest_meta", "validation_summary"]
        return {n: con.execute(f'SELECT * FROM "{n}"').fetchall() for n in names}
    finally:
        con.close()


@pytest.mark.parametrize("name", ["faulty", "clean"])
def test_the_fixtures_take_every_staging_path(name, request, tmp_path, monkeypatch):
    """labs by Arrow, cycles by DuckDB's CSV reader, assessments by csv_reader (both Parquet)."""
    from prrt_rwe.ingest.database import connect

    paths = []
    real = engine_reader._read
    monkeypatch.setattr(engine_reader, "_read", lambda data, file, *a: paths.append(file) or real(data, file, *a))
    con = connect(":memory:")
    try:
        staged = engine_reader.stage_folder(con, request.getfixturevalue(name), tmp_path)
        kinds = {table: "arrow" if f.arrow else "parquet" for table, f in staged.files.items()}
    finally:
        con.close()
    assert kinds["labs"] == "arrow" and kinds["cycles"] == "parquet" and kinds["assessments"] == "parquet"
    assert paths == ["assessments.csv"]   # csv_reader: the file with a blank line only


def test_workers_give_the_findings_of_one_process(faulty, monkeypatch, parallel_calls):
    monkeypatch.setattr(engine_reader, "ROWS_PER_PART", 2000)   # about 8 parts
    monkeypatch.setenv("PRRT_INGEST_WORKERS", "0")
    alone = validate(faulty)
    assert not parallel_calls
    monkeypatch.setenv("PRRT_INGEST_WORKERS", "2")
    together = validate(faulty)
    assert parallel_calls and set(parallel_calls) == {2} and len(parallel_calls) > 4
    codes = {i.code for i in alone.issues}
    assert len(alone.issues) > 20 and codes >= {"E004", "E006", "E008", "E009", "E012", "W108"}
    assert together.format_lines() == alone.format_lines()
    assert together.to_dict() == alone.to_dict()


def test_workers_give_the_database_of_one_process(clean, tmp_path, monkeypatch, parallel_calls):
    monkeypatch.setattr(engine_reader, "ROWS_PER_PART", 2000)
    monkeypatch.setenv("PRRT_INGEST_WORKERS", "0")
    alone = ingest(clean, tmp_path / "alone" / "r.duckdb")
    monkeypatch.setenv("PRRT_INGEST_WORKERS", "2")
    together = ingest(clean, tmp_path / "together" / "r.duckdb")
    assert alone.ok and together.ok and parallel_calls
    assert together.rows == alone.rows and alone.rows["labs"] > 10_000
    assert together.validation.to_dict() == alone.validation.to_dict()
    assert _tables(together.db) == _tables(alone.db)


def test_one_part_is_checked_in_process(clean, parallel_calls):
    report = validate(clean)
    assert report.ok and not parallel_calls


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporary_files_of_dead_runs_removed_at_start(tmp_path, clean, monkeypatch):
    dead, live = _dead_pid(), subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = [tmp_path / f"prrt-rwe-stage-{dead}-k3j2_x9a", tmp_path / f"prrt-rwe-duckdb-{dead}"]
        for folder in stale:
            (folder / "part-0").mkdir(parents=True)
            (folder / "part-0" / "x.arrow").write_bytes(b"x")
        wal = tmp_path / f"prrt-rwe-registry-{dead}-0a1b2c3d4e5f.duckdb.wal"
        wal.write_bytes(b"wal")
        kept = [tmp_path / f"prrt-rwe-stage-{live.pid}-abc", tmp_path / f"prrt-rwe-duckdb-{live.pid}",
                tmp_path / "prrt-rwe-stage-1_zf4rpj",   # no process id: never ours to judge
                tmp_path / "prrt-rwe-duckdb-notapid", tmp_path / f"other-{dead}"]
        for folder in kept:
            folder.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        assert validate(clean).ok
        assert not any(p.exists() for p in stale + [wal])
        assert all(p.is_dir() for p in kept)
        assert remove_stale(tmp_path) == []
    finally:
        live.kill()
        live.wait()
    assert sorted(p.name for p in remove_stale(tmp_path)) == sorted(
        [f"prrt-rwe-duckdb-{live.pid}", f"prrt-rwe-stage-{live.pid}-abc"])
