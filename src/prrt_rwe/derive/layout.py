"""How an ADaM frame is laid out: identifiers first, deterministic row order, output types.

While deriving, a patient is ``pidx`` and dates are day numbers; :class:`Ids` turns a frame
into its dataset form: ``USUBJID``/``SITEID``/``SUBJID`` first, rows sorted by USUBJID then
the given keys (text sorted lexicographically), categoricals written as pandas ``str``
(built by Arrow: millions of lab rows), and :func:`with_dates` day numbers as
``datetime64[ns]``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa

from prrt_rwe.derive.source import to_dates


class Ids:
    """USUBJID/SITEID/SUBJID per pidx and the USUBJID sort rank."""

    def __init__(self, patients: pd.DataFrame):
        self.site = patients["site_id"].to_numpy(dtype=object)
        self.subj = patients["patient_id"].to_numpy(dtype=object)
        self.usubjid = np.array([f"{s}-{p}" for s, p in zip(self.site, self.subj)], dtype=object)
        self.rank = np.empty(len(self.usubjid), dtype=np.int64)
        self.rank[np.argsort(self.usubjid, kind="stable")] = np.arange(len(self.usubjid))

    def attach(self, frame: pd.DataFrame, sort_by: tuple[str, ...] = ()) -> pd.DataFrame:
        """Add the id columns first, sort by USUBJID then ``sort_by``, drop pidx. Built
        column by column (no sorted copy of the whole frame beside the result: ADLB has
        millions of rows)."""
        p = frame["pidx"].to_numpy(dtype=np.int64)
        keys = [_sort_key(frame[c]) for c in reversed(sort_by)]
        order = sort_order((*keys, self.rank[p]))
        p = p[order]
        columns = {"USUBJID": take_str(self.usubjid, p), "SITEID": take_str(self.site, p),
                   "SUBJID": take_str(self.subj, p)}
        for col in frame.columns:
            if col == "pidx":
                continue
            if isinstance(frame[col].dtype, pd.CategoricalDtype):
                columns[col] = _category_to_str(frame[col].array.take(order))
            else:
                columns[col] = frame[col].take(order).reset_index(drop=True)
        return pd.DataFrame({name: pd.Series(values, copy=False) for name, values in columns.items()}, copy=False)


def sort_order(keys) -> np.ndarray:
    """The row order of ``np.lexsort(keys)`` (last key primary, stable), by one stable argsort
    of a single int64 key when the keys' value ranges fit in 62 bits (millions of lab rows)."""
    keys = [np.asarray(k) for k in keys]
    if not keys or len(keys[0]) == 0:
        return np.lexsort(keys) if keys else np.arange(0)
    packed = [_packed(k) for k in keys]
    if any(p is None for p in packed) or math.prod(size for _, size in packed) >= 2**62:
        return np.lexsort(keys)
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for codes, size in reversed(packed):
        combined = combined * size + codes
    return np.argsort(combined, kind="stable")


def _packed(key: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Non-negative int64 codes sorting like ``key`` (NaN last, as numpy sorts) and their
    range; None for keys that are not whole numbers of moderate size."""
    if key.dtype.kind in "iub" and key.dtype != np.uint64:
        key = key.astype(np.int64)
        lo, hi = int(key.min()), int(key.max())
        return key - lo, hi - lo + 1
    if key.dtype.kind != "f":
        return None
    lo, hi = np.fmin.reduce(key), np.fmax.reduce(key)   # NaN ignored
    if np.isnan(lo):
        return np.zeros(len(key), dtype=np.int64), 1
    if not max(abs(lo), abs(hi)) < 2**52:   # exact whole numbers, NaN one past the largest
        return None
    filled = np.where(np.isnan(key), hi + 1, key)
    codes = filled.astype(np.int64)
    if (codes != filled).any():
        return None
    return codes - int(lo), int(hi - lo) + 2


def _sort_key(column: pd.Series) -> np.ndarray:
    """Integer/float key sorting like the column's values (text lexicographically)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = np.asarray(column.cat.categories, dtype=object)
        rank = np.empty(len(cats), dtype=np.int64)
        rank[np.argsort(cats, kind="stable")] = np.arange(len(cats))
        codes = column.cat.codes.to_numpy()
        return np.where(codes < 0, -1, rank[np.maximum(codes, 0)])
    if column.dtype.kind in "fiub":
        return column.to_numpy()
    return pd.factorize(column, sort=True)[0]


def _category_to_str(values: pd.Categorical):
    codes = values.codes
    dictionary = pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32), mask=codes < 0),
        pa.array(np.asarray(values.categories, dtype=object), type=pa.string()))
    return pd.array(dictionary.cast(pa.large_string()), dtype="str")


def take_str(values: np.ndarray, index: np.ndarray):
    """pandas ``str`` array of values[index], built by Arrow (fast for millions of rows)."""
    dictionary = pa.DictionaryArray.from_arrays(pa.array(index.astype(np.int32)),
                                                pa.array(values, type=pa.string()))
    return pd.array(dictionary.cast(pa.large_string()), dtype="str")


def with_dates(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Day-number columns ``<name>_D`` or ``date`` -> datetime64[ns] column ``name``."""
    for name in names:
        src = f"{name}_D" if f"{name}_D" in frame.columns else "date"
        values = to_dates(frame[src].to_numpy(dtype=float))
        pos = frame.columns.get_loc(src)
        frame = frame.drop(columns=[src])
        frame.insert(pos, name, values)
    return frame.drop(columns=[c for c in ("source_line",) if c in frame.columns])
