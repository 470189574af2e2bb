"""What the command line does when something goes wrong inside it (cli_usage.py): a bug is one
line naming the exception type and where, exit 3, never the message or the traceback's local
variables (they can hold patient data); PRRT_RWE_DEBUG=1 gives the traceback, still without
locals; ^C says "interrupted", exit 130; --help says what REGISTRY is and uses the
metavars of the other commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from prrt_rwe.cli import app

MINIMAL = Path(__file__).parents[2] / "examples" / "minimal"
SECRET = "Yamada-Taro-1957"

# validate() replaced by a function that fails with patient data in a local and in the message
FAILING = f"""
import sys
import prrt_rwe.ingest.validation as validation
from prrt_rwe.cli import main

def broken(path):
    patient_name = {SECRET!r}
    raise ValueError("cannot parse " + patient_name)

validation.validate = broken
sys.argv = ["prrt-rwe", "validate", {str(MINIMAL)!r}]
main()
"""


def _run_failing(debug: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("PRRT_RWE_DEBUG", None)
    if debug:
        env["PRRT_RWE_DEBUG"] = "1"
    return subprocess.run([sys.executable, "-c", FAILING], capture_output=True, text=True, env=env,
                          timeout=120)


def test_a_bug_is_one_line_with_exit_3_and_no_data():
    result = _run_failing(debug=False)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("prrt-rwe validate: internal error: ValueError at ")
    assert "PRRT_RWE_DEBUG=1" in lines[0]
    assert SECRET not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_without_local_variables():
    result = _run_failing(debug=True)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ValueError" in result.stderr
    assert "broken" in result.stderr          # the frame that raised is named
    assert "patient_name =" not in result.stderr   # typer's show_locals would print it


def test_interrupt_says_so_and_exits_130(monkeypatch):
    import prrt_rwe.ingest.validation as validation

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(validation, "validate", interrupted)
    result = CliRunner().invoke(app, ["validate", str(MINIMAL)])
    assert result.exit_code == 130
    assert result.output.strip().splitlines()[-1] == "interrupted"


def test_help_says_what_registry_is():
    # typer 0.20 with click 8.5 drops an Argument's help=, so the command's text says it
    for command in ("validate", "ingest", "analyze"):
        text = " ".join(CliRunner().invoke(app, [command, "--help"], terminal_width=200).output.split())
        assert "REGISTRY: a folder of CSV files or an .xlsx workbook" in text, command
    text = CliRunner().invoke(app, ["reconstruct-km", "--help"], terminal_width=200).output
    assert "PATH" not in text and "INTEGER" not in text


def test_a_typo_in_the_iptw_exposure_is_a_config_error_not_a_silent_null(tmp_path):
    # before: exit 0 and a report saying "IPTW not estimable", as if the data were at fault
    for value, words in (("ssa_concomitnt", "['ssa_concomitnt'] not ADSL variables"),
                         ("age", "exposure 'age' must be a yes/no variable")):
        toml = tmp_path / f"{value}.toml"
        toml.write_text(f'[iptw]\nexposure = "{value}"\n')
        result = CliRunner().invoke(app, ["analyze", str(MINIMAL), "--out", str(tmp_path / value),
                                          "--config", str(toml)])
        assert result.exit_code == 1, result.output
        assert "study configuration: [iptw] exposure" in result.output and words in result.output
        assert not (tmp_path / value / "results.json").exists() and "pidx" not in result.output
