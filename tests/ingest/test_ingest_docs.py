"""docs/validation-codes.md lists exactly the codes of ingest/codes.py, in order, with their
severity and meaning, and an example line carrying that code."""

from __future__ import annotations

import re
from pathlib import Path

from prrt_rwe.ingest.codes import CODES

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation-codes.md"
ROW = re.compile(r"^\| ([EW]\d{3}) \| (\w+) \| (.+?) \| `(.+)` \|$")


def doc_rows():
    return [ROW.match(line).groups() for line in DOC.read_text(encoding="utf-8").splitlines()
            if ROW.match(line)]


def test_doc_table_matches_codes():
    generated = [(c.code, c.severity, c.title) for c in CODES]
    assert [row[:3] for row in doc_rows()] == generated


def test_each_example_is_a_report_line_with_its_code():
    line = re.compile(r"^[^:]+:\d+:[^:]*: ([EW]\d{3}) .+$")
    for code, _, _, example in doc_rows():
        match = line.match(example)
        assert match and match.group(1) == code, example
