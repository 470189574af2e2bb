"""ValidationReport: deterministic JSON, line format, plain console output when not a TTY."""

from __future__ import annotations

import io
import json

from registry_edits import set_cell
from rich.console import Console

from prrt_rwe.ingest.console import print_report
from prrt_rwe.ingest.validation import validate


def test_json_is_deterministic_and_complete(registry, tmp_path):
    set_cell(registry, "patients", 2, "sex", "X")
    validate(registry).write_json(tmp_path / "a.json")
    validate(registry).write_json(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["ok"] is False and doc["errors"] == 1 and doc["codes"]["E006"] == 1
    first_error = next(i for i in doc["issues"] if i["severity"] == "error")
    assert (first_error["file"], first_error["line"], first_error["column"], first_error["code"]) == \
        ("patients.csv", 2, "sex", "E006")
    assert [s["site_id"] for s in doc["sites"]] == ["S01", "S02", "S03"]
    assert doc["sites"][0]["errors"] == 1


def test_console_output_plain_when_not_a_terminal(registry):
    set_cell(registry, "patients", 2, "sex", "X")
    report = validate(registry)
    buffer = io.StringIO()
    print_report(report, Console(file=buffer, width=80))
    out = buffer.getvalue()
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[: len(report.issues)] == report.format_lines()
    assert "patients.csv:2:sex: E006 unknown code 'X' (allowed: M, F)" in lines
    assert lines[-1].endswith("invalid (errors: 1, warnings: 5)")


def test_long_issue_lines_are_not_wrapped(registry):
    set_cell(registry, "patients", 2, "primary_site", "x" * 200)
    buffer = io.StringIO()
    print_report(validate(registry), Console(file=buffer, width=40))
    assert any(line.startswith("patients.csv:2:primary_site: E006") and "x" * 200 in line
               for line in buffer.getvalue().splitlines())


def test_values_and_line_numbers_print_literally(registry):
    # rich would turn ":100:" (e.g. in "cycles.csv:100:date") into an emoji and "[b]" into markup
    set_cell(registry, "patients", 2, "sex", ":100:[b]")
    buffer = io.StringIO()
    print_report(validate(registry), Console(file=buffer, width=80))
    assert "patients.csv:2:sex: E006 unknown code ':100:[b]' (allowed: M, F)" in buffer.getvalue().splitlines()
