"""Per-patient dates the order and follow-up checks need: C1, death, latest known date.

C1 = the earliest cycle date (study day 0, registry format v1 "Conventions"). The latest
known date is the latest of last_contact_date, next_therapy_date, death_date and every
recorded date of the patient (cycles, assessments, labs, AE onsets), as derivations.md
censors OS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.ingest.keys import patient_key
from prrt_rwe.ingest.parse import ParsedTable

NAT = np.datetime64("NaT").astype(np.int64)   # int64 min: below every date
LAST = np.iinfo(np.int64).max
RECORD_DATES = {"cycles": "date", "assessments": "date", "labs": "date",
                "adverse_events": "onset_date"}


def keyed(table: ParsedTable, column: str) -> pd.DataFrame:
    """(key, value) rows of a column where both are present."""
    frame = pd.DataFrame({"key": patient_key(table), "value": table.values[column]})
    return frame.dropna()


def first_cycle(tables: dict[str, ParsedTable]) -> pd.Series:
    """C1 date per patient key (only patients with a dated cycle), the minimum over the
    factorized key (issue 17: no key string per row)."""
    if "cycles" not in tables:
        return pd.Series(dtype="datetime64[s]")
    cycles = tables["cycles"]
    codes, uniques = cycles.patient_codes
    date = _seconds(cycles.values["date"])
    dated = (codes >= 0) & (date != NAT)
    earliest = np.full(len(uniques), LAST)
    np.minimum.at(earliest, codes[dated], date[dated])
    has = earliest != LAST
    return pd.Series(earliest[has].view("datetime64[s]"), index=uniques[has])


def latest_known(tables: dict[str, ParsedTable]) -> np.ndarray:
    """Latest known date of each patients row (NaT when none): the maximum over every table's
    factorized key, each table's keys looked up once among the patients' (issue 17: no key
    string per row of millions of lab rows, no grouping of key strings)."""
    patients = tables["patients"]
    codes, uniques = patients.patient_codes
    latest = np.full(len(uniques), NAT)   # the smallest int64: a maximum ignores it
    for column in ("last_contact_date", "next_therapy_date", "death_date"):
        _later(latest, codes, patients.values[column])
    for name, column in RECORD_DATES.items():
        if name in tables:
            table = tables[name]
            rows, keys = table.patient_codes
            at = np.append(uniques.get_indexer(keys), -1)
            _later(latest, at[np.where(rows < 0, len(keys), rows)], table.values[column])
    return np.append(latest, NAT)[np.where(codes < 0, len(uniques), codes)].view("datetime64[s]")


def _later(latest: np.ndarray, at: np.ndarray, values: pd.Series) -> None:
    """``latest`` (seconds per patient) raised to the dates of the rows with a patient (``at``
    >= 0)."""
    known = at >= 0
    np.maximum.at(latest, at[known], _seconds(values)[known])


def _seconds(values: pd.Series) -> np.ndarray:
    """Dates as int64 seconds, NaT as NAT."""
    return values.to_numpy(dtype="datetime64[s]").view(np.int64)


def per_row(series: pd.Series, table: ParsedTable) -> np.ndarray:
    """A per-patient series looked up for every row of a table (NaT where unknown)."""
    codes, uniques = table.patient_codes
    per_key = series.astype("datetime64[s]").reindex(uniques).to_numpy()
    out = np.append(per_key, np.datetime64("NaT", "s"))
    return out[np.where(codes < 0, len(per_key), codes)]


def death_dates(tables: dict[str, ParsedTable]) -> pd.Series:
    """death_date per patient key (first patients row of a key)."""
    rows = keyed(tables["patients"], "death_date")
    return rows.drop_duplicates("key").set_index("key")["value"]
