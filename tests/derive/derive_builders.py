"""Hand-made registry databases for the derivation tests.

``registry(...)`` builds an in-memory DuckDB with the schema layout (schema.create_tables)
and INSERTs the given rows; every column not given is NULL, except the patient defaults
below and ``source_line`` (the row's line in its file, as ingest stores it). Dates are written as ISO strings; C1 = 2024-01-01 by convention in these tests, so
``day(n)`` is the date n days after C1.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from prrt_rwe.schema import create_tables

C1 = dt.date(2024, 1, 1)

PATIENT_DEFAULTS = {
    "site_id": "S1", "sex": "M", "age": 60, "primary_site": "pancreas", "ki67_percent": 5.0,
    "krenning_score": 4, "liver_metastases": False, "ssa_concomitant": True,
}


def day(n: int) -> str:
    """ISO date n days after C1 (2024-01-01)."""
    return (C1 + dt.timedelta(days=n)).isoformat()


def _insert(con, table: str, rows: list[dict]) -> None:
    """The rows, each with its line in the file as ingest stores it (header = line 1) unless given."""
    for line, row in enumerate(rows, start=2):
        row = {"source_line": line, **row}
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        con.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))


def build(patients, cycles=(), assessments=(), labs=(), adverse_events=(), lesions=(),
          hormonal_symptoms=()):
    """DuckDB connection holding the given rows; patients get PATIENT_DEFAULTS."""
    con = duckdb.connect()
    create_tables(con)
    _insert(con, "patients", [{**PATIENT_DEFAULTS, **p} for p in patients])
    _insert(con, "cycles", [{"site_id": "S1", "activity_gbq": 7.4, **r} for r in cycles])
    _insert(con, "assessments", [{"site_id": "S1", **r} for r in assessments])
    _insert(con, "labs", [_lab(r) for r in labs])
    _insert(con, "adverse_events", [{"site_id": "S1", **r} for r in adverse_events])
    _insert(con, "lesions", [{"site_id": "S1", **r} for r in lesions])
    _insert(con, "hormonal_symptoms", [{"site_id": "S1", **r} for r in hormonal_symptoms])
    return con


_CANONICAL = {"platelets": "10^9/L", "neutrophils": "10^9/L", "wbc": "10^9/L",
              "lymphocytes": "10^9/L", "hemoglobin": "g/L", "creatinine": "umol/L"}


def _lab(row: dict) -> dict:
    """A labs row as ingest stores it: canonical value/unit, original value/unit kept."""
    out = {"site_id": "S1", "unit": _CANONICAL.get(row["test"], "U/L"), **row}
    out.setdefault("value_original", out["value"])
    out.setdefault("unit_original", out["unit"])
    return out


def treated(pid: str, n_cycles: int = 1, every: int = 56, **patient) -> dict:
    """A patient with cycles every ``every`` days from C1 and a baseline scan on day -7."""
    return {
        "patient": {"patient_id": pid, **patient},
        "cycles": [{"patient_id": pid, "cycle": k + 1, "date": day(k * every)} for k in range(n_cycles)],
        "assessments": [{"patient_id": pid, "date": day(-7)}],
    }


def cohort(*people, assessments=(), labs=(), adverse_events=(), lesions=(), hormonal_symptoms=(),
           extra_patients=()):
    """build() from treated() patients plus extra rows."""
    return build(
        [p["patient"] for p in people] + list(extra_patients),
        cycles=[c for p in people for c in p["cycles"]],
        assessments=[a for p in people for a in p["assessments"]] + list(assessments),
        labs=labs, adverse_events=adverse_events, lesions=lesions,
        hormonal_symptoms=hormonal_symptoms,
    )
