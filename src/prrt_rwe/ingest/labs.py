"""Laboratory units: every value, lln and uln into the canonical unit of its test.

Factors come from prrt_rwe.schema.units (registry format v1, labs.csv "unit"); an unknown
unit for a known test is E007, never a guess. The value and unit as written are kept
(value_original, unit_original, lln_original, uln_original).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from prrt_rwe.ingest.issues import Issue, quote, row_issues
from prrt_rwe.ingest.parse import ParsedTable
from prrt_rwe.schema.units import UNITS, normalize_unit

# Implausible but possible lab values, in canonical units (registry format v1, "What bad
# input gets": platelets > 1500 x 10^9/L is a warning).
PLAUSIBLE_MAX = {"platelets": 1500.0}

_KEYS = {f"{test}|{normalize_unit(u)}": conv for test, units in UNITS.items() for u, conv in units.items()}
_FACTOR = {k: conv[1] for k, conv in _KEYS.items()}
_CANONICAL = {k: conv[0] for k, conv in _KEYS.items()}


def _unit_pairs(test: pd.Series, unit: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row the code of its (test, unit as written) pair, and the tests and units of the
    distinct pairs (object arrays): labs repeat a few tests and units over millions of rows,
    so units are matched once per pair."""
    test_codes, tests = pd.factorize(test)
    unit_codes, units = pd.factorize(unit)
    width = len(units) + 1
    codes, pairs = pd.factorize(test_codes.astype(np.int64) * width + unit_codes)
    return (codes, np.array([str(tests[p // width]) for p in pairs], dtype=object),
            np.array([str(units[p % width]) for p in pairs], dtype=object))


def convert_labs(parsed: ParsedTable) -> tuple[ParsedTable, list[Issue]]:
    """Labs in canonical units, with E007 for unknown units and W101 for implausible values.
    Everything per row is looked up from the distinct (test, unit) pairs; the frame is copied
    shallowly (pandas copy-on-write: the parsed columns are not changed)."""
    raw, v = parsed.raw, parsed.values.copy(deep=False)
    codes, tests, units = _unit_pairs(v["test"].fillna("").astype("str"), v["unit"].fillna("").astype("str"))
    keys = [f"{t}|{normalize_unit(u)}" for t, u in zip(tests, units)]
    unknown = np.array([k not in _FACTOR and t != "" and u != "" for k, t, u in zip(keys, tests, units)],
                       dtype=bool)
    issues = row_issues(raw, unknown[codes], "unit", "E007",
                        lambda i: "unknown unit " + quote(units[codes[i]]) + " for test " + quote(tests[codes[i]]))
    factor = np.array([_FACTOR.get(k, np.nan) for k in keys], dtype=np.float64)[codes]
    for name in ("value", "lln", "uln"):
        v[f"{name}_original"] = v[name]
        v[name] = v[name].to_numpy(dtype=np.float64) * factor
    v["unit_original"] = v["unit"]
    canonical = pa.array([_CANONICAL.get(k) for k in keys], pa.large_string())   # None: unknown
    v["unit"] = pd.Series(pd.arrays.ArrowStringArray(canonical.take(pa.array(codes))), index=v.index, dtype="str")
    issues += _implausible(raw, v, codes, tests)
    return ParsedTable(raw, v), issues


def _implausible(raw, v: pd.DataFrame, codes: np.ndarray, tests: np.ndarray) -> list[Issue]:
    """W101 for values above PLAUSIBLE_MAX (``codes``: each row's (test, unit) pair, ``tests``:
    the pairs' tests)."""
    issues: list[Issue] = []
    value = v["value"].to_numpy(np.float64)
    for test, limit in PLAUSIBLE_MAX.items():
        of_test = np.array([t == test for t in tests], dtype=bool)[codes]
        with np.errstate(invalid="ignore"):
            high = of_test & (value > limit)
        issues += row_issues(raw, high, "value", "W101", lambda idx, test=test, limit=limit: [
            f"implausible {test} '{val}' '{unit}' = {x:g} {canonical} (> {limit:g})"
            for val, unit, x, canonical in zip(raw.text("value", idx), raw.text("unit", idx), value[idx],
                                               v["unit"].iloc[idx])])
    return issues
