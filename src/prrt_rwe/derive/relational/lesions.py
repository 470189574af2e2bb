"""Time-point response recomputed from the lesion measurements, and the discrepancies with the
recorded overall response, in the engine: the rules and steps of derive/recist_lesions.py
(RECIST 1.1 sections 4.3.1-4.3.3, Table 1; derivations.md "Tumour response"), written once
as set-based SQL. recist_lesions.py stays as the reference it is tested against
(tests/derive/test_lesions_engine_vs_pandas.py).

``prrt_lesion_tp`` (materialised): per patient (C1 known) and post-C1 lesion date the
recomputed overall response ``avalc_lesions``. Python reads only those rows and the
discrepancies (:func:`lesion_responses`), never the lesion rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from prrt_rwe.derive import recist_lesions as rules
from prrt_rwe.derive.relational.labs import num


def at_least(a: str, b: str) -> str:
    """SQL of recist_lesions.at_least: a >= b, a within a relative TOLERANCE below b equal."""
    return f"({a} >= {b} OR abs({a} - {b}) <= {num(rules.TOLERANCE)} * greatest(abs({b}), {num(1.0)}))"


def _count(where: str) -> str:
    return f"sum(CASE WHEN {where} THEN 1 ELSE 0 END)"


_TARGET = "l.role = 'target'"
_NON_TARGET = "l.role = 'non_target'"

TIMEPOINT_SQL = f"""
WITH les AS (
  SELECT l.pidx, l.date, l.date - tr.c1 AS rel, l.role, l.status, l.diameter_mm,
         coalesce(l.status = 'absent', false) AS absent, coalesce(l.lymph_node, false) AS node
  FROM prrt_lesions l JOIN prrt_treatment tr ON tr.pidx = l.pidx
  WHERE tr.c1 IS NOT NULL
),
bdate AS (SELECT pidx, max(date) AS bdate FROM les WHERE rel <= 0 GROUP BY pidx),
base AS (          -- step 1: the last lesion date on or before C1
  SELECT l.pidx, {_count(_TARGET)} AS n_bt,
         coalesce(sum(CASE WHEN {_TARGET} THEN l.diameter_mm END), {num(0.0)}) AS base_sum,
         {_count(_NON_TARGET)} > 0 AS has_nt
  FROM les l JOIN bdate b ON b.pidx = l.pidx AND b.bdate = l.date
  GROUP BY l.pidx
),
post AS (          -- step 2: value 0 mm when absent; a target is measured when it has a value
  SELECT l.*, CASE WHEN l.absent THEN {num(0.0)} ELSE l.diameter_mm END AS value FROM les l WHERE l.rel > 0
),
tp AS (
  SELECT l.pidx, l.date,
         {_count(_TARGET)} AS t_rows,
         {_count(f"{_TARGET} AND l.value IS NOT NULL")} AS t_measured,
         coalesce(sum(CASE WHEN {_TARGET} AND l.value IS NOT NULL THEN l.value END), {num(0.0)}) AS t_sum,
         {_count(f"{_TARGET} AND NOT coalesce(CASE WHEN l.node THEN l.value < {num(rules.NODE_NORMAL_BELOW_MM)} "
                 f"ELSE l.value = {num(0.0)} END, false)")} AS t_not_gone,
         {_count("l.role = 'new' AND NOT l.absent")} AS new,
         {_count(f"{_NON_TARGET} AND l.status = 'unequivocal_progression'")} AS nt_pd,
         {_count(_NON_TARGET)} AS nt_rows,
         {_count(f"{_NON_TARGET} AND NOT l.absent")} AS nt_present,
         {_count(f"{_NON_TARGET} AND l.status IS NULL")} AS nt_unknown
  FROM post l GROUP BY l.pidx, l.date
),
m AS (
  SELECT tp.*, coalesce(b.n_bt, 0) AS n_bt, coalesce(b.base_sum, {num(0.0)}) AS base_sum,
         coalesce(b.has_nt, false) AS has_nt,
         (tp.t_measured < coalesce(b.n_bt, 0) OR tp.t_measured < tp.t_rows) AS unmeasured
  FROM tp LEFT JOIN base b ON b.pidx = tp.pidx
),
n AS (             -- step 3: nadir = baseline and the earlier fully measured dates
  SELECT m.*, least(coalesce(min(CASE WHEN m.unmeasured THEN NULL ELSE m.t_sum END) OVER (
           PARTITION BY m.pidx ORDER BY m.date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           m.base_sum), m.base_sum) AS nadir
  FROM m
),
t AS (
  SELECT n.*, CASE WHEN n.n_bt = 0 THEN 'none' WHEN n.unmeasured THEN 'NE'
    WHEN {at_least(f"{num(10.0)} * n.t_sum", f"{num(float(rules.PD_TENTHS_OF_NADIR))} * n.nadir")}
         AND {at_least("n.t_sum - n.nadir", num(rules.PD_MIN_INCREASE_MM))} THEN 'PD'
    WHEN n.t_not_gone = 0 THEN 'CR'
    WHEN {at_least(f"{num(float(rules.PR_TENTHS_OF_BASELINE))} * n.base_sum", f"{num(10.0)} * n.t_sum")} THEN 'PR'
    ELSE 'SD' END AS target,
    (n.nt_present = 0 AND n.nt_rows > 0) AS nt_all_absent,
    (n.nt_unknown > 0 OR (n.has_nt AND n.nt_rows = 0)) AS nt_unk,
    (NOT n.has_nt AND n.nt_rows = 0) AS no_nt
  FROM n
)
SELECT pidx, date, CASE                  -- step 4: RECIST 1.1 Table 1
  WHEN target = 'PD' OR new > 0 OR nt_pd > 0 THEN 'PD'
  WHEN target = 'NE' THEN 'NE'
  WHEN target = 'CR' AND (nt_all_absent OR no_nt) AND NOT nt_unk THEN 'CR'
  WHEN target = 'CR' THEN 'PR'
  WHEN target = 'PR' THEN 'PR'
  WHEN target = 'SD' THEN 'SD'
  WHEN target = 'none' AND no_nt THEN 'NE'
  WHEN target = 'none' AND nt_all_absent AND NOT nt_unk THEN 'CR'
  WHEN target = 'none' AND nt_unk THEN 'NE'
  ELSE 'NON_CR_NON_PD' END AS avalc_lesions
FROM t
"""

EMPTY_TIMEPOINT_SQL = ("SELECT CAST(NULL AS BIGINT) AS pidx, CAST(NULL AS BIGINT) AS date, "
                       "CAST(NULL AS VARCHAR) AS avalc_lesions FROM prrt_patients WHERE 1 = 0")


def discrepancy_sql(tables) -> str:
    """Step 5: post-C1 lesion dates whose recomputed response differs from the recorded one
    (the last input line of that date), or none was recorded."""
    recorded = ("SELECT pidx, date, overall_response, row_number() OVER (PARTITION BY pidx, date "
                "ORDER BY source_line DESC) AS k FROM prrt_assessments") if "assessments" in tables else \
        ("SELECT CAST(NULL AS BIGINT) AS pidx, CAST(NULL AS BIGINT) AS date, "
         "CAST(NULL AS VARCHAR) AS overall_response, 1 AS k FROM prrt_patients WHERE 1 = 0")
    return f"""
WITH rec AS ({recorded})
SELECT d.pidx, d.date, d.date - tr.c1 AS ady, r.overall_response AS avalc, d.avalc_lesions
FROM prrt_lesion_tp d JOIN prrt_treatment tr ON tr.pidx = d.pidx
LEFT JOIN rec r ON r.pidx = d.pidx AND r.date = d.date AND r.k = 1
WHERE r.overall_response IS NULL OR r.overall_response <> d.avalc_lesions
ORDER BY d.pidx, d.date
"""


def _text(table, name) -> pd.api.extensions.ExtensionArray:
    """A text column as pandas ``str``, built by Arrow (millions of time points: no Python str each)."""
    return pd.array(table[name].combine_chunks().cast(pa.large_string()), dtype="str")


def lesion_responses(engine, tables) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """As recist_lesions.lesion_responses: (pidx, date, AVALC_LESIONS) per post-C1 lesion date,
    or None without one; the discrepancies (pidx, date, ADY, AVALC, AVALC_LESIONS)."""
    engine.materialize("prrt_lesion_tp", TIMEPOINT_SQL if "lesions" in tables else EMPTY_TIMEPOINT_SQL)
    tp = engine.arrow("SELECT pidx, date, avalc_lesions FROM prrt_lesion_tp ORDER BY pidx, date")
    if tp.num_rows == 0:
        return None, rules._EMPTY.copy()
    out = pd.DataFrame({"pidx": tp["pidx"].to_numpy(zero_copy_only=False).astype(np.int64),
                        "date": tp["date"].to_numpy(zero_copy_only=False).astype(float),
                        "AVALC_LESIONS": _text(tp, "avalc_lesions")})
    d = engine.arrow(discrepancy_sql(tables))
    disc = pd.DataFrame({
        "pidx": d["pidx"].to_numpy(zero_copy_only=False).astype(np.int64),
        "date": d["date"].to_numpy(zero_copy_only=False).astype(float),
        "ADY": d["ady"].to_numpy(zero_copy_only=False).astype(np.int64),
        "AVALC": _text(d, "avalc"), "AVALC_LESIONS": _text(d, "avalc_lesions"),
    })
    return out, disc
