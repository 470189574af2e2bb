"""Text cells -> typed values, column by column, vectorised (registry format v1, "Conventions").

Types, ranges and codes come from prrt_rwe.schema. Each column gives:
E003 required value empty, E004 unparseable, E005 outside [min, max] (a date before
1900-01-01 or after the day of the run: schema/limits.py), E006 unknown code, W101 outside
the plausible [warn_min, warn_max].
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prrt_rwe.ingest.issues import Issue, quote, row_issues
from prrt_rwe.ingest.raw import RawTable, empty_cells
from prrt_rwe.ingest.xlsx_reader import cell_text
from prrt_rwe.schema.limits import EARLIEST_DATE, latest_date
from prrt_rwe.schema.registry_v1 import (
    CODE,
    DATE,
    INTEGER,
    NO_VALUES,
    NUMBER,
    TEXT,
    YES_VALUES,
    YESNO,
    Column,
)

NUMBER_RE = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
INTEGER_RE = r"[+-]?\d{1,15}"
DATE_RE = r"\d{4}-\d{2}-\d{2}"
YESNO_MAP = {**{v: True for v in YES_VALUES}, **{v: False for v in NO_VALUES}}
TYPE_WORDS = {NUMBER: "a number", INTEGER: "a whole number", DATE: "a date (YYYY-MM-DD)",
              YESNO: "yes/no"}


@dataclass(frozen=True)
class ParsedTable:
    """Typed values of a RawTable: dates datetime64[s], numbers float64 (NaN = missing),
    integers Int64, yes/no boolean, codes in canonical spelling, text str (None = missing)."""

    raw: RawTable
    values: pd.DataFrame

    @cached_property
    def patient_key(self) -> pd.Series:
        """``site<US>patient`` per row (None when either is missing), computed once."""
        from prrt_rwe.ingest.keys import make_patient_key

        return make_patient_key(self.values)

    @cached_property
    def patient_codes(self) -> tuple[np.ndarray, pd.Index]:
        """The patient key factorized: per-row codes (-1 = missing) and the distinct keys.
        The rows of a patient usually follow each other, so the key is joined and hashed once
        per run of rows of one site and patient (issue 17: no key string per lab row)."""
        from prrt_rwe.ingest.keys import run_keys

        starts, keys = run_keys(self.values)
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
        return np.repeat(codes, np.diff(np.append(starts, len(self.values)))), pd.Index(uniques)


def code_lookup(codes: tuple[str, ...]) -> dict[str, str]:
    """Matching form -> canonical code; numeric codes also match their Excel number form."""
    out = {c.lower().replace("\u00b5", "u"): c for c in codes}
    for c in codes:
        try:
            out.setdefault(cell_text(float(c)).lower(), c)
        except ValueError:
            pass
    return out


def _fmt(x: float | None) -> str:
    return "" if x is None else cell_text(float(x))


def _range_text(col: Column) -> str:
    if col.min is not None and col.max is not None:
        return f"outside the allowed range {_fmt(col.min)}–{_fmt(col.max)}"
    if col.min is not None:
        return f"below the minimum {_fmt(col.min)}"
    return f"above the maximum {_fmt(col.max)}"


def parse_column(raw: RawTable, col: Column) -> tuple[pd.Series, list[Issue]]:
    """Typed values of one column and the issues they raise."""
    text = raw.cells[col.name] if raw.has(col.name) else pd.Series([""] * len(raw), dtype="str")
    empty = empty_cells(text)
    issues: list[Issue] = []
    if col.required and raw.has(col.name):
        issues += row_issues(raw, empty, col.name, "E003", f"required value '{col.name}' empty")
    values, bad = _convert(text, col, empty)
    bad = bad & ~empty
    if bad.any():
        cells = text.to_numpy(dtype=object)
        if col.type == CODE:
            allowed = f" (allowed: {', '.join(col.codes)})"
            issues += row_issues(raw, bad, col.name, "E006",
                                 lambda i: "unknown code " + quote(cells[i]) + allowed)
        else:
            word = f" as {TYPE_WORDS[col.type]}"
            issues += row_issues(raw, bad, col.name, "E004",
                                 lambda i: "cannot read " + quote(cells[i]) + word)
    if col.type in (NUMBER, INTEGER):
        issues += _range_issues(raw, text, values, col)
    if col.type == DATE:
        issues += _date_range_issues(raw, text, values, col)
    return values, issues


def _date_range_issues(raw: RawTable, text: pd.Series, values: pd.Series, col: Column) -> list[Issue]:
    """E005 for a date before EARLIEST_DATE or after the day of the run (registries record
    the past; a year 3025 or 9999 is a typing error, never a date to compute with)."""
    first, last = np.datetime64(EARLIEST_DATE, "s"), np.datetime64(latest_date(), "s")
    days = values.to_numpy(dtype="datetime64[s]")
    with np.errstate(invalid="ignore"):
        out = ~np.isnat(days) & ((days < first) | (days > last))
    rng = f" outside the allowed range {EARLIEST_DATE.isoformat()} to {latest_date().isoformat()} (the day of the run)"
    return row_issues(raw, out, col.name, "E005", lambda i: "date " + quote(text.iloc[i]) + rng)


def by_unique(text: pd.Series, convert) -> pd.Series:
    """``convert`` applied to the distinct values of a column only, then spread back
    (registries repeat a few codes, units and dates over millions of rows)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    converted = convert(pd.Series(uniques, dtype="str"))
    out = converted.take(np.where(codes < 0, 0, codes)) if len(converted) else converted.reindex(range(len(codes)))
    out = out.reset_index(drop=True)
    out.index = text.index
    return out.where(codes >= 0, None) if (codes < 0).any() else out


