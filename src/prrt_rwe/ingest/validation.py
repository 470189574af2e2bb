"""validate(path): read a registry folder or workbook and check it against format v1.

Steps: read every table as text (sources) -> type each column (parse) -> labs into canonical
units (labs) -> keys and orphans (keys) -> impossible orders (order) -> data-quality
warnings (quality, covariates) -> per-site summary. Cross-table checks run only when
patients.csv could be read with its key columns.
"""

from __future__ import annotations

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
from prrt_rwe.ingest.report import ValidationReport
from prrt_rwe.ingest.sources import RegistryNotFound, read_registry
from prrt_rwe.ingest.summary import site_summaries


@dataclass(frozen=True)
class CheckedRegistry:
    """The report and, for load, the typed tables and the raw reading."""

    report: ValidationReport
    tables: dict[str, ParsedTable]
    raw: RawRegistry | None


def check(path) -> CheckedRegistry:
    """Validate and keep the typed tables (for load)."""
    path = Path(path)
    try:
        raw = read_registry(path)
    except RegistryNotFound as exc:
        issue = file_issue(path.name, "", "E014", str(exc).split(": ", 1)[-1])
        return CheckedRegistry(ValidationReport.build(str(path), "", "", [issue]), {}, None)
    return check_registry(raw, str(path))


def check_registry(raw: RawRegistry, source: str) -> CheckedRegistry:
    """Type, convert and cross-check tables already read (from files or a database)."""
    issues: list[Issue] = list(raw.issues)
    tables: dict[str, ParsedTable] = {}
    for name, table in raw.tables.items():
        parsed, found = parse_table(table)
        if name == "labs":
            parsed, more = convert_labs(parsed)
            found += more
        tables[name] = parsed
        issues += found
    issues += cross_table_issues(tables)
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
    return check(path).report
