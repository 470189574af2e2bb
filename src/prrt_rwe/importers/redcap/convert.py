"""``import redcap``: a REDCap records export -> a format-v1 folder (shared/spec/importers.md).

Steps: read the dictionary, the mapping and the export (its header checked against the
dictionary) -> resolve which field fills which column (plan) -> group rows into records and
repeat instances (records) -> convert each cell (values) -> write, validate and place the folder
(registry_output), every finding named by the export's line, record_id, instance and field.
Site: the mapping's ``[site] field``, else the ``site_id`` field when filled, else the
exported ``redcap_data_access_group``; then recoded by ``[site] values``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from prrt_rwe.importers.import_report import ImportReport
from prrt_rwe.importers.problems import ImportFailed, Problem, where
from prrt_rwe.importers.redcap.dictionary import read_dictionary
from prrt_rwe.importers.redcap.export import DAG, EVENT, Export, read_export
from prrt_rwe.importers.redcap.mapping import Mapping, read_mapping
from prrt_rwe.importers.redcap.plan import SITE_DEFAULT, Plan, TablePlan, make_plan
from prrt_rwe.importers.redcap.records import SINGLE_TABLES, Grouped, group_rows
from prrt_rwe.importers.redcap.values import CellError, cell_value, checkbox_value
from prrt_rwe.importers.registry_output import (
    ImportResult,
    RegistryRows,
    SourceRow,
    refuse_early,
    write_registry,
)


@dataclass
class _Context:
    export: Export
    index: dict[str, int]
    plan: Plan
    mapping: Mapping
    labels: bool
    date_format: str
    report: ImportReport
    problems: list[Problem]
    compiled: dict = field(default_factory=dict)  # table -> (per source: name, position, cache)

    def _compile(self, plan: TablePlan):
        """Per source: its column name, export position and a cache of converted texts
        (registries repeat codes and dates); plus the shared source-column map."""
        if plan.table not in self.compiled:
            sources = [(src, src.column.name, self.index[src.export_column], {}) for src in plan.sources]
            columns = {src.column.name: src.export_column for src in plan.sources}
            self.compiled[plan.table] = (sources, columns)
        return self.compiled[plan.table]

    def _value(self, plan: TablePlan, src, text: str):
        try:
            return cell_value(src, text, labels=self.labels, date_format=self.date_format,
                              code_map=self.mapping.code_map(plan.table, src.column.name))
        except CellError as exc:
            return exc

    def convert(self, plan: TablePlan, row: list[str], line: int, record: str, instance: str
                ) -> tuple[dict[str, str], dict[str, str]]:
        """(cells, source column per format-v1 column — shared, not to be changed) of one row."""
        sources, columns = self._compile(plan)
        cells = {}
        for src, name, pos, cache in sources:
            if src.choice is not None:
                try:
                    value = checkbox_value(src, row, self.index, self.labels)
                except CellError as exc:
                    value = exc
            else:
                text = row[pos].strip()
                value = cache.get(text)
                if value is None:
                    value = cache[text] = self._value(plan, src, text)
            if isinstance(value, CellError):
                self.problems.append(Problem(self.export.file, line, src.export_column, value.code,
                                             where(record, instance) + str(value)))
                value = ""
            cells[name] = value
        return cells, columns


def _site(ctx: _Context, row: list[str]) -> tuple[str, str]:
    """(site, the export column it came from) of a record's patients row."""
    field = ctx.plan.site_field
    candidates = [field] if field else [SITE_DEFAULT, DAG]
    value, column = "", candidates[-1]
    for name in candidates:
        if name in ctx.index and row[ctx.index[name]].strip():
            value, column = row[ctx.index[name]].strip(), name
            break
    values = ctx.mapping.site_values
    if value and values:
        if value in values:
            value = values[value]
        else:
            ctx.report.not_mapped(column, value, "no entry in [site] values; kept as written")
    return value, column


def _merge_singles(ctx: _Context, plan: TablePlan, grouped: Grouped, record: str, table: str):
    """(cells, source columns, line, first row) of a non-repeating table from the record's rows
    of its event(s); None when the record has no such row. A value given differently in two
    events is I007."""
    events = ctx.mapping.events.get(table) or ctx.mapping.events.get("patients", ())
    rows = [p for p in grouped.singles.get(record, ())
            if EVENT not in ctx.index or ctx.export.rows[p][ctx.index[EVENT]].strip() in events]
    if not rows:
        return None
    cells, columns, line = {}, {}, None
    for pos in rows:
        row_line = ctx.export.lines[pos]
        got, cols = ctx.convert(plan, ctx.export.rows[pos], row_line, record, "")
        for name, value in got.items():
            if value and cells.get(name) and cells[name] != value:
                ctx.problems.append(Problem(ctx.export.file, row_line, cols[name], "I007", where(record)
                                            + f"{cols[name]} is '{cells[name]}' in one event and "
                                            f"'{value}' in another"))
            elif value or name not in cells:
                cells[name] = value
        columns.update(cols)
        if line is None and any(got.values()):
            line = row_line
    return cells, columns, line if line is not None else ctx.export.lines[rows[0]], rows[0]


