"""The data-quality report of one registry: issues plus a per-site summary.

Issues are sorted by file, line, column, code (then message), so the same input always gives
the same report. ``write_json`` holds no timestamps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from prrt_rwe.ingest.codes import CODES, ERROR, WARNING
from prrt_rwe.ingest.issues import Issue, sort_key
from prrt_rwe.schema import FORMAT_VERSION

JSON_SCHEMA = "prrt-rwe/validation/1"


@dataclass(frozen=True)
class SiteSummary:
    """One site: rows per table, % missing per model covariate, issue counts."""

    site_id: str
    rows: dict[str, int]
    missing_percent: dict[str, float]
    warnings: int
    errors: int

    def to_dict(self) -> dict:
        return {"site_id": self.site_id, "rows": dict(self.rows),
                "missing_percent": dict(self.missing_percent),
                "warnings": self.warnings, "errors": self.errors}


@dataclass(frozen=True)
class ValidationReport:
    """Result of ``validate(path)``; ``ok`` is true when no error was found."""

    source: str
    kind: str
    fingerprint: str
    issues: tuple[Issue, ...]
    site_summary: tuple[SiteSummary, ...] = ()

    @classmethod
    def build(cls, source: str, kind: str, fingerprint: str, issues, site_summary=()) -> ValidationReport:
        return cls(source, kind, fingerprint, tuple(sorted(issues, key=sort_key)), tuple(site_summary))

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == ERROR)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == WARNING)

    @property
    def ok(self) -> bool:
        return not any(i.severity == ERROR for i in self.issues)

    def code_counts(self) -> dict[str, int]:
        counts = {c.code: 0 for c in CODES}
        for issue in self.issues:
            counts[issue.code] += 1
        return {code: n for code, n in counts.items() if n}

    def format_lines(self) -> list[str]:
        """``file:line:column: CODE message`` for every issue, in report order."""
        return [i.format() for i in self.issues]

    def summary(self) -> dict:
        """The data-quality summary (no issue lines): counts, findings by code, per site."""
        return {"errors": len(self.errors), "warnings": len(self.warnings),
                "codes": self.code_counts(), "sites": [s.to_dict() for s in self.site_summary]}

    def to_dict(self) -> dict:
        return {
            "schema": JSON_SCHEMA,
            "format_version": FORMAT_VERSION,
            "source": self.source,
            "kind": self.kind,
            "input_fingerprint": self.fingerprint,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "codes": self.code_counts(),
            "sites": [s.to_dict() for s in self.site_summary],
            "issues": [i.to_dict() for i in self.issues],
        }

    def write_json(self, path) -> None:
        """Written atomically (outputs/atomic.py); OSError when the path cannot be written."""
        from prrt_rwe.outputs.atomic import write_text

        write_text(path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")
