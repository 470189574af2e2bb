"""docs/importers.md lists exactly the codes of importers/problems.py, in order, each with an
example line carrying that code."""

from __future__ import annotations

import re
from pathlib import Path

from prrt_rwe.importers.problems import CODES

DOC = Path(__file__).resolve().parents[2] / "docs" / "importers.md"
ROW = re.compile(r"^\| (I\d{3}) \| (\w+) \| (.+?) \| `(.+)` \|$")


def test_doc_table_matches_codes():
    rows = [ROW.match(line).groups() for line in DOC.read_text(encoding="utf-8").splitlines() if ROW.match(line)]
    assert [row[:3] for row in rows] == [(c.code, c.severity, c.title) for c in CODES]
    for code, _, _, example in rows:
        match = re.match(r"^[^:]+:\d+:[^:]*: (I\d{3}) .+$", example)
        assert match and match.group(1) == code, example
