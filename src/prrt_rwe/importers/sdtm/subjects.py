"""DM (+ SUPPDM, ``--supp``) -> patients (shared/spec/importers.md, "CDISC SDTM").

USUBJID is the patient key: site = SITEID, patient_id = USUBJID. AGE (AGEU must be YEARS),
SEX, DTHDTC -> death_date; RFXSTDTC is kept as the subject's reference date. Covariates SDTM
does not hold (ki67_percent, krenning_score, primary_site, liver and bone metastases, prior
lines, SSA, ...) come from SUPPDM (QNAM = the format-v1 column name, matched without regard to
case) or from a CSV of USUBJID and those columns; one value given differently by both is I007.
"""

from __future__ import annotations

from pathlib import Path

from prrt_rwe.importers.problems import Problem
from prrt_rwe.importers.registry_output import RegistryRows, SourceRow
from prrt_rwe.importers.source_csv import read_records
from prrt_rwe.importers.sdtm.context import SdtmContext, Subject
from prrt_rwe.importers.sdtm.datasets import Dataset
from prrt_rwe.schema.registry_v1 import DATE, PATIENTS

FROM_DM = {"site_id": "SITEID", "patient_id": "USUBJID", "sex": "SEX", "age": "AGE",
           "death_date": "DTHDTC"}
SUPPLEMENTED = {c.name: c for c in PATIENTS.columns if c.name not in FROM_DM}
DM_USED = (*FROM_DM.values(), "STUDYID", "DOMAIN", "AGEU", "RFXSTDTC")


def read_subjects(ctx: SdtmContext, dm: Dataset, rows: RegistryRows) -> dict[str, tuple[dict, dict, int]]:
    """Subjects into ``ctx.subjects``; returns USUBJID -> (cells, columns, record)."""
    out = {}
    ageu = dm.column("AGEU").str.upper()
    for rec in dm.frame.index:
        usubjid = dm.frame.at[rec, "USUBJID"]
        if usubjid in out:
            ctx.problem(dm, rec, "USUBJID", "I007", "subject appears twice in DM")
            continue
        if ageu[rec] not in ("", "YEARS", "YEAR"):
            ctx.problem(dm, rec, "AGEU", "I010", f"AGE in '{dm.frame.at[rec, 'AGEU']}', expected YEARS")
        cells = {col: dm.frame.at[rec, var] if dm.has(var) else "" for col, var in FROM_DM.items()}
        cells["death_date"] = ctx.date(dm, rec, "DTHDTC")
        ctx.subjects[usubjid] = Subject(cells["site_id"], usubjid, ctx.date(dm, rec, "RFXSTDTC"))
        out[usubjid] = (cells, dict(FROM_DM), rec)
    ctx.report.fields_not_used.update(f"DM.{v}" for v in dm.frame.columns if v not in DM_USED)
    return out


def _column_of(name: str) -> str | None:
    low = name.strip().lower()
    return low if low in SUPPLEMENTED else None


def _put(ctx: SdtmContext, patients: dict, usubjid: str, column: str, value: str, origin: str,
         problem) -> None:
    cells, columns, _ = patients[usubjid]
    if cells.get(column) and cells[column] != value:
        problem("I007", f"{column} is '{cells[column]}' in {columns[column]} and '{value}' in {origin}")
        return
    cells[column], columns[column] = value, origin


def _supp_value(ctx: SdtmContext, column: str, value: str, problem) -> str:
    if SUPPLEMENTED[column].type != DATE:
        return value
    return ctx.iso_date(value, f"supplementary.{column}", problem)


def add_suppdm(ctx: SdtmContext, supp: Dataset, patients: dict) -> None:
    for rec in supp.frame.index:
        usubjid, qnam = supp.frame.at[rec, "USUBJID"], supp.frame.at[rec, "QNAM"]
        column = _column_of(qnam)
        if column is None:
            ctx.report.fields_not_used.add(f"SUPPDM.QNAM={qnam}")
            continue
        if usubjid not in patients:
            ctx.problem(supp, rec, "USUBJID", "I012", "subject not in DM")
            continue

        def problem(code, message, rec=rec):
            ctx.problem(supp, rec, "QVAL", code, message)

        value = _supp_value(ctx, column, supp.frame.at[rec, "QVAL"], problem)
        _put(ctx, patients, usubjid, column, value, "SUPPDM.QVAL", problem)


def add_supp_csv(ctx: SdtmContext, path: Path, patients: dict) -> None:
    """The ``--supp`` CSV: a USUBJID column and format-v1 patients columns."""
    header, records = read_records(path, "supplementary covariates")
    header = [h.strip() for h in header]
    name = Path(path).name
    if "USUBJID" not in [h.upper() for h in header]:
        ctx.problems.append(Problem(name, 1, "", "I008", "supplementary covariates need a USUBJID column"))
        return
    key = [h.upper() for h in header].index("USUBJID")
    columns = {i: _column_of(h) for i, h in enumerate(header) if i != key}
    ctx.report.fields_not_used.update(f"{name}.{header[i]}" for i, c in columns.items() if c is None)
    for line, record in records:
        usubjid = record[key].strip() if key < len(record) else ""
        if usubjid not in patients:
            ctx.problems.append(Problem(name, line, header[key], "I012", f"USUBJID '{usubjid}': subject not in DM"))
            continue
        for i, column in columns.items():
            value = record[i].strip() if i < len(record) else ""
            if column is None or not value:
                continue

            def problem(code, message, line=line, i=i):
                ctx.problems.append(Problem(name, line, header[i], code, f"USUBJID '{usubjid}': {message}"))

            _put(ctx, patients, usubjid, column, _supp_value(ctx, column, value, problem),
                 f"{name}:{header[i]}", problem)


def add_patients(ctx: SdtmContext, dm: Dataset, patients: dict, rows: RegistryRows) -> None:
    for usubjid, (cells, columns, rec) in patients.items():
        rows.add("patients", dict(cells), SourceRow(dm.file, int(rec), ctx.label(dm, rec), dict(columns)))
