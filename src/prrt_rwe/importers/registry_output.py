"""The format-v1 folder an importer writes, all or nothing (shared/spec/importers.md).

Rows are collected as text cells with the source row each came from. :func:`write_registry`
writes them to a staging folder next to OUT, runs the usual ``validate`` on it (the format-v1
rules live there, not here), reports every finding at the export line, record and field it came
from, and only when no error remains puts the folder in place of OUT (with import_report.json).
On failure nothing is left behind and an earlier OUT is untouched.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from prrt_rwe.importers.import_report import ImportReport
from prrt_rwe.importers.problems import ImportFailed, Problem
from prrt_rwe.ingest.codes import ERROR
from prrt_rwe.ingest.validation import validate
from prrt_rwe.outputs.destination import DestinationError, cannot_write, check_output_folder, make_folder
from prrt_rwe.schema import TABLES, TABLES_BY_NAME

REPORT_FILE = "import_report.json"


@dataclass(frozen=True)
class SourceRow:
    """Where one format-v1 row came from: file, line (or record number), a label naming the
    record and instance, and the source column of each format-v1 column."""

    file: str
    line: int
    label: str
    columns: dict[str, str]


@dataclass(frozen=True)
class ImportResult:
    """The folder written, its import report and the validation warnings (at their sources)."""

    out: Path
    report: ImportReport
    warnings: tuple[Problem, ...]


@dataclass
class RegistryRows:
    """Format-v1 rows being built: per table, text cells and their sources."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    sources: dict[str, list[SourceRow]] = field(default_factory=dict)
    columns: dict[str, set[str]] = field(default_factory=dict)
    table_sources: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    def declare(self, table: str, file: str, columns: dict[str, str]) -> None:
        """The columns a table will carry and the source of each (for findings on line 1)."""
        self.columns.setdefault(table, set()).update(columns)
        self.table_sources[table] = (file, dict(columns))
        self.rows.setdefault(table, [])
        self.sources.setdefault(table, [])

    def add(self, table: str, cells: dict[str, str], source: SourceRow) -> None:
        if table not in self.rows:
            self.declare(table, source.file, {})
        self.rows[table].append(cells)
        self.sources[table].append(source)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


def _write_table(folder: Path, table: str, rows: RegistryRows) -> dict[int, int] | None:
    """Write one CSV (the declared columns and those its rows fill, in schema order); returns
    {physical line: row position}, or None when every row is one line (line = position + 2)."""
    schema = TABLES_BY_NAME[table]
    cells = rows.rows.get(table, [])
    present = rows.columns.get(table, set()).union(*(c.keys() for c in cells))
    header = [c for c in schema.column_names if c in present]
    records = [[row.get(c, "") for c in header] for row in cells]
    path = folder / schema.filename
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(records)
    if path.read_bytes().count(b"\n") == len(records) + 1:
        return None
    lines, line = {}, 2
    for pos, record in enumerate(records):
        lines[line] = pos
        line += 1 + sum(v.count("\n") for v in record)
    return lines


def _translate(issue, rows: RegistryRows, line_maps: dict[str, dict[int, int] | None]) -> Problem:
    """A validation issue on a written file, placed at the source row it came from."""
    table = Path(issue.file).stem
    context = f"format-v1 {issue.file}"
    if table not in line_maps:
        pos = None
    elif line_maps[table] is None:
        pos = issue.line - 2 if 2 <= issue.line < rows.count(table) + 2 else None
    else:
        pos = line_maps[table].get(issue.line)
    if pos is not None:
        source = rows.sources[table][pos]
        column = source.columns.get(issue.column, issue.column)
        return Problem(source.file, source.line, column, issue.code,
                       f"{source.label}: {issue.message} ({context}, column {issue.column})")
    file, columns = rows.table_sources.get(table, (issue.file, {}))
    column = columns.get(issue.column, issue.column)
    return Problem(file, 1, column, issue.code, f"{issue.message} ({context})")


def refuse_early(out, source=None) -> None:
    """Before any reading (usage errors, DestinationError, exit 2): OUT must be a folder outside
    the input that is new, empty or an earlier import's (it holds import_report.json)."""
    out = Path(out)
    check_output_folder(out, source)
    if out.is_dir() and any(out.iterdir()) and not (out / REPORT_FILE).exists():
        raise DestinationError(f"{out}: exists and was not written by an import: not replaced "
                               "(give a new folder or an earlier import's folder)")


def write_registry(rows: RegistryRows, out, report: ImportReport) -> list[Problem]:
    """Validate and write the folder; returns the validation warnings (at their sources).

    Raises ImportFailed (nothing written) when validation finds an error.
    """
    out = Path(out)
    refuse_early(out)
    make_folder(out.parent)
    staging = out.parent / f".{out.name}.importing-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        return _write_validated(rows, staging, out, report)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_validated(rows: RegistryRows, staging: Path, out: Path, report: ImportReport) -> list[Problem]:
    """Write the tables into staging, validate them there, and move staging onto ``out``."""
    line_maps = {}
    for schema in TABLES:
        name = schema.name
        if name in rows.rows and (rows.count(name) or schema.file_required):
            line_maps[name] = _write_table(staging, name, rows)
    found = [_translate(i, rows, line_maps) for i in validate(staging).issues]
    errors = [p for p in found if p.severity == ERROR]
    if errors:
        raise ImportFailed(errors)
    warnings = sorted(found)
    report.rows_written = {t: rows.count(t) for t in line_maps}
    report.warnings = [w.format() for w in warnings]
    report.write(staging / REPORT_FILE)
    _replace(staging, out)
    return warnings


def _replace(staging: Path, out: Path) -> None:
    """Put staging in place of out; an earlier out is removed only after the rename."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.replaced-{os.getpid()}"
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


