"""Find the registry's tables in a folder of CSV files or an .xlsx workbook.

File (sheet) names are matched case-insensitively; a required table that is absent is E001,
a file that is not part of the format is W109, a file that cannot be read is E014.
The input fingerprint is sha256 over the input files' bytes, in file-name order.
"""

from __future__ import annotations

from pathlib import Path

from prrt_rwe.ingest.issues import Issue, file_issue
from prrt_rwe.ingest.raw import RawRegistry, RawTable
from prrt_rwe.ingest.xlsx_reader import (
    UnreadableWorkbook,
    open_workbook,
    read_sheet,
    sheet_label,
)
from prrt_rwe.ingest.xlsx_scan import WorkbookScan, scan_workbook
from prrt_rwe.outputs.completion import sha256_file
from prrt_rwe.schema import TABLES, TABLES_BY_NAME


# Written next to the tables by `prrt-rwe import` (shared/spec/importers.md): not an extra file.
COMPANION_FILES = ("import_report.json",)


class RegistryNotFound(FileNotFoundError):
    """The path is neither a folder nor an .xlsx workbook."""


def read_registry(path) -> RawRegistry:
    """Every table of an .xlsx workbook, as text (a folder is read by ingest/engine_reader.py)."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return _read_workbook(path)
    raise RegistryNotFound(f"{path}: not a registry folder or .xlsx workbook")


def missing_required(found: set[str], label) -> list[Issue]:
    return [file_issue(label(t.name), t.name, "E001", f"required file {t.filename} missing")
            for t in TABLES if t.file_required and t.name not in found]


def folder_files(folder: Path) -> tuple[dict[str, Path], list[Issue], list[Path]]:
    """The table files of a registry folder (name -> path, in file-name order), the issues of
    the others (W109 unknown file, E014 second file for a table) and every file looked at;
    import reports (COMPANION_FILES) are not registry files."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.name not in COMPANION_FILES)
    chosen: dict[str, Path] = {}
    issues: list[Issue] = []
    for path in files:
        name = path.stem.strip().lower()
        if path.suffix.lower() != ".csv" or name not in TABLES_BY_NAME:
            issues.append(file_issue(path.name, "", "W109", f"unknown extra file '{path.name}' ignored"))
            continue
        if name in chosen:
            issues.append(file_issue(path.name, name, "E014", f"second file for table '{name}'"))
            continue
        chosen[name] = path
    return chosen, issues, files


def _refusals(path: Path, scan: WorkbookScan) -> list[Issue]:
    """E014 for each sheet over a limit of schema/limits.py (and for the workbook)."""
    issues = [file_issue(sheet_label(path, s.title), s.title.strip().lower(), "E014",
                         f"sheet '{s.title}' not read: {s.refused}", line=s.refused_line)
              for s in scan.sheets.values() if s.refused]
    if scan.refused:
        issues.append(file_issue(path.name, "", "E014", f"workbook not read: {scan.refused}"))
    return issues


def _read_workbook(path: Path) -> RawRegistry:
    fingerprint = sha256_file(path)
    try:
        scan = scan_workbook(path, lambda title: title.strip().lower() in TABLES_BY_NAME)
    except ValueError as exc:
        issue = file_issue(path.name, "", "E014", f"not a readable .xlsx workbook ({exc})")
        return RawRegistry({}, [issue], fingerprint, "xlsx", path.name)
    refused = _refusals(path, scan)
    if not scan.readable or scan.refused:
        return RawRegistry({}, refused, fingerprint, "xlsx", path.name)
    try:
        book = open_workbook(path)
    except UnreadableWorkbook as exc:
        issue = file_issue(path.name, "", "E014", f"not a readable .xlsx workbook ({exc})")
        return RawRegistry({}, [issue], fingerprint, "xlsx", path.name)
    tables: dict[str, RawTable] = {}
    issues: list[Issue] = list(refused)
    try:
        for title in book.titles:
            name = title.strip().lower()
            label = sheet_label(path, title)
            if name not in TABLES_BY_NAME:
                issues.append(file_issue(label, "", "W109", f"unknown extra sheet '{title}' ignored"))
                continue
            if name in tables:
                issues.append(file_issue(label, name, "E014", f"second sheet for table '{name}'"))
                continue
            sheet = scan.sheets.get(title)
            if sheet is not None and sheet.refused:
                continue
            table, found = read_sheet(book.rows_of(title), name, label, sheet)
            issues += found
            if table is not None:
                tables[name] = table
    finally:
        book.close()
    found_names = {title.strip().lower() for title in book.titles}
    issues += missing_required(found_names, lambda n: sheet_label(path, n))
    return RawRegistry(tables, issues, fingerprint, "xlsx", path.name)
