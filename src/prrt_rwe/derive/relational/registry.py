"""Stage 1 in the engine: patient index, day numbers, and the data cut-off (derive/cutoff.py).

Relations made: ``prrt_pkey`` (site_id, patient_id, pidx = 0..n-1 in the order site_id,
patient_id), then ``prrt_<table>`` per registry table with ``pidx``, every date as a day number
since 1970-01-01 (BIGINT), and the data cut-off applied as derive/cutoff.py steps 1-4 say.
:func:`stage` returns the cut-off day and the counts of ignored rows and values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prrt_rwe.derive.cutoff import DATED_TABLES, EPOCH, IGNORED_KEYS, PATIENT_DATES
from prrt_rwe.schema import TABLES_BY_NAME
from prrt_rwe.schema.registry_v1 import DATE

ROW_TABLES = ("cycles", "assessments", "lesions", "labs", "adverse_events", "hormonal_symptoms")
DATE_COLUMNS = dict(DATED_TABLES)
LATE_PATIENT_DATES = ("death_date", "last_contact_date", "next_therapy_date")
# the big row tables, read once or twice: views (computed when read), not copies
VIEWED = ("labs", "lesions")
# DuckDB only: ``prrt_labs`` also carries the row's ``rowid`` (DuckDB's row number in ``labs``),
# so that write_adlb can read one part of the patients' rows by a rowid range, the scan skipping
# the other row groups, instead of the whole table once per part (issue 17).
LAB_ROW = "lab_row"


def relation(table: str) -> str:
    """Name of the staged (cut, day-numbered) relation of a registry table."""
    return "prrt_" + table


def day(expr: str) -> str:
    """SQL: a DATE as whole days since 1970-01-01."""
    return f"date_diff('day', DATE '1970-01-01', {expr})"


@dataclass(frozen=True)
class Staged:
    cutoff: float            # day number (NaN: an empty registry)
    ignored: dict[str, int]  # derive/cutoff.py IGNORED_KEYS
    tables: tuple[str, ...]  # row tables present


def _select(table: str) -> str:
    """Every column but the keys, dates as day numbers, from alias ``t``."""
    schema = TABLES_BY_NAME[table]
    out = [f"{day('t.' + c.name)} AS {c.name}" if c.type == DATE else f"t.{c.name}"
           for c in schema.columns if c.name not in ("site_id", "patient_id")]
    out += [f"t.{name}" for name, _ in schema.derived_columns]
    return ", ".join(out + ["t.source_line"])


def _join(table: str) -> str:
    return f"FROM {table} t JOIN prrt_pkey k ON t.site_id = k.site_id AND t.patient_id = k.patient_id"


def _latest_sql(tables: tuple[str, ...]) -> str:
    parts = [f"SELECT max({c}) AS d FROM patients" for c in PATIENT_DATES]
    parts += [f"SELECT max({col}) AS d FROM {t}" for t, col in DATED_TABLES if t in tables]
    return f"SELECT {day('max(d)')} AS cutoff FROM ({' UNION ALL '.join(parts)}) AS dates"


def latest_day(engine) -> int | None:
    """The latest date of any kind in the registry as a day number (the default data cut-off,
    derive/cutoff.py), None when there is none."""
    tables = tuple(t for t in ROW_TABLES if engine.has_table(t))
    value = engine.arrow(_latest_sql(tables)).column(0)[0].as_py()
    return None if value is None else int(value)


def stage(engine, cutoff: dt.date | None) -> Staged:
    """Make the relations of the module doc; ``cutoff`` = ``[study] data_cutoff`` or None."""
    tables = tuple(t for t in ROW_TABLES if engine.has_table(t))
    if cutoff is None:
        value = latest_day(engine)
        cutoff = None if value is None else EPOCH + dt.timedelta(days=value)
    engine.materialize("prrt_pkey", "SELECT site_id, patient_id, CAST(row_number() OVER (ORDER BY site_id, "
                                    "patient_id) - 1 AS BIGINT) AS pidx FROM patients")
    ignored = dict.fromkeys(IGNORED_KEYS, 0)
    limit = None if cutoff is None else f"DATE '{cutoff.isoformat()}'"
    for table in tables:
        date = DATE_COLUMNS.get(table)
        keep = "" if date is None or limit is None else f" WHERE t.{date} IS NULL OR t.{date} <= {limit}"
        make = engine.view if table in VIEWED else engine.materialize
        row = f", t.rowid AS {LAB_ROW}" if table == "labs" and engine.name == "duckdb" else ""
        make(relation(table), f"SELECT k.pidx, {_select(table)}{row} {_join(table)}{keep}")
    engine.materialize(relation("patients"), _patients_sql(limit))
    if limit is not None:
        counts = [f"(SELECT count(*) FROM {t} WHERE {DATE_COLUMNS[t]} > {limit}) AS {t}"
                  for t in tables if t in DATE_COLUMNS]
        counts += [f"(SELECT count(*) FROM patients WHERE {c} > {limit}) AS {c}" for c in LATE_PATIENT_DATES]
        ignored.update({k: int(v) for k, v in engine.arrow("SELECT " + ", ".join(counts)).to_pylist()[0].items()})
    return Staged(float("nan") if cutoff is None else float((cutoff - EPOCH).days), ignored, tables)


def _patients_sql(limit: str | None) -> str:
    """The patients rows with derive/cutoff.py steps 2-4 applied."""
    select = f"SELECT k.pidx, k.site_id, k.patient_id, {_select('patients')}"
    if limit is None:
        return f"{select} {_join('patients')}"
    late = {
        "death_date": f"CASE WHEN t.death_date > {limit} THEN NULL ELSE {day('t.death_date')} END",
        "last_contact_date": f"CASE WHEN t.death_date > {limit} OR t.last_contact_date > {limit} "
                             f"THEN {day(limit)} ELSE {day('t.last_contact_date')} END",
        "next_therapy_date": f"CASE WHEN t.next_therapy_date > {limit} THEN NULL "
                             f"ELSE {day('t.next_therapy_date')} END",
    }
    for column, expr in late.items():
        select = select.replace(f"{day('t.' + column)} AS {column}", f"{expr} AS {column}")
    return f"{select} {_join('patients')}"
