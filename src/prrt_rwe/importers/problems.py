"""What a failed import reports: ``file:line:column: CODE message`` (shared/spec/importers.md).

``line`` is the export's line (CSV line 1 = the header) or, for SAS XPT and Dataset-JSON, the
record number (1 = the first record); ``column`` is the REDCap field or the SDTM variable. The
record_id (REDCap) or USUBJID (SDTM) and the repeat instance are in the message. Codes are
stable, never reused; docs/importers.md lists them. Validation findings on the written format-v1
files keep their E/W codes and are reported at the source row they came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from prrt_rwe.ingest.codes import CODES_BY_ID as VALIDATION_CODES
from prrt_rwe.ingest.codes import ERROR, Code

CODES: tuple[Code, ...] = (
    Code("I001", ERROR, "input file missing or unreadable"),
    Code("I002", ERROR, "export does not match the data dictionary"),
    Code("I003", ERROR, "repeat instance without its parent record"),
    Code("I004", ERROR, "unknown choice code or label"),
    Code("I005", ERROR, "date not in the export's date format"),
    Code("I006", ERROR, "mapping file invalid"),
    Code("I007", ERROR, "duplicate record, instance or administration"),
    Code("I008", ERROR, "not an SDTM dataset"),
    Code("I009", ERROR, "required SDTM domain missing"),
    Code("I010", ERROR, "unit that cannot be converted"),
    Code("I011", ERROR, "partial date (give --impute-partial-dates first)"),
    Code("I012", ERROR, "subject not in DM"),
    Code("I013", ERROR, "value that has no format-v1 code"),
)
CODES_BY_ID = {c.code: c for c in CODES}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of an import, at its source position."""

    file: str
    line: int
    column: str
    code: str
    message: str

    def format(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.code} {self.message}"

    @property
    def severity(self) -> str:
        return (CODES_BY_ID.get(self.code) or VALIDATION_CODES[self.code]).severity


class ImportFailed(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems):
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(p.format() for p in self.problems))


def where(record: str, instance: str = "") -> str:
    """The message prefix naming the source record (and repeat instance)."""
    return f"record '{record}'" + (f", {instance}" if instance else "") + ": "