def _convert(ctx: _Context, grouped: Grouped, rows: RegistryRows) -> None:
    keys: dict[str, _RecordKey] = {}
    for record in grouped.records:
        merged = _merge_singles(ctx, ctx.plan.table("patients"), grouped, record, "patients")
        if merged is None:
            continue
        cells, columns, line, first = merged
        site, site_col = _site(ctx, ctx.export.rows[first])
        cells, columns = {"site_id": site, **cells}, {"site_id": site_col, **columns}
        keys[record] = _RecordKey(site, cells.get("patient_id", ""), columns, {})
        rows.add("patients", cells, SourceRow(ctx.export.file, line, _label(record), columns))
        hormonal = _merge_singles(ctx, ctx.plan.table("hormonal_symptoms"), grouped, record,
                                  "hormonal_symptoms")
        if hormonal is not None and any(hormonal[0].values()):
            _add_keyed(rows, "hormonal_symptoms", hormonal[0], hormonal[1], keys[record],
                       ctx.export.file, hormonal[2], _label(record))
    for plan in ctx.plan.tables:
        if plan.table in SINGLE_TABLES:
            continue
        for inst in grouped.instances.get(plan.table, ()):
            got, cols = ctx.convert(plan, ctx.export.rows[inst.row], inst.line, inst.record, inst.label)
            if not any(got.values()):
                ctx.report.not_mapped(plan.form, "(empty instance)", "repeat instance with no value")
            elif inst.record in keys:
                _add_keyed(rows, plan.table, got, cols, keys[inst.record], ctx.export.file, inst.line,
                           _label(inst.record, inst.label))


def _label(record: str, instance: str = "") -> str:
    return where(record, instance)[:-2]


class _RecordKey(NamedTuple):
    """A record's site and patient, their source columns, and the merged source-column map of
    each of its tables (built once per record and table)."""

    site: str
    patient: str
    columns: dict[str, str]
    merged: dict[str, dict[str, str]]


def _add_keyed(rows: RegistryRows, table: str, cells, columns, key: _RecordKey, file: str, line: int,
               label: str):
    merged = key.merged.get(table)
    if merged is None:
        merged = key.merged[table] = {"site_id": key.columns["site_id"],
                                      "patient_id": key.columns.get("patient_id", "patient_id"), **columns}
    rows.add(table, {"site_id": key.site, "patient_id": key.patient, **cells}, SourceRow(file, line, label, merged))


def _declare(rows: RegistryRows, ctx: _Context) -> None:
    """Every table the project fills, with its columns (an instrument without rows still
    yields a file, so validation sees the table exists)."""
    for plan in ctx.plan.tables:
        if not plan.sources:
            continue
        keys = {"site_id": ctx.plan.site_field or SITE_DEFAULT,
                "patient_id": ctx.mapping.field("patients", "patient_id")[0]}
        rows.declare(plan.table, ctx.export.file,
                     {**keys, **{s.column.name: s.export_column for s in plan.sources}})


def _report_unused(ctx: _Context, grouped: Grouped) -> None:
    structural = {"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
                  "redcap_survey_identifier", ctx.export.columns[0]}
    for column in ctx.index:
        if column not in ctx.plan.used_columns and column not in structural:
            ctx.report.fields_not_used.add(column)
    for (what, value), n in sorted(grouped.skipped.items()):
        ctx.report.not_mapped(what, value, "not a form or event of the mapping", rows=n)


def convert_export(records, dictionary, *, mapping=None, date_format: str | None = None,
                   labels: bool = False) -> tuple[RegistryRows, ImportReport]:
    """The format-v1 rows of an export and its import report, before writing and validation;
    ImportFailed lists every problem."""
    dictionary = read_dictionary(dictionary)
    mapping = read_mapping(mapping) if mapping is not None else Mapping()
    export = read_export(records, dictionary)
    date_format = date_format or mapping.date_format or "ymd"
    plan, problems = make_plan(dictionary, mapping, export.columns)
    if EVENT in export.columns and not mapping.events.get("patients"):
        problems.append(Problem(mapping.file or export.file, 1, "events.patients", "I006",
                                "longitudinal export (redcap_event_name): the mapping's [events] must "
                                "name the event holding the patients form, e.g. patients = \"baseline_arm_1\""))
    if problems:
        raise ImportFailed(problems)
    grouped, problems = group_rows(export, dictionary.record_id, mapping, labels)
    report = ImportReport("redcap", {"records": export.file, "dictionary": dictionary.file,
                                     **({"mapping": mapping.file} if mapping.file else {})},
                          {"date_format": date_format, "labels": labels},
                          rows_read=dict(grouped.rows_read))
    ctx = _Context(export, export.index(), plan, mapping, labels, date_format, report, problems)
    rows = RegistryRows()
    _declare(rows, ctx)
    _convert(ctx, grouped, rows)
    _report_unused(ctx, grouped)
    if ctx.problems:
        raise ImportFailed(ctx.problems)
    return rows, report


def import_redcap(records, dictionary, out, *, mapping=None, date_format: str | None = None,
                  labels: bool = False) -> ImportResult:
    """Convert a REDCap export into the format-v1 folder ``out`` (validated, all or nothing);
    ImportFailed lists every problem and nothing is written."""
    refuse_early(out, records)
    rows, report = convert_export(records, dictionary, mapping=mapping, date_format=date_format,
                                  labels=labels)
    warnings = write_registry(rows, out, report)
    return ImportResult(Path(out), report, tuple(warnings))
