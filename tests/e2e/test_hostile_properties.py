"""Property tests (issue 12): ingest and analyze killed at random points, the database
truncated or corrupted at random offsets. The database is always the old or the new complete
one; OUT is complete with a matching marker or marked incomplete, never mixed and unmarked;
nothing ends in a traceback."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from hand_registry import write_registry

from prrt_rwe.cli import app
from prrt_rwe.ingest import load
from prrt_rwe.ingest.load import ingest
from prrt_rwe.outputs import atomic
from prrt_rwe.outputs.completion import completion
from prrt_rwe.study import analyze


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so no handler of ours catches it."""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contents(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in sorted(names)}
    finally:
        con.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("kills")
    old_reg = write_registry(base / "old")
    new_reg = write_registry(base / "new")
    (new_reg / "patients.csv").write_text((new_reg / "patients.csv").read_text().replace(",no,", ",yes,", 1))
    old_db, new_db = base / "old.duckdb", base / "new.duckdb"
    assert ingest(old_reg, old_db).ok and ingest(new_reg, new_db).ok
    assert contents(old_db) != contents(new_db)
    first = base / "first-out"
    analyze(old_db, first)
    return base, new_reg, old_db, new_db, first


def kill_at(monkeypatch, module, name, n):
    """Make the n-th call (0-based) of module.name raise Killed."""
    real, calls = getattr(module, name), [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] - 1 == n:
            raise Killed
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, wrapper)


@settings(max_examples=6)
@given(point=st.sampled_from(["_insert", "replace", "rmtree"]), n=st.integers(0, 8))
def test_killed_ingest_leaves_the_old_or_the_new_database(world, tmp_path_factory, point, n):
    base, new_reg, old_db, new_db, _ = world
    db = tmp_path_factory.mktemp("kill") / "r.duckdb"
    shutil.copy(old_db, db)
    with pytest.MonkeyPatch.context() as mp:
        if point == "_insert":
            kill_at(mp, load, "_insert", n)
        elif point == "replace":
            kill_at(mp, load.os, "replace", n % 2)
        else:
            kill_at(mp, load.shutil, "rmtree", 0)
        try:
            ingest(new_reg, db)
        except Killed:
            pass
    assert contents(db) in (contents(old_db), contents(new_db))
    assert ingest(new_reg, db).ok and contents(db) == contents(new_db)   # the next run recovers
    assert not list(db.parent.glob("*.partial"))


@settings(max_examples=6)
@given(n=st.integers(0, 12))
def test_killed_analyze_is_complete_or_marked_incomplete(world, tmp_path_factory, n):
    base, _, _, new_db, first = world
    out = tmp_path_factory.mktemp("out") / "out"
    shutil.copytree(first, out)                     # an earlier complete run is there
    assert completion(out).complete
    with pytest.MonkeyPatch.context() as mp:
        kill_at(mp, atomic.os, "replace", n)
        try:
            analyze(new_db, out)
            killed = False
        except Killed:
            killed = True
    state = completion(out)
    run_id = json.loads((out / "run.json").read_text())["run_id"]
    if killed:
        assert not state.complete                   # never mixed and unmarked
    else:
        assert state.complete and state.run_id == run_id


@settings(max_examples=8)
@given(mode=st.sampled_from(["truncate", "corrupt"]), fraction=st.floats(0.0, 0.999), seed=st.integers(0, 255))
def test_damaged_database_gives_a_clean_error(world, tmp_path_factory, mode, fraction, seed):
    base, new_reg, old_db, _, first = world
    folder = tmp_path_factory.mktemp("damaged")
    db = folder / "r.duckdb"
    data = bytearray(old_db.read_bytes())
    at = int(len(data) * fraction)
    if mode == "truncate":
        data = data[:at]
    else:
        data[at:at + 64] = bytes((seed + i * 37) % 256 for i in range(len(data[at:at + 64])))
    db.write_bytes(bytes(data))
    before = sha(db)
    runner = CliRunner()
    result = runner.invoke(app, ["analyze", "--db", str(db), "--out", str(folder / "out")])
    assert isinstance(result.exception, (SystemExit, type(None))), result.exception
    if result.exit_code == 0:
        assert (folder / "out" / "results.json").read_bytes() == (first / "results.json").read_bytes()
    else:
        assert result.exit_code == 1 and "Traceback" not in result.output
    assert sha(db) == before
    again = runner.invoke(app, ["ingest", str(new_reg), "--db", str(db)])
    assert again.exit_code in (0, 2), again.output
    if again.exit_code == 2:
        assert sha(db) == before
