"""validate(path): read a registry folder or workbook and check it against format v1.

Steps: read every table as text (sources) -> type each column (parse) -> labs into canonical
units (labs) -> keys and orphans (keys) -> impossible orders (order) -> data-quality
warnings (quality, covariates) -> per-site summary. Cross-table checks run only when
patients.csv could be read with its key columns.

A folder of CSV files is read by the embedded engine in parts of whole patients
(ingest/engine_reader.py, issue 17): every check is about one row or one patient, so the
checks run part by part and their findings are the same; :func:`check_parts` hands each
part's typed tables to the loader, so one part is checked at a time (the next one being read).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from prrt_rwe.ingest.covariates import covariate_issues
from prrt_rwe.ingest.issues import Issue, file_issue
from prrt_rwe.ingest.keys import duplicate_keys, orphan_rows, patient_key
from prrt_rwe.ingest.labs import convert_labs
from prrt_rwe.ingest.order import order_issues
from prrt_rwe.ingest.parse import ParsedTable, parse_table
from prrt_rwe.ingest.quality import quality_issues
from prrt_rwe.ingest.raw import RawRegistry
from prrt_rwe.ingest.read_ahead import read_ahead
from prrt_rwe.ingest.report import ValidationReport
from prrt_rwe.ingest.sources import RegistryNotFound, read_registry
from prrt_rwe.ingest.summary import SiteCounts, site_summaries, summaries_of


@dataclass(frozen=True)
class CheckedRegistry:
    """The report and, for load, the typed tables and the raw reading."""

    report: ValidationReport
    tables: dict[str, ParsedTable]
    raw: RawRegistry | None


def check_parts(path, on_part=None, prepare=None) -> ValidationReport:
    """Validate ``path``; ``on_part`` receives each part in turn (a workbook is one part): its
    typed tables (dict of ParsedTable), or ``prepare(tables)`` when ``prepare`` is given.
    ``prepare`` (picklable: a module-level function or a partial of one) may run in a worker
    process (ingest/part_workers.py); ``on_part`` runs here, in part order. Nothing is kept
    after a part."""
    path = Path(path)
    if path.is_dir():
        return _check_folder(path, on_part, prepare)
    try:
        raw = read_registry(path)
    except RegistryNotFound as exc:
        issue = file_issue(path.name, "", "E014", str(exc).split(": ", 1)[-1])
        return ValidationReport.build(str(path), "", "", [issue])
    checked = check_registry(raw, str(path))
    if on_part is not None:
        on_part(checked.tables if prepare is None else prepare(checked.tables))
    return checked.report


def _check_folder(folder: Path, on_part, prepare) -> ValidationReport:
    from prrt_rwe.ingest.database import connect
    from prrt_rwe.ingest.engine_reader import stage_folder
    from prrt_rwe.ingest.temp_files import make_stage_folder, remove_stale

    remove_stale()
    work = make_stage_folder()
    con = connect(":memory:")
    try:
        return check_staged(stage_folder(con, folder, work), str(folder), on_part, prepare)
    finally:
        con.close()
        shutil.rmtree(work, ignore_errors=True)


def check_staged(staged, source: str, on_part=None, prepare=None) -> ValidationReport:
    """The checks run part by part over a staged registry (ingest/engine_reader.StagedFolder:
    a folder, or a database being re-validated), on worker processes when it has several parts
    and nothing but findings or ``prepare``'s results are wanted (ingest/part_workers.py);
    findings about a whole file, repeated in every part, are kept once."""
    from prrt_rwe.ingest.part_workers import checked_parts, worker_count

    issues: dict[Issue, None] = dict.fromkeys(staged.issues)
    counts = SiteCounts()
    if on_part is None:
        prepare = nothing
    results = None
    try:
        workers = worker_count(staged) if prepare is not None else 0
        # in-process: part k + 1 read back on a worker thread while part k is checked (issue 17:
        # Arrow work, mostly without the GIL, ~0.1 CPU s a part at 1e5, off the checking thread)
        results = (checked_parts(staged, workers, prepare) if workers else
                   (_check_read(read, prepare) for read in
                    read_ahead(lambda k: [staged.part(k)], range(staged.parts), "prrt-rwe-part")))
        for found, part_counts, payload in results:
            issues.update(dict.fromkeys(found))
            counts.merge(part_counts)
            if on_part is not None:
                on_part(payload)
            del payload   # before the next part is checked (in-process: one part checked, the next read)
    finally:
        if results is not None:
            results.close()   # the part being read is read before its staged tables go
        staged.close()
    found = _without_shadowed(list(issues))
    return ValidationReport.build(source, staged.kind, staged.fingerprint, found, summaries_of(counts, found))


def check_one_part(staged, k: int, prepare=None) -> tuple[list[Issue], SiteCounts, object]:
    """Part ``k`` of ``staged``: its findings, its site counts and ``prepare(tables)`` (the
    typed tables themselves without ``prepare``)."""
    return _check_read([staged.part(k)], prepare)


def _check_read(read: list, prepare=None) -> tuple[list[Issue], SiteCounts, object]:
    """check_one_part of a part read: the one item of ``read`` (RawTables and the issues building
    them gave), taken out of it so that the part goes once checked."""
    tables, found = read.pop()
    found, parsed = _checked(tables, found)
    del tables
    counts = SiteCounts()
    counts.add(parsed)
    return found, counts, parsed if prepare is None else prepare(parsed)


def nothing(tables) -> None:
    """The ``prepare`` of a validation that keeps nothing of a part."""
    return None


def _checked(tables: dict, issues: list[Issue]) -> tuple[list[Issue], dict[str, ParsedTable]]:
    """Type, convert and cross-check RawTables (one registry or one part of it)."""
    issues = list(issues)
    parsed: dict[str, ParsedTable] = {}
    for name, table in tables.items():
        typed, found = parse_table(table)
        if name == "labs":
            typed, more = convert_labs(typed)
            found += more
        parsed[name] = typed
        issues += found
    return issues + cross_table_issues(parsed), parsed


def check_registry(raw: RawRegistry, source: str) -> CheckedRegistry:
    """Type, convert and cross-check tables already read (from a workbook or a database)."""
    issues, tables = _checked(raw.tables, raw.issues)
    issues = _without_shadowed(issues)
    report = ValidationReport.build(source, raw.kind, raw.fingerprint, issues,
                                    site_summaries(tables, issues))
    return CheckedRegistry(report, tables, raw)


def _without_shadowed(issues: list[Issue]) -> list[Issue]:
    """An Excel cell without a value (E015) is reported once, not again as empty (E003)."""
    unusable = {(i.file, i.line, i.column) for i in issues if i.code == "E015"}
    if not unusable:
        return issues
    return [i for i in issues if i.code != "E003" or (i.file, i.line, i.column) not in unusable]


def cross_table_issues(tables: dict[str, ParsedTable]) -> list[Issue]:
    """Keys, orphans, orders and data-quality warnings across tables."""
    issues: list[Issue] = []
    for table in tables.values():
        issues += duplicate_keys(table)
    patients = tables.get("patients")
    if patients is None or not (patients.raw.has("site_id") and patients.raw.has("patient_id")):
        return issues
    known = set(patient_key(patients).dropna())
    for name, table in tables.items():
        if name not in ("patients", "sites"):
            issues += orphan_rows(table, known)
    issues += order_issues(tables)
    issues += quality_issues(tables)
    issues += covariate_issues(patients)
    return issues


def validate(path) -> ValidationReport:
    """Check a registry folder (CSV) or .xlsx workbook; nothing is printed or written."""
    return check_parts(path)
