"""DM (+ SUPPDM, ``--supp``) -> patients (shared/spec/importers.md, "CDISC SDTM").

USUBJID is the patient key: site = SITEID, patient_id = USUBJID. AGE (AGEU must be YEARS),
SEX, DTHDTC -> death_date; RFXSTDTC is kept as the subject's reference date. Covariates SDTM
does not hold (ki67_percent, krenning_score, primary_site, liver and bone metastases, prior
lines, SSA, ...) come from SUPPDM (QNAM = the format-v1 column name, matched without regard to
case) or from a CSV of USUBJID and those columns; one value given differently by both is I007.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prrt_rwe.importers.problems import Problem
from prrt_rwe.importers.registry_output import RegistryRows
from prrt_rwe.importers.sdtm.context import SdtmContext, Subject
from prrt_rwe.importers.sdtm.datasets import Dataset
from prrt_rwe.importers.source_csv import read_records
from prrt_rwe.schema.registry_v1 import DATE, PATIENTS

FROM_DM = {"site_id": "SITEID", "patient_id": "USUBJID", "sex": "SEX", "age": "AGE",
           "death_date": "DTHDTC"}
SUPPLEMENTED = {c.name: c for c in PATIENTS.columns if c.name not in FROM_DM}
DM_USED = (*FROM_DM.values(), "STUDYID", "DOMAIN", "AGEU", "RFXSTDTC")


@dataclass
class PatientRow:
    """A patients row being filled: its cells, the source variable of each, its DM record."""

    cells: dict[str, str]
    columns: dict[str, str]
    i: int


def read_subjects(ctx: SdtmContext, dm: Dataset) -> dict[str, PatientRow]:
    """DM subjects into ``ctx.subjects``; returns USUBJID -> its patients row."""
    out: dict[str, PatientRow] = {}
    for i, usubjid in enumerate(dm.col("USUBJID")):
        if usubjid in out:
            ctx.problem(dm, i, "USUBJID", "I007", "subject appears twice in DM")
            continue
        if dm.value("AGEU", i).upper() not in ("", "YEARS", "YEAR"):
            ctx.problem(dm, i, "AGEU", "I010", f"AGE in '{dm.value('AGEU', i)}', expected YEARS")
        cells = {col: dm.value(var, i) for col, var in FROM_DM.items()}
        cells["death_date"] = ctx.date(dm, i, "DTHDTC")
        ctx.subjects[usubjid] = Subject(cells["site_id"], usubjid, ctx.date(dm, i, "RFXSTDTC"))
        out[usubjid] = PatientRow(cells, dict(FROM_DM), i)
    ctx.unused(dm, DM_USED)
    return out


def _column_of(name: str) -> str | None:
    low = name.strip().lower()
    return low if low in SUPPLEMENTED else None


def _put(patients: dict[str, PatientRow], usubjid: str, column: str, value: str, origin: str,
         problem) -> None:
    row = patients[usubjid]
    if row.cells.get(column) and row.cells[column] != value:
        problem("I007", f"{column} is '{row.cells[column]}' in {row.columns[column]} and '{value}' in {origin}")
        return
    row.cells[column], row.columns[column] = value, origin


def _supp_value(ctx: SdtmContext, column: str, value: str, problem) -> str:
    if SUPPLEMENTED[column].type != DATE:
        return value
    return ctx.iso_date(value, f"supplementary.{column}", problem)


def add_suppdm(ctx: SdtmContext, supp: Dataset, patients: dict[str, PatientRow]) -> None:
    for i, (usubjid, qnam, qval) in enumerate(zip(supp.col("USUBJID"), supp.col("QNAM"), supp.col("QVAL"))):
        column = _column_of(qnam)
        if column is None:
            ctx.report.fields_not_used.add(f"SUPPDM.QNAM={qnam}")
            continue
        if usubjid not in patients:
            ctx.problem(supp, i, "USUBJID", "I012", "subject not in DM")
            continue

        def problem(code, message, i=i):
            ctx.problem(supp, i, "QVAL", code, message)

        _put(patients, usubjid, column, _supp_value(ctx, column, qval, problem), "SUPPDM.QVAL", problem)


def add_supp_csv(ctx: SdtmContext, path: Path, patients: dict[str, PatientRow]) -> None:
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

            _put(patients, usubjid, column, _supp_value(ctx, column, value, problem),
                 f"{name}:{header[i]}", problem)


def add_patients(ctx: SdtmContext, dm: Dataset, patients: dict[str, PatientRow], rows: RegistryRows) -> None:
    for row in patients.values():
        rows.add("patients", dict(row.cells), ctx.source(dm, row.i, dict(row.columns)))
