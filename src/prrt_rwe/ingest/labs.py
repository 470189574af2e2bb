"""Laboratory units: every value, lln and uln into the canonical unit of its test.

Factors come from prrt_rwe.schema.units (registry format v1, labs.csv "unit"); an unknown
unit for a known test is E007, never a guess. The value and unit as written are kept
(value_original, unit_original, lln_original, uln_original).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.ingest.issues import Issue, quote, row_issues
from prrt_rwe.ingest.parse import ParsedTable
from prrt_rwe.schema.units import UNITS, normalize_unit

# Implausible but possible lab values, in canonical units (registry format v1, "What bad
# input gets": platelets > 1500 x 10^9/L is a warning).
PLAUSIBLE_MAX = {"platelets": 1500.0}

_KEYS = {f"{test}|{normalize_unit(u)}": conv for test, units in UNITS.items() for u, conv in units.items()}
_FACTOR = {k: conv[1] for k, conv in _KEYS.items()}
_CANONICAL = {k: conv[0] for k, conv in _KEYS.items()}


def normalized_units(units: pd.Series) -> pd.Series:
    """Vectorised normalize_unit: lower case, no spaces, micro sign read as ``u``."""
    return (units.str.strip().str.replace("\u00b5", "u").str.replace("\u03bc", "u")
            .str.replace(" ", "").str.lower())


def convert_labs(parsed: ParsedTable) -> tuple[ParsedTable, list[Issue]]:
    """Labs in canonical units, with E007 for unknown units and W101 for implausible values."""
    raw, v = parsed.raw, parsed.values.copy()
    test = v["test"].fillna("").astype("str")
    unit_text = v["unit"].fillna("").astype("str")
    key = test + "|" + normalized_units(unit_text)
    factor = key.map(_FACTOR).astype("float64").to_numpy()
    known = ~np.isnan(factor)
    unknown = ~known & (test != "").to_numpy(bool) & (unit_text != "").to_numpy(bool)
    units, tests = unit_text.to_numpy(dtype=object), test.to_numpy(dtype=object)
    issues = row_issues(raw, unknown, "unit", "E007",
                        lambda i: "unknown unit " + quote(units[i]) + " for test " + quote(tests[i]))
    for name in ("value", "lln", "uln"):
        v[f"{name}_original"] = v[name]
        v[name] = v[name].to_numpy(dtype=np.float64) * factor
    v["unit_original"] = v["unit"]
    v["unit"] = key.map(_CANONICAL).astype(object).where(known, None)
    issues += _implausible(raw, v)
    return ParsedTable(raw, v), issues


def _implausible(raw, v: pd.DataFrame) -> list[Issue]:
    issues: list[Issue] = []
    value = v["value"].to_numpy(np.float64)
    for test, limit in PLAUSIBLE_MAX.items():
        with np.errstate(invalid="ignore"):
            high = (v["test"] == test).to_numpy(bool) & (value > limit)
        if not high.any():
            continue
        msg = np.full(len(value), "", dtype=object)
        idx = np.flatnonzero(high)
        msg[idx] = [f"implausible {test} '{val}' '{unit}' = {x:g} {v['unit'].iloc[i]} (> {limit:g})"
                    for i, val, unit, x in zip(idx, raw.text("value")[idx], raw.text("unit")[idx], value[idx])]
        issues += row_issues(raw, high, "value", "W101", msg)
    return issues
