"""Issue 17: the same results.json from DuckDB (embedded), PostgreSQL (``ingest`` then
``analyze --db postgresql://…``) and Spark (``analyze --engine spark``, local mode), on
examples/minimal (every analysis, heavy ones included) and on a synthetic 10,000-patient
registry (``[analyses] heavy = false``, as for a large registry: the skipped analyses only
re-read the same ADaM, and multiple imputation alone would take ~30 s per engine): counts and
strings identical, numbers equal to 1e-9 relative. One PostgreSQL server and one Spark session
for the run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from results_equal import differences  # noqa: E402

from prrt_rwe.config import parse_config
from prrt_rwe.ingest.load import ingest
from prrt_rwe.study import analyze
from prrt_rwe.synth.generator import generate

MINIMAL = Path(__file__).parents[2] / "examples" / "minimal"
CONFIGS = {"minimal": None, "synth": parse_config({"analyses": {"heavy": False}})}


@pytest.fixture(scope="module")
def registries(tmp_path_factory):
    base = tmp_path_factory.mktemp("engines")
    synth = base / "synth-10000"
    generate(synth, patients=10_000, sites=33, seed=17)
    return {"minimal": MINIMAL, "synth": synth}


def _results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def duckdb_results(registries, tmp_path_factory):
    base = tmp_path_factory.mktemp("duckdb")
    return {name: _results(analyze(path, base / name, config=CONFIGS[name]).out) for name, path in registries.items()}


@pytest.mark.parametrize("name", ["minimal", "synth"])
def test_postgresql_gives_the_duckdb_results(name, registries, duckdb_results, postgres_url, tmp_path):
    loaded = ingest(registries[name], postgres_url)
    assert loaded.ok and loaded.rows["patients"] > 0
    ours = _results(analyze(postgres_url, tmp_path / "out", config=CONFIGS[name]).out)
    assert differences(duckdb_results[name], ours) == []


@pytest.mark.parametrize("name", ["minimal", "synth"])
def test_spark_gives_the_duckdb_results(name, registries, duckdb_results, spark, tmp_path):
    ours = _results(analyze(registries[name], tmp_path / "out", config=CONFIGS[name], engine="spark").out)
    assert differences(duckdb_results[name], ours) == []


def test_the_comparison_sees_a_difference(duckdb_results):
    """The tolerance is relative 1e-9: a change in the 8th digit or of a count is found."""
    changed = json.loads(json.dumps(duckdb_results["minimal"]))
    changed["response"]["orr"]["estimate"] *= 1 + 1e-8
    assert differences(duckdb_results["minimal"], changed) == [
        f".response.orr.estimate: {duckdb_results['minimal']['response']['orr']['estimate']!r} != "
        f"{changed['response']['orr']['estimate']!r}"]
    changed = json.loads(json.dumps(duckdb_results["minimal"]))
    changed["analysis_sets"]["safety"] += 1
    assert differences(duckdb_results["minimal"], changed)


def test_cli_takes_a_postgresql_url(postgres_url, duckdb_results, tmp_path):
    """`prrt-rwe ingest DIR --db postgresql://…` and `analyze --db postgresql://…`; the password
    of the URL (the test server trusts loopback, so any is accepted) is never printed or written."""
    from typer.testing import CliRunner

    from prrt_rwe.cli import app

    url = postgres_url.replace("prrt@", "prrt:s3cret@")
    runner = CliRunner()
    loaded = runner.invoke(app, ["ingest", str(MINIMAL), "--db", url])
    assert loaded.exit_code == 0, loaded.output
    assert "ingested into postgresql://prrt:***@" in loaded.output and "s3cret" not in loaded.output
    done = runner.invoke(app, ["analyze", "--db", url, "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert differences(duckdb_results["minimal"], _results(tmp_path / "out")) == []
    for name in ("run.json", "report.html", "results.json"):
        assert "s3cret" not in (tmp_path / "out" / name).read_text(encoding="utf-8")


def test_password_is_never_shown():
    from prrt_rwe.engines.postgres_engine import redacted

    assert redacted("postgresql://ann:s3cret@db.example:5432/reg") == "postgresql://ann:***@db.example:5432/reg"
    assert redacted("postgresql://ann@127.0.0.1/reg") == "postgresql://ann@127.0.0.1/reg"