def _convert(text: pd.Series, col: Column, empty: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    if col.type == TEXT:
        return _text_values(text, empty), np.zeros(len(text), bool)
    if col.type == CODE:
        lookup = code_lookup(col.codes)
        mapped = by_unique(text, lambda u: u.str.lower().str.replace("\u00b5", "u").map(lookup).astype("str"))
        return mapped, mapped.isna().to_numpy(bool)
    if col.type == YESNO:
        mapped = by_unique(text, lambda u: u.str.lower().map(YESNO_MAP).astype("boolean"))
        return mapped.astype("boolean"), mapped.isna().to_numpy(bool)
    if col.type == DATE:
        parsed = by_unique(text, _parse_dates)
        return parsed, parsed.isna().to_numpy(bool)
    pattern = INTEGER_RE if col.type == INTEGER else NUMBER_RE
    numbers, ok = to_float(text, pattern)
    series = pd.Series(numbers, index=text.index)
    return (series.astype("Int64") if col.type == INTEGER else series), ~ok


def _text_values(text: pd.Series, empty: np.ndarray) -> pd.Series:
    """``text.where(text != "", None)``: the empty cells missing; Arrow-backed text is
    masked by Arrow (or kept as it is when no cell is empty) rather than compared again."""
    if not isinstance(text.array, pd.arrays.ArrowStringArray):
        return text.where(text != "", None)
    if not empty.any():
        return text.copy(deep=False)
    arr = pa.array(text.array)
    masked = pc.if_else(pa.array(empty), pa.scalar(None, arr.type), arr)
    return pd.Series(pd.arrays.ArrowStringArray(masked), index=text.index, dtype=text.dtype)


def _parse_dates(text: pd.Series) -> pd.Series:
    ok = text.str.fullmatch(DATE_RE).fillna(False).to_numpy(bool)
    parsed = pd.to_datetime(text.where(ok, None), format="%Y-%m-%d", errors="coerce")
    return parsed.astype("datetime64[s]")


def to_float(text: pd.Series, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """Cells matching ``pattern`` as float64 (NaN elsewhere) and the mask of finite ones; the
    distinct cells only are matched and converted (values repeat over millions of lab rows)."""
    arr = pa.array(text.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    uniques = encoded.dictionary
    match = pc.fill_null(pc.match_substring_regex(uniques, f"^(?:{pattern})$"), False)
    converted = pc.cast(pc.if_else(match, uniques, pa.scalar(None, uniques.type)), pa.float64())
    converted = converted.to_numpy(zero_copy_only=False).astype(np.float64, copy=True)
    indices = encoded.indices
    if indices.null_count:
        converted = np.append(converted, np.nan)
        indices = pc.fill_null(indices, len(converted) - 1)
    numbers = converted[indices.to_numpy(zero_copy_only=False)] if len(arr) else np.zeros(0, np.float64)
    ok = np.isfinite(numbers)
    numbers[~ok] = np.nan
    return numbers, ok


def _range_issues(raw: RawTable, text: pd.Series, values: pd.Series, col: Column) -> list[Issue]:
    x = values.astype("float64").to_numpy(na_value=np.nan)
    issues: list[Issue] = []
    with np.errstate(invalid="ignore"):
        out = np.zeros(len(x), bool)
        if col.min is not None:
            out |= x < col.min
        if col.max is not None:
            out |= x > col.max
        if out.any():
            rng = f" {_range_text(col)}"
            issues += row_issues(raw, out, col.name, "E005", lambda i: "value " + quote(text.iloc[i]) + rng)
        warn = np.zeros(len(x), bool)
        if col.warn_min is not None:
            warn |= x < col.warn_min
        if col.warn_max is not None:
            warn |= x > col.warn_max
        warn &= ~out
        if warn.any():
            rng = f" (plausible range {_fmt(col.warn_min)}–{_fmt(col.warn_max)})"
            head = f"implausible {col.name} "
            issues += row_issues(raw, warn, col.name, "W101", lambda i: head + quote(text.iloc[i]) + rng)
    return issues


def parse_table(raw: RawTable) -> tuple[ParsedTable, list[Issue]]:
    """Every schema column of a table, typed (absent optional columns are all missing)."""
    columns, issues = {}, []
    for col in raw.schema.columns:
        values, found = parse_column(raw, col)
        columns[col.name] = values.reset_index(drop=True)
        issues += found
    return ParsedTable(raw, pd.DataFrame(columns)), issues
