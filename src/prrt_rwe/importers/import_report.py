"""OUT/import_report.json: rows read and written, fields not used, values not mapped
(shared/spec/importers.md). Sorted keys and lists, no timestamps: the same input gives the same
bytes."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

JSON_SCHEMA = "prrt-rwe/import-report/1"


@dataclass
class ImportReport:
    """Filled while converting; ``rows_written`` and ``warnings`` when the folder is written."""

    importer: str
    inputs: dict[str, str]
    options: dict
    rows_read: dict[str, int] = field(default_factory=dict)
    fields_not_used: set[str] = field(default_factory=set)
    values_not_mapped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    rows_written: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def not_mapped(self, source: str, value: str, why: str, rows: int = 1) -> None:
        """Count rows whose ``value`` of ``source`` was left out, and why."""
        self.values_not_mapped[(source, value, why)] += rows

    def to_dict(self) -> dict:
        return {
            "schema": JSON_SCHEMA,
            "importer": self.importer,
            "inputs": dict(sorted(self.inputs.items())),
            "options": dict(sorted(self.options.items())),
            "rows_read": dict(sorted(self.rows_read.items())),
            "rows_written": dict(self.rows_written),
            "fields_not_used": sorted(self.fields_not_used),
            "values_not_mapped": [{"source": s, "value": v, "why": w, "rows": n}
                                  for (s, v, w), n in sorted(self.values_not_mapped.items())],
            "notes": list(self.notes),
            "validation_warnings": list(self.warnings),
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
