"""Keys: duplicate keys (E008, on the second occurrence) and orphan rows (E009).

Registry format v1: a patient is site_id + patient_id; keys are patients site+patient,
cycles site+patient+cycle, hormonal_symptoms site+patient (and sites site).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prrt_rwe.ingest.issues import Issue, row_issues
from prrt_rwe.ingest.parse import ParsedTable

SEP = "\x1f"


def patient_key(values) -> pd.Series:
    """The patient key of a ParsedTable (cached) or of a frame of values."""
    if hasattr(values, "patient_key"):
        return values.patient_key
    return make_patient_key(values)


def make_patient_key(values: pd.DataFrame) -> pd.Series:
    """``site<US>patient`` per row; missing when either part is missing (joined by Arrow)."""
    return pd.Series(_joined(*_key_parts(values)), dtype="str", index=values.index)


def run_keys(values: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
    """Where each run of consecutive rows of one site_id and patient_id starts (a missing part
    starts a run of its own) and the patient key of its rows, as :func:`make_patient_key`."""
    site, patient = _key_parts(values)
    same = np.zeros(len(site), bool)
    if len(site) > 1:
        equal = pc.and_kleene(pc.equal(site[1:], site[:-1]), pc.equal(patient[1:], patient[:-1]))
        same[1:] = pc.fill_null(equal, False).to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(~same)
    at = pa.array(starts)
    return starts, pd.Series(_joined(site.take(at), patient.take(at)), dtype="str")


def _key_parts(values: pd.DataFrame) -> tuple[pa.Array, pa.Array]:
    return tuple(_arrow_strings(values[c].astype("str")) for c in ("site_id", "patient_id"))


def _joined(site: pa.Array, patient: pa.Array) -> pd.arrays.ArrowStringArray:
    """``site<US>patient``, missing when either is missing."""
    return pd.arrays.ArrowStringArray(pc.binary_join_element_wise(site, patient, pa.scalar(SEP, pa.large_string())))


def key_isin(keys, known) -> np.ndarray:
    """Boolean mask: which ``keys`` (Series or Index of str, missing allowed) are in
    ``known`` (any collection of str); hashed by Arrow, missing keys are False."""
    arr = _arrow_strings(keys)
    value_set = _arrow_strings(known if hasattr(known, "array") else pd.Index(list(known), dtype="str"))
    found = pc.is_in(arr, value_set=value_set, skip_nulls=True)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _arrow_strings(values) -> pa.Array:
    if isinstance(values, pd.Index):
        values = pd.Series(values, dtype="str")
    return pa.array(values.array, from_pandas=True).cast(pa.large_string())


def by_patient(table: ParsedTable, by: list[np.ndarray],
               present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows with a patient where ``present``, ordered by patient, then by each
    of ``by`` in turn, then by position (what a stable sort of those rows on (key, *by) gives
    within each patient), and which of them is its patient's first: from the factorized key
    (issue 17: no sort of key strings)."""
    codes, _ = table.patient_codes
    pos = np.flatnonzero(present & (codes >= 0))
    pos = pos[np.lexsort((*(b[pos] for b in reversed(by)), codes[pos]))]
    first = np.ones(len(pos), bool)
    first[1:] = codes[pos][1:] != codes[pos][:-1]
    return pos, first


def duplicate_keys(table: ParsedTable) -> list[Issue]:
    """E008 on every occurrence of a key after its first."""
    key_cols = table.raw.schema.key
    if not key_cols:
        return []
    frame = table.values[list(key_cols)].copy()
    complete = frame.notna().all(axis=1).to_numpy(bool)
    frame["line"] = table.raw.lines
    frame = frame[complete]
    dup = frame.duplicated(list(key_cols), keep="first")
    if not dup.any():
        return []
    first = frame.groupby(list(key_cols), sort=False)["line"].transform("min")
    mask = np.zeros(len(table.raw), bool)
    positions = np.flatnonzero(complete)[dup.to_numpy(bool)]
    mask[positions] = True
    first_line = np.zeros(len(table.raw), np.int64)
    first_line[np.flatnonzero(complete)] = first.to_numpy()
    parts = [table.values[c].astype("str").to_numpy(dtype=object) for c in key_cols]

    def message(idx):
        for i in idx:
            described = ", ".join(f"{c} '{p[i]}'" for c, p in zip(key_cols, parts))
            yield f"duplicate key {described} (first on line {first_line[i]})"

    return row_issues(table.raw, mask, key_cols[-1], "E008", message)


def orphan_rows(table: ParsedTable, patients: set[str]) -> list[Issue]:
    """E009 for rows whose site_id + patient_id is not a row of patients."""
    codes, uniques = table.patient_codes
    unknown = np.append(~key_isin(uniques, patients), False)
    orphan = unknown[np.where(codes < 0, len(uniques), codes)]
    sites, ids = table.values["site_id"], table.values["patient_id"]
    return row_issues(table.raw, orphan, "patient_id", "E009",
                      lambda idx: [f"patient '{p}' of site '{s}' is not in patients"
                                   for s, p in zip(sites.iloc[idx], ids.iloc[idx])])
