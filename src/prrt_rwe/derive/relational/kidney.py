"""Kidney function in the engine: eGFR (CKD-EPI 2021) per creatinine row, its 12-month change,
the renal-decline date and the trajectory and slope inputs (rules: derive/kidney.py, which
documents them; results/kidney.py, results/egfr_slope.py).

``prrt_egfr`` (materialised): one row per creatinine row of ``prrt_lab`` (labs.py) with its
flags and ``egfr`` at the age at the value (age at C1 + ADY / 365.25). The equation is written
once (:func:`ckd_epi_sql`) from the coefficients of derive/kidney.py, evaluated in the same
order as the numpy expression (so the same doubles where the engine's ``pow`` is the C
library's, as in DuckDB and PostgreSQL).
"""

from __future__ import annotations

import numpy as np

from prrt_rwe.derive import kidney
from prrt_rwe.derive.relational.labs import num
from prrt_rwe.schema.units import CREATININE_UMOL_PER_MGDL


def ckd_epi_sql(creatinine_umol: str, age: str, sex: str) -> str:
    """SQL of kidney.ckd_epi_2021 (sex 'F' female, anything else male, as there)."""
    f, m = kidney.CKD_EPI_2021["F"], kidney.CKD_EPI_2021["M"]
    pick = lambda i: f"CASE WHEN {sex} = 'F' THEN {num(f[i])} ELSE {num(m[i])} END"  # noqa: E731
    ratio = f"(({creatinine_umol} / {num(CREATININE_UMOL_PER_MGDL)}) / {pick(0)})"
    return (f"({num(kidney.CKD_EPI_CONSTANT)} * power(least({ratio}, {num(1.0)}), {pick(1)})"
            f" * power(greatest({ratio}, {num(1.0)}), {num(kidney.CKD_EPI_HIGH_EXPONENT)})"
            f" * power({num(kidney.CKD_EPI_AGE_BASE)}, {age}) * {pick(2)})")


def _age_at(age: str, ady: str) -> str:
    return f"({age} + CAST({ady} AS DOUBLE) / {num(kidney.DAYS_PER_YEAR)})"


EGFR_SQL = f"""
SELECT l.pidx, l.date, l.ady, l.value, l.ablfl, l.apostfl, l.alatefl, l.source_line,
       {ckd_epi_sql('l.value', _age_at('p.age', 'l.ady'), 'p.sex')} AS egfr
FROM prrt_lab l JOIN prrt_patients p ON p.pidx = l.pidx
WHERE l.test = 'creatinine'
"""


def stage(engine) -> None:
    engine.materialize("prrt_egfr", EGFR_SQL)


CHANGE_SQL = f"""
WITH base AS (
  SELECT e.pidx, {ckd_epi_sql('e.value', 'p.age', 'p.sex')} AS egfr
  FROM prrt_egfr e JOIN prrt_patients p ON p.pidx = e.pidx WHERE e.ablfl
),
m12 AS (
  SELECT e.pidx, e.ady, {ckd_epi_sql('e.value', f'(p.age + {num(1.0)})', 'p.sex')} AS egfr,
         row_number() OVER (PARTITION BY e.pidx ORDER BY abs(e.ady - {kidney.TARGET_DAY}), e.ady, e.source_line) AS k
  FROM prrt_egfr e JOIN prrt_patients p ON p.pidx = e.pidx
  WHERE e.ady >= {kidney.WINDOW[0]} AND e.ady <= {kidney.WINDOW[1]}
)
SELECT b.pidx, b.egfr AS egfr_base, m.egfr AS egfr_12m, m.ady AS ady_12m
FROM base b JOIN m12 m ON m.pidx = b.pidx AND m.k = 1
WHERE b.egfr IS NOT NULL AND m.egfr IS NOT NULL
ORDER BY b.pidx
"""


def egfr_change(engine):
    """Per patient with both values (kidney.egfr_change steps 1-3): pidx, EGFR_BASE, EGFR_12M,
    ADY_12M, CHG, PCHG, DECL30FL."""
    import pandas as pd

    t = engine.arrow(CHANGE_SQL)
    base = t["egfr_base"].to_numpy(zero_copy_only=False).astype(float)
    m12 = t["egfr_12m"].to_numpy(zero_copy_only=False).astype(float)
    return pd.DataFrame({
        "pidx": t["pidx"].to_numpy(zero_copy_only=False).astype(np.int64), "EGFR_BASE": base, "EGFR_12M": m12,
        "ADY_12M": t["ady_12m"].to_numpy(zero_copy_only=False).astype(np.int64), "CHG": m12 - base,
        "PCHG": 100.0 * (m12 - base) / base, "DECL30FL": kidney.decline30(base, m12),
    })


