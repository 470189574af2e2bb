"""results.json ``included_vs_excluded`` (STROBE items 13-14): the safety-set patients in the
complete-case model set (included) against the safety-set patients left out of it (excluded:
no baseline assessment or a missing model covariate), variable by variable as Table 1 lists
them (:data:`prrt_rwe.results.characteristics.VARIABLES`).

* a level row (a categorical level; ``yes`` of a yes/no variable): the proportion (0-1) of
  the patients with a known value; s^2 = p (1 - p);
* a continuous row (``level`` None): the mean of the known values; s^2 = sample variance (n - 1);
* smd = (m1 - m0) / sqrt((s1^2 + s0^2) / 2) (Austin 2009, Stat Med 28:3083; tableone's
  per-level form), None where a side has no known value or both variances are 0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from prrt_rwe.results.characteristics import VARIABLES, with_derived
from prrt_rwe.results.populations import members


def smd(m1, m0, v1, v0):
    """Standardized difference of the module doc (None when not defined)."""
    if None in (m1, m0, v1, v0):
        return None
    denominator = math.sqrt((v1 + v0) / 2)
    return None if denominator == 0 else (m1 - m0) / denominator


def _continuous(values: pd.Series) -> tuple:
    """(mean, sample variance, known values, known values)."""
    x = pd.to_numeric(values, errors="coerce").astype(float).dropna().to_numpy()
    if x.size == 0:
        return None, None, 0, 0
    return float(x.mean()), float(x.var(ddof=1)) if x.size > 1 else 0.0, int(x.size), int(x.size)


def _share(known: pd.Series, hit: pd.Series) -> tuple:
    """(proportion, p (1 - p), patients with the level, patients with a known value)."""
    n = int(known.sum())
    k = int(hit[known].sum())
    if n == 0:
        return None, None, 0, 0
    return k / n, (k / n) * (1 - k / n), k, n


def _sides(name: str, kind: str, levels, sides: list[pd.Series]) -> list[tuple]:
    """(level, [included stats, excluded stats]) per row of one variable."""
    if kind == "continuous":
        return [(None, [_continuous(s) for s in sides])]
    if kind == "flag":
        flags = [s.astype("boolean") for s in sides]
        return [("yes", [_share(f.notna(), f.fillna(False).astype(bool)) for f in flags])]
    text = [s.astype("string").str.replace(r"\.0$", "", regex=True) for s in sides]
    return [(level, [_share(t.notna(), t.eq(level).fillna(False)) for t in text]) for level in levels]


def included_vs_excluded(safety: pd.DataFrame, included_ids) -> tuple[list[dict], list[dict]]:
    """The rows of the module doc, in Table 1 order, and per row the counts behind them
    (``{"included": [k, known], "excluded": [k, known]}``; for a mean k = known), which the
    report needs for small-cell suppression and results.json does not carry."""
    safety = with_derived(safety)
    inside = members(safety["USUBJID"], included_ids)
    rows, counts = [], []
    for name, _label, kind, levels in VARIABLES:
        if name not in safety.columns:
            continue
        for level, (inc, exc) in _sides(name, kind, levels, [safety.loc[inside, name], safety.loc[~inside, name]]):
            rows.append({"variable": name, "level": level, "included": inc[0], "excluded": exc[0],
                         "smd": smd(inc[0], exc[0], inc[1], exc[1])})
            counts.append({"variable": name, "level": level, "included": [inc[2], inc[3]],
                           "excluded": [exc[2], exc[3]]})
    return rows, counts


def largest_imbalance(rows: list[dict]) -> dict | None:
    """The row with the largest |smd| (report lead), None without any."""
    rated = [r for r in rows if r["smd"] is not None and np.isfinite(r["smd"])]
    return max(rated, key=lambda r: abs(r["smd"])) if rated else None
