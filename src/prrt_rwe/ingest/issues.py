"""One data-quality finding: ``file:line:column: CODE message``.

Line 1 is the header, the first data row is line 2; a missing file or column is reported
on line 1 (shared/spec/registry-format-v1.md, "What bad input gets").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from prrt_rwe.ingest.codes import CODES_BY_ID


@dataclass(frozen=True, order=True)
class Issue:
    """A single finding; ``table`` is the registry table, ``site`` the row's site (or None)."""

    file: str
    line: int
    column: str
    code: str
    message: str
    table: str = ""
    site: str | None = None

    @property
    def severity(self) -> str:
        return CODES_BY_ID[self.code].severity

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.code} {self.message}"

    def to_dict(self) -> dict:
        out = asdict(self)
        out["severity"] = self.severity
        return out


def sort_key(issue: Issue) -> tuple:
    """Deterministic order: file, line, column, code, then message."""
    return (issue.file, issue.line, issue.column, issue.code, issue.message)


def file_issue(file: str, table: str, code: str, message: str, column: str = "",
               line: int = 1) -> Issue:
    """An issue about a whole file or column (line 1 unless given)."""
    return Issue(file=file, line=line, column=column, code=code, message=message, table=table)


def row_issues(raw, mask, column: str, code: str, messages) -> list[Issue]:
    """Issues for the rows of ``raw`` (a RawTable) where ``mask`` is true.

    ``messages`` is one string for all rows, an array-like aligned with the table, or a
    function of the selected row positions returning their messages (built only when needed).
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return []
    idx = np.flatnonzero(mask)
    lines = raw.lines[idx]
    sites = (raw.cells["site_id"].iloc[idx].to_numpy(dtype=object) if raw.has("site_id")
             else np.full(len(idx), None))
    if isinstance(messages, str):
        msgs = [messages] * len(idx)
    elif callable(messages):
        msgs = list(messages(idx))
    else:
        msgs = np.asarray(pd.Series(messages), dtype=object)[idx]
    return [
        Issue(raw.file, int(line), column, code, str(msg), raw.name, site or None)
        for line, site, msg in zip(lines.tolist(), sites.tolist(), msgs)
    ]


def quote(values) -> np.ndarray:
    """Offending values written as ``'value'`` for messages (vectorised)."""
    s = pd.Series(np.asarray(values, dtype=object)).astype(str)
    return ("'" + s + "'").to_numpy(dtype=object)
