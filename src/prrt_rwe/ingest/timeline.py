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

RECORD_DATES = {"cycles": "date", "assessments": "date", "labs": "date",
                "adverse_events": "onset_date"}


def keyed(table: ParsedTable, column: str) -> pd.DataFrame:
    """(key, value) rows of a column where both are present."""
    frame = pd.DataFrame({"key": patient_key(table), "value": table.values[column]})
    return frame.dropna()


def first_cycle(tables: dict[str, ParsedTable]) -> pd.Series:
    """C1 date per patient key (only patients with a dated cycle)."""
    if "cycles" not in tables:
        return pd.Series(dtype="datetime64[s]")
    rows = keyed(tables["cycles"], "date")
    return rows.groupby("key")["value"].min()


def latest_known(tables: dict[str, ParsedTable]) -> pd.Series:
    """Latest known date per patient key."""
    parts = [_latest(tables["patients"], c) for c in ("last_contact_date", "next_therapy_date", "death_date")]
    parts += [_latest(tables[t], c) for t, c in RECORD_DATES.items() if t in tables]
    return pd.concat(parts).groupby(level=0).max()


def _latest(table: ParsedTable, column: str) -> pd.Series:
    """Latest date of a column per patient key of one table, grouped on the factorized key
    (no key string per row: millions of lab rows)."""
    codes, uniques = table.patient_codes
    values = table.values[column]
    dated = (codes >= 0) & values.notna().to_numpy(bool)
    latest = pd.Series(values.to_numpy()[dated]).groupby(codes[dated]).max()
    return pd.Series(latest.to_numpy(), index=uniques[latest.index.to_numpy()])


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