DECLINE_SQL = f"""
WITH s AS (SELECT pidx, date, ady, source_line, egfr, ablfl FROM prrt_egfr WHERE ablfl OR alatefl),
b AS (SELECT pidx, egfr AS base FROM s WHERE ablfl),
q AS (
  SELECT s.pidx, s.date, s.source_line,
         coalesce((b.base IS NOT NULL AND {num(10)} * s.egfr <= {num(kidney.RENAL_DECLINE_TENTHS_OF_BASELINE)} * b.base)
                  OR s.egfr < {num(kidney.RENAL_DECLINE_BELOW)}, false) AS ok
  FROM s LEFT JOIN b ON b.pidx = s.pidx WHERE s.ady > 0
),
pairs AS (SELECT pidx, date, ok, lead(ok) OVER (PARTITION BY pidx ORDER BY date, source_line) AS next_ok FROM q)
SELECT pidx, min(date) AS day FROM pairs WHERE ok AND next_ok GROUP BY pidx
"""


def renal_decline_sql() -> str:
    """Per patient with an event the date of the first of two consecutive qualifying post-C1
    eGFR values (kidney.renal_decline_day)."""
    return DECLINE_SQL


# results/kidney.py: per 3-month window the last eGFR of each patient; month 0 = the baseline row.
TRAJECTORY_QUANTILES = (0.25, 0.5, 0.75)
_WINDOWED = f"""
SELECT pidx, 0 AS w, 0 AS ady, source_line, egfr FROM prrt_egfr WHERE ablfl AND egfr IS NOT NULL
UNION ALL
SELECT pidx, CAST(ceil(CAST(ady AS DOUBLE) / {num(90)}) AS BIGINT) AS w, ady, source_line, egfr
FROM prrt_egfr WHERE ady > 0 AND egfr IS NOT NULL
"""
TRAJECTORY_SQL = f"""
WITH x AS ({_WINDOWED}),
last AS (
  SELECT w, egfr FROM (
    SELECT w, egfr, row_number() OVER (PARTITION BY pidx, w ORDER BY ady DESC, source_line DESC) AS k FROM x
    WHERE w <= {{max_windows}}
  ) y WHERE k = 1
),
ranked AS (
  SELECT w, egfr, row_number() OVER (PARTITION BY w ORDER BY egfr) - 1 AS k, count(*) OVER (PARTITION BY w) AS n
  FROM last
)
SELECT w, n, k, egfr FROM ranked
WHERE (4 * k - 4 <= (n - 1) AND (n - 1) < 4 * k + 4) OR (4 * k - 4 <= 2 * (n - 1) AND 2 * (n - 1) < 4 * k + 4)
   OR (4 * k - 4 <= 3 * (n - 1) AND 3 * (n - 1) < 4 * k + 4)
ORDER BY w, k
"""


def lerp(a: float, b: float, t: float) -> float:
    """numpy's linear interpolation of np.quantile (method "linear"), term for term."""
    diff = b - a
    return float(b - diff * (1 - t)) if t >= 0.5 else float(a + diff * t)


def _stats(n: int, at: dict) -> dict:
    if n == 0:
        return {"n": 0, "median": None, "q1": None, "q3": None}
    out = []
    for q in TRAJECTORY_QUANTILES:
        h = (n - 1) * q
        lo = int(np.floor(h))
        hi = min(lo + 1, n - 1)
        out.append(lerp(at[lo], at[hi], h - lo))
    return {"n": n, "median": out[1], "q1": out[0], "q3": out[2]}


def trajectory(engine, window_days: int, max_windows: int) -> list[dict]:
    """results/kidney.py's eGFR trajectory of the ADLB population (the safety set): month 0 and
    every 3-month window through the last with a value; n, median and quartiles (as np.quantile)."""
    assert window_days == 90, "the SQL windows are 90 days (results/kidney.py WINDOW_DAYS)"
    t = engine.arrow(TRAJECTORY_SQL.format(max_windows=int(max_windows))).to_pydict()
    by_window: dict[int, tuple[int, dict]] = {}
    for w, n, k, v in zip(t["w"], t["n"], t["k"], t["egfr"]):
        by_window.setdefault(int(w), (int(n), {}))[1][int(k)] = float(v)
    last = max([w for w in by_window if w > 0], default=0)
    out = []
    for w in range(0, last + 1):
        n, at = by_window.get(w, (0, {}))
        out.append({"month": 3 * w, **_stats(n, at)})
    return out


SLOPE_ROWS = """
WITH s AS (SELECT pidx, date, source_line, ady, egfr, ablfl FROM prrt_egfr
           WHERE egfr IS NOT NULL AND (ablfl OR (alatefl AND ady > 0))),
who AS (SELECT pidx FROM s GROUP BY pidx HAVING bool_or(ablfl) AND bool_or(ady > 0))
SELECT s.pidx, s.date, s.source_line, s.ady, s.egfr FROM s JOIN who ON who.pidx = s.pidx
"""


def slope_counts(engine) -> tuple[int, int]:
    """(patients, values) of the eGFR slope population (results/egfr_slope.py)."""
    row = engine.arrow(f"SELECT count(DISTINCT pidx) AS p, count(*) AS v FROM ({SLOPE_ROWS}) r").to_pylist()[0]
    return int(row["p"]), int(row["v"])


def slope_rows(engine):
    """pidx, date, source_line, ady, egfr of the slope population (only when the model runs)."""
    return engine.arrow(f"SELECT * FROM ({SLOPE_ROWS}) r ORDER BY pidx, date, source_line").to_pandas()
