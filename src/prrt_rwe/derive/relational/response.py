"""RECIST 1.1 in the engine: time points, analysis window, CBOR and BOR (rules: derive/recist.py).

``prrt_ovr``: post-C1 assessments with a recorded response; ``anl`` = the analysis rows
(strictly before next_therapy_date, up to and including the first PD), ordered per patient by
date then input line. CBOR reads "followed by ... >= confirmation_days later, with ... between"
as "there exists a later analysis row" (a self-join over the pairs of one patient's rows):
the first qualifying row and any later one agree (derive/recist.py), and
tests/derive/test_recist_sql_crosscheck.py proves the two readings equal on 100,000 random
patients. ADT of a best response = the earliest row that achieves it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from prrt_rwe.derive.recist import BOR_SD_RESPONSES, BOR_VALUES, CBOR_SD_RESPONSES, CONFIRMATION_RULES, MAX_NE_BETWEEN

NE_RANK = len(BOR_VALUES) - 1


def _codes(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


OVR_SQL = """
WITH t AS (
  SELECT a.pidx, a.date, a.date - tr.c1 AS ady, a.overall_response AS resp, a.source_line,
         (p.next_therapy_date IS NULL OR a.date < p.next_therapy_date) AS before_nth
  FROM prrt_assessments a JOIN prrt_treatment tr ON a.pidx = tr.pidx JOIN prrt_patients p ON p.pidx = a.pidx
  WHERE tr.c1 IS NOT NULL AND a.date > tr.c1 AND a.overall_response IS NOT NULL
)
SELECT pidx, date, ady, resp, source_line,
       before_nth AND coalesce(sum(CASE WHEN resp = 'PD' AND before_nth THEN 1 ELSE 0 END) OVER (
         PARTITION BY pidx ORDER BY date, source_line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) = 0
       AS anl
FROM t
"""


def _confirmation_sql(rule) -> str:
    """bool_or over the pairs (a = start, b = a later row >= confirmation days after) of one rule."""
    result, starts, confirms, allowed = rule
    bad = f"CASE WHEN resp NOT IN ({_codes(allowed)}) THEN 1 ELSE 0 END"
    return (f"bool_or(a.resp IN ({_codes(starts)}) AND b.resp IN ({_codes(confirms)}) "
            f"AND (b.bad_{result} - CASE WHEN b.resp NOT IN ({_codes(allowed)}) THEN 1 ELSE 0 END) - a.bad_{result} = 0 "
            f"AND (b.ne - CASE WHEN b.resp = 'NE' THEN 1 ELSE 0 END) - a.ne <= {MAX_NE_BETWEEN}) AS ok_{result}"
            ), f"sum({bad}) OVER (PARTITION BY pidx ORDER BY date, source_line ROWS UNBOUNDED PRECEDING) AS bad_{result}"


def best_sql(confirmation_days: int, sd_min_days: int) -> str:
    rules = [_confirmation_sql(r) for r in CONFIRMATION_RULES]
    rank = {v: i for i, v in enumerate(BOR_VALUES)}
    cbor_cases = " ".join(f"WHEN coalesce(p.ok_{r[0]}, false) THEN {rank[r[0]]}" for r in CONFIRMATION_RULES)
    return f"""
WITH cum AS (
  SELECT pidx, date, ady, resp,
    {', '.join(cum for _, cum in rules)},
    sum(CASE WHEN resp = 'NE' THEN 1 ELSE 0 END) OVER (PARTITION BY pidx ORDER BY date, source_line
        ROWS UNBOUNDED PRECEDING) AS ne,
    row_number() OVER (PARTITION BY pidx ORDER BY date, source_line) AS k
  FROM prrt_ovr WHERE anl
),
pairs AS (
  SELECT a.pidx, a.k, {', '.join(agg for agg, _ in rules)}
  FROM cum a JOIN cum b ON a.pidx = b.pidx AND b.k > a.k AND b.ady - a.ady >= {int(confirmation_days)}
  GROUP BY a.pidx, a.k
),
ranked AS (
  SELECT c.pidx, c.date,
    CASE {cbor_cases}
         WHEN c.resp IN ({_codes(CBOR_SD_RESPONSES)}) AND c.ady >= {int(sd_min_days)} THEN {rank['SD']}
         WHEN c.resp = 'PD' THEN {rank['PD']} ELSE {NE_RANK} END AS cbor,
    CASE WHEN c.resp = 'CR' THEN {rank['CR']} WHEN c.resp = 'PR' THEN {rank['PR']}
         WHEN c.resp IN ({_codes(BOR_SD_RESPONSES)}) AND c.ady >= {int(sd_min_days)} THEN {rank['SD']}
         WHEN c.resp = 'PD' THEN {rank['PD']} ELSE {NE_RANK} END AS bor
  FROM cum c LEFT JOIN pairs p ON c.pidx = p.pidx AND c.k = p.k
),
best AS (SELECT pidx, min(cbor) AS cbor, min(bor) AS bor FROM ranked GROUP BY pidx),
cbor_date AS (SELECT r.pidx, min(r.date) AS date FROM ranked r JOIN best b ON r.pidx = b.pidx AND r.cbor = b.cbor
              WHERE b.cbor < {NE_RANK} GROUP BY r.pidx),
bor_date AS (SELECT r.pidx, min(r.date) AS date FROM ranked r JOIN best b ON r.pidx = b.pidx AND r.bor = b.bor
             WHERE b.bor < {NE_RANK} GROUP BY r.pidx)
SELECT p.pidx, coalesce(b.cbor, {NE_RANK}) AS cbor, cd.date AS cbor_date,
       coalesce(b.bor, {NE_RANK}) AS bor, bd.date AS bor_date
FROM prrt_patients p LEFT JOIN best b ON p.pidx = b.pidx LEFT JOIN cbor_date cd ON p.pidx = cd.pidx
     LEFT JOIN bor_date bd ON p.pidx = bd.pidx
ORDER BY p.pidx
"""


def _num(table, name, dtype=float) -> np.ndarray:
    """A column as ``dtype``; an integer column with nulls stays float (NaN)."""
    column = table[name]
    if column.null_count and np.dtype(dtype).kind in "iub":
        dtype = float
    return column.to_numpy(zero_copy_only=False).astype(dtype)


def ovr_rows(engine, tables) -> pd.DataFrame:
    """ADRS OVR rows as derive/recist.ovr_rows gives them: pidx, date, ADY, AVALC, source_line, ANL01FL."""
    if "assessments" not in tables:
        engine.materialize("prrt_ovr", "SELECT CAST(NULL AS BIGINT) AS pidx, CAST(NULL AS BIGINT) AS date, "
                                       "CAST(NULL AS BIGINT) AS ady, CAST(NULL AS VARCHAR) AS resp, "
                                       "CAST(NULL AS BIGINT) AS source_line, CAST(NULL AS BOOLEAN) AS anl "
                                       "FROM prrt_patients WHERE 1 = 0")
    else:
        engine.materialize("prrt_ovr", OVR_SQL)
    t = engine.arrow("SELECT pidx, date, ady, resp, source_line, anl FROM prrt_ovr ORDER BY pidx, date, source_line")
    return pd.DataFrame({"pidx": _num(t, "pidx", np.int64), "date": _num(t, "date"), "ADY": _num(t, "ady", np.int64),
                         "AVALC": pd.Categorical(pc.dictionary_encode(t["resp"].combine_chunks()).to_pandas()),
                         "source_line": _num(t, "source_line", np.int64),
                         "ANL01FL": _num(t, "anl", bool)})


def best_responses(engine, confirmation_days: int, sd_min_days: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{"CBOR": (AVALC per patient, ADT day or NaN), "BOR": ...} as derive/recist.best_responses."""
    t = engine.arrow(best_sql(confirmation_days, sd_min_days))
    values = np.asarray(BOR_VALUES, dtype=object)
    out = {}
    for name, col in (("CBOR", "cbor"), ("BOR", "bor")):
        out[name] = (values[_num(t, col, np.int64)], _num(t, f"{col}_date"))
    return out
