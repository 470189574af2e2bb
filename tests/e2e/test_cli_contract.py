"""The command-line contract (results-v1.md "Commands"): exit 0 / 1 (bad data) / 2 (usage),
a usage error is one line naming the command and the option; --help has no type
placeholders for flags; the ingest message says what happened to the database; analyze
ends with a one-screen summary and the report path."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from hand_registry import write_registry

from prrt_rwe.cli import app

COMMANDS = ("synth", "validate", "ingest", "analyze", "demo")


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    return write_registry(tmp_path_factory.mktemp("cli") / "registry")


@pytest.mark.parametrize("args, option", [
    (("validate", "/no/such/registry"), "REGISTRY"),
    (("ingest", "/no/such/registry", "--db", "x.duckdb"), "REGISTRY"),
    (("analyze", "/no/such/registry", "--out", "o"), "REGISTRY"),
    (("analyze", "--db", "/no/such.duckdb", "--out", "o"), "--db"),
    (("analyze", "--out", "o"), "registry folder or --db"),
    (("analyze", "{registry}", "--out", "o", "--config", "/no/study.toml"), "--config"),
    (("analyze", "{registry}", "--out", "o", "--suppress-below", "0"), "--suppress-below"),
    (("analyze", "{registry}", "--out", "o", "--suppress-below", "2"), "--suppress-below"),
    (("analyze", "{registry}", "--out", "o", "--suppress-below", "many"), "--suppress-below"),
    (("analyze", "{registry}"), "--out"),
    (("synth", "--out", "r", "--patients", "0"), "--patients"),
    (("synth", "--out", "r", "--colour"), "--colour"),
    (("frobnicate",), "frobnicate"),
])
def test_usage_errors_exit_2_with_one_line(args, option, registry, tmp_path):
    args = [str(registry) if a == "{registry}" else (tmp_path / a if a in ("o", "r", "x.duckdb") else a)
            for a in args]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    command = "root" if args[0] not in COMMANDS else f"root {args[0]}"   # CliRunner's prog name
    assert lines[0].startswith(f"{command}: error: ") and option in lines[0], lines[0]
    assert "Traceback" not in result.output and "╭" not in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_no_type_placeholders_for_flags(command):
    text = invoke(command, "--help").output
    assert invoke(command, "--help").exit_code == 0
    assert not re.search(r"<bool>|BOOLEAN|<[a-z]+>", text), text


def test_ingest_says_left_as_it_was_only_when_a_database_existed(registry, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in registry.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    lines = (bad / "cycles.csv").read_text().splitlines()
    head, first = lines[0].split(","), lines[1].split(",")
    first[head.index("date")] = "not-a-date"
    (bad / "cycles.csv").write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")
    db = tmp_path / "study.duckdb"
    fresh = invoke("ingest", bad, "--db", db)
    assert fresh.exit_code == 1 and "not created" in fresh.output and "left as it was" not in fresh.output
    assert invoke("ingest", registry, "--db", db).exit_code == 0
    kept = invoke("ingest", bad, "--db", db)
    assert kept.exit_code == 1 and "left as it was" in kept.output


def test_analyze_ends_with_a_one_screen_summary(hand_run):
    base, _, result = hand_run   # `prrt-rwe analyze base/registry --out base/out` (tests/e2e/conftest.py)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) <= 24  # one screen
    text = " ".join(lines)
    # the hand registry: 10 enrolled, 9 treated, 7 in the efficacy set (hand_registry.py)
    assert "10 enrolled, 9 safety, 7 efficacy" in text
    assert "no PRRT cycle 1" in text and "Data quality: 0 errors" in text
    assert "Confirmed objective response" in text and "Median PFS" in text
    assert "not for sharing" in text
    assert lines[-1] == f"report: {(base / 'out' / 'report.html').resolve()}"


def test_a_study_toml_is_recorded_with_its_hash_and_the_rules_text_is_linked(registry, tmp_path):
    import hashlib
    import json

    cfg = tmp_path / "study.toml"   # the name that used to read as "no configuration"
    cfg.write_text("[recist]\nconfirmation_days = 28\n")
    out = tmp_path / "out"
    assert invoke("analyze", registry, "--out", out, "--config", cfg).exit_code == 0
    run = json.loads((out / "run.json").read_text())
    assert run["config"] == str(cfg)
    assert run["config_sha256"] == hashlib.sha256(cfg.read_bytes()).hexdigest()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert str(cfg) in html and "defaults of derivations.md" not in html
    docs = Path(__file__).resolve().parents[2] / "docs" / "derivations.md"
    assert (out / "derivations.md").read_text(encoding="utf-8") == docs.read_text(encoding="utf-8")
    assert html.count('<a href="derivations.md">') >= 2  # from the methods and the provenance


def test_without_a_config_the_report_says_defaults(hand_run):
    import json

    base, _, result = hand_run   # `prrt-rwe analyze base/registry --out base/out`, no --config
    out = base / "out"
    assert result.exit_code == 0
    assert json.loads((out / "run.json").read_text())["config"] is None
    assert "defaults of derivations.md (no study.toml)" in (out / "report.html").read_text(encoding="utf-8")
