"""Impossible orders of dates (errors; registry format v1, "What bad input gets").

E010 death before C1 and E011 diagnosis after C1, on the patients row; E012 a cycle,
assessment, lab or AE dated after death, on that row; E013 cycle numbers not strictly
increasing with date, on the later cycle row. Death on the C1 date is valid. Also E003 for
an assessment after C1 without overall_response (required after baseline).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.ingest.issues import Issue, row_issues
from prrt_rwe.ingest.keys import by_patient
from prrt_rwe.ingest.parse import ParsedTable
from prrt_rwe.ingest.timeline import RECORD_DATES, death_dates, first_cycle, per_row


def _day(x) -> str:
    return str(np.datetime64(x, "D"))


def _dates(values: pd.Series) -> np.ndarray:
    return values.astype("datetime64[s]").to_numpy()


def patient_order(tables: dict[str, ParsedTable]) -> list[Issue]:
    """E010 and E011 on the patients rows."""
    patients = tables["patients"]
    c1 = per_row(first_cycle(tables), patients)
    issues: list[Issue] = []
    for column, code, word, bad_of in (
        ("death_date", "E010", "before", lambda d: d < c1),
        ("diagnosis_date", "E011", "after", lambda d: d > c1),
    ):
        d = _dates(patients.values[column])
        issues += row_issues(patients.raw, bad_of(d), column, code,
                             lambda idx, d=d, column=column, word=word:
                             [f"{column} {_day(d[i])} {word} the first cycle {_day(c1[i])}" for i in idx])
    return issues


def after_death(tables: dict[str, ParsedTable]) -> list[Issue]:
    """E012 on every cycle, assessment, lab and AE row dated after the patient's death."""
    death = death_dates(tables)
    issues: list[Issue] = []
    for name, column in RECORD_DATES.items():
        if name not in tables:
            continue
        table = tables[name]
        dod = per_row(death, table)
        d = _dates(table.values[column])
        issues += row_issues(table.raw, d > dod, column, "E012",
                             lambda idx, d=d, dod=dod, column=column:
                             [f"{column} {_day(d[i])} after death_date {_day(dod[i])}" for i in idx])
    return issues


def cycle_order(cycles: ParsedTable) -> list[Issue]:
    """E013 on a cycle whose date is not after the date of the previous cycle number."""
    cyc = cycles.values["cycle"].astype("float64").to_numpy()
    d = _dates(cycles.values["date"])
    pos, first = by_patient(cycles, [cyc], ~np.isnan(cyc) & ~np.isnat(d))
    prev, prev_cycle = d[pos][:-1], cyc[pos][:-1]
    bad = ~first
    bad[1:] &= (d[pos][1:] <= prev) & (cyc[pos][1:] != prev_cycle)
    mask = np.zeros(len(cycles.raw), bool)
    mask[pos[bad]] = True
    prev_at = np.empty(len(cycles.raw), dtype=object)
    prev_at[pos[bad]] = list(zip(prev_cycle[bad[1:]], prev[bad[1:]]))
    return row_issues(cycles.raw, mask, "date", "E013",
                      lambda idx: [f"cycle {cyc[i]:.0f} on {_day(d[i])} is not after cycle "
                                   f"{prev_at[i][0]:.0f} on {_day(prev_at[i][1])}" for i in idx])


def response_required(tables: dict[str, ParsedTable]) -> list[Issue]:
    """E003 for an assessment dated after C1 without overall_response."""
    if "assessments" not in tables:
        return []
    table = tables["assessments"]
    c1 = per_row(first_cycle(tables), table)
    empty = table.raw.empty("overall_response")
    d = _dates(table.values["date"])
    return row_issues(table.raw, empty & (d > c1), "overall_response", "E003",
                      lambda idx: [f"required value 'overall_response' empty on an assessment "
                                   f"after the first cycle ({_day(d[i])})" for i in idx])


def order_issues(tables: dict[str, ParsedTable]) -> list[Issue]:
    issues = patient_order(tables) + after_death(tables) + response_required(tables)
    if "cycles" in tables:
        issues += cycle_order(tables["cycles"])
    return issues
