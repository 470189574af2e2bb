"""Cross-check: CBOR/BOR rules written a second time as plain SQL (DuckDB window functions).

The SQL below restates derivations.md "Tumour response" independently of recist.py: it
applies the analysis window itself (strictly after C1, strictly before next therapy, cut
after the first PD) and reads "followed by ... >= 28 days later, with ... between" as "there
exists a later assessment" (a self-join over every pair), where recist.py uses sorted
arrays and the first qualifying assessment. Both must agree on 100,000 random patients.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from prrt_rwe.derive import recist

N_PATIENTS = 100_000
CODES = np.array(["CR", "PR", "SD", "NON_CR_NON_PD", "PD", "NE"], dtype=object)

SQL = """
WITH win AS (          -- analysis window, before the PD cut
  SELECT o.pid, o.seq, o.day, o.resp
  FROM ovr o JOIN pat p USING (pid)
  WHERE o.day > 0 AND (p.nth IS NULL OR o.day < p.nth)
),
cut AS (               -- cut after the first PD
  SELECT * FROM (
    SELECT *, coalesce(sum(CASE WHEN resp = 'PD' THEN 1 ELSE 0 END) OVER (
             PARTITION BY pid ORDER BY day, seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
           AS pd_before
    FROM win) WHERE pd_before = 0
),
cum AS (               -- running counts (inclusive) to count rows strictly between two rows
  SELECT *,
    sum(CASE WHEN resp NOT IN ('CR', 'NE') THEN 1 ELSE 0 END) OVER w AS bad_cr,
    sum(CASE WHEN resp NOT IN ('CR', 'PR', 'NE') THEN 1 ELSE 0 END) OVER w AS bad_pr,
    sum(CASE WHEN resp = 'NE' THEN 1 ELSE 0 END) OVER w AS ne,
    row_number() OVER w AS k
  FROM cut WINDOW w AS (PARTITION BY pid ORDER BY day, seq ROWS UNBOUNDED PRECEDING)
),
pairs AS (             -- a = start, b = confirming assessment >= :conf days later
  SELECT a.pid, a.k,
    bool_or(a.resp = 'CR' AND b.resp = 'CR'
            AND (b.bad_cr - CASE WHEN b.resp NOT IN ('CR','NE') THEN 1 ELSE 0 END) - a.bad_cr = 0
            AND (b.ne - CASE WHEN b.resp = 'NE' THEN 1 ELSE 0 END) - a.ne <= 1) AS cr_ok,
    bool_or(a.resp IN ('CR', 'PR') AND b.resp IN ('CR', 'PR')
            AND (b.bad_pr - CASE WHEN b.resp NOT IN ('CR','PR','NE') THEN 1 ELSE 0 END) - a.bad_pr = 0
            AND (b.ne - CASE WHEN b.resp = 'NE' THEN 1 ELSE 0 END) - a.ne <= 1) AS pr_ok
  FROM cum a JOIN cum b ON a.pid = b.pid AND b.k > a.k AND b.day - a.day >= :conf
  GROUP BY a.pid, a.k
),
ranked AS (
  SELECT c.pid, c.day, c.k,
    CASE WHEN coalesce(p.cr_ok, false) THEN 0
         WHEN coalesce(p.pr_ok, false) THEN 1
         WHEN c.resp IN ('SD', 'NON_CR_NON_PD', 'PR', 'CR') AND c.day >= :sdmin THEN 2
         WHEN c.resp = 'PD' THEN 3 ELSE 4 END AS cbor_rank,
    CASE WHEN c.resp = 'CR' THEN 0 WHEN c.resp = 'PR' THEN 1
         WHEN c.resp IN ('SD', 'NON_CR_NON_PD') AND c.day >= :sdmin THEN 2
         WHEN c.resp = 'PD' THEN 3 ELSE 4 END AS bor_rank
  FROM cum c LEFT JOIN pairs p USING (pid, k)
),
best AS (
  SELECT pid, min(cbor_rank) AS cbor, min(bor_rank) AS bor FROM ranked GROUP BY pid
)
SELECT p.pid,
  coalesce(b.cbor, 4) AS cbor,
  (SELECT min(r.day) FROM ranked r WHERE r.pid = p.pid AND r.cbor_rank = b.cbor AND b.cbor < 4) AS cbor_day,
  coalesce(b.bor, 4) AS bor
FROM pat p LEFT JOIN best b USING (pid) ORDER BY p.pid
"""


def _random_series(rng: np.random.Generator):
    """Random OVR rows: 0-9 per patient on random days -10..400 (ties allowed), random codes."""
    counts = rng.integers(0, 10, N_PATIENTS)
    pid = np.repeat(np.arange(N_PATIENTS), counts)
    day = rng.integers(-10, 400, pid.size)
    resp = CODES[rng.choice(6, pid.size, p=[0.12, 0.25, 0.25, 0.08, 0.1, 0.2])]
    order = np.lexsort((day, pid))
    pid, day, resp = pid[order], day[order], resp[order]
    nth = np.where(rng.random(N_PATIENTS) < 0.3, rng.integers(1, 400, N_PATIENTS), -1)
    return pid, day, resp, nth


def test_confirmed_bor_agrees_with_sql_on_random_patients():
    rng = np.random.default_rng(20261125)
    pid, day, resp, nth = _random_series(rng)
    c1 = np.zeros(N_PATIENTS)
    nth_day = np.where(nth >= 0, nth, np.nan).astype(float)
    assessments = pd.DataFrame({"pidx": pid, "date": day.astype(float), "overall_response": resp,
                                "source_line": np.arange(pid.size)})
    ovr = recist.ovr_rows(assessments, c1, nth_day)
    ours = recist.best_responses(ovr, N_PATIENTS, confirmation_days=28, sd_min_days=42)

    con = duckdb.connect()
    con.register("ovr", pd.DataFrame({"pid": pid, "seq": np.arange(pid.size), "day": day, "resp": resp}))
    con.register("pat", pd.DataFrame({"pid": np.arange(N_PATIENTS),
                                      "nth": pd.array(np.where(nth >= 0, nth, None), dtype="Int64")}))
    sql = con.execute(SQL.replace(":conf", "28").replace(":sdmin", "42")).df()
    values = np.array(recist.BOR_VALUES, dtype=object)

    cbor, cbor_day = ours["CBOR"]
    np.testing.assert_array_equal(cbor, values[sql["cbor"].to_numpy()])
    np.testing.assert_array_equal(cbor_day, sql["cbor_day"].to_numpy(dtype=float, na_value=np.nan))
    np.testing.assert_array_equal(ours["BOR"][0], values[sql["bor"].to_numpy()])
    # the random series must exercise every outcome, or the agreement proves little
    assert set(cbor) == set(recist.BOR_VALUES)
    # invariant: confirmation can only lower the response (CR > PR > SD > PD > NE)
    rank = {v: i for i, v in enumerate(recist.BOR_VALUES)}
    cbor_rank = np.vectorize(rank.get)(cbor)
    bor_rank = np.vectorize(rank.get)(ours["BOR"][0])
    assert (cbor_rank >= bor_rank).all()


def test_engine_sql_agrees_with_the_reference_on_random_patients():
    """derive/relational/response.py (the SQL every engine runs) against recist.py (numpy, the
    reference) on the same 100,000 random patients: time points, analysis window, CBOR, BOR and
    the dates that give them."""
    from prrt_rwe.derive.relational import response as relational
    from prrt_rwe.engines.duckdb_engine import DuckDBEngine

    rng = np.random.default_rng(20261201)
    pid, day, resp, nth = _random_series(rng)
    c1 = np.full(N_PATIENTS, 1000.0)   # absolute day numbers: C1 on day 1000
    nth_day = np.where(nth >= 0, nth + 1000.0, np.nan)
    lines = np.arange(pid.size) + 2
    assessments = pd.DataFrame({"pidx": pid, "date": day + 1000.0, "overall_response": resp, "source_line": lines})
    ours = recist.best_responses(recist.ovr_rows(assessments, c1, nth_day), N_PATIENTS, 28, 42)
    con = duckdb.connect()
    con.register("a", pd.DataFrame({"pidx": pid, "date": day + 1000, "overall_response": resp, "source_line": lines}))
    con.register("p", pd.DataFrame({"pidx": np.arange(N_PATIENTS),
                                    "next_therapy_date": pd.array(np.where(nth >= 0, nth + 1000, None), dtype="Int64")}))
    con.execute("CREATE TEMP TABLE prrt_assessments AS SELECT * FROM a")
    con.execute("CREATE TEMP TABLE prrt_patients AS SELECT * FROM p")
    con.execute("CREATE TEMP TABLE prrt_treatment AS SELECT pidx, CAST(1000 AS BIGINT) AS c1 FROM p")
    engine = DuckDBEngine.wrap(con)
    ovr = relational.ovr_rows(engine, ("assessments",))
    reference = recist.ovr_rows(assessments, c1, nth_day)
    np.testing.assert_array_equal(ovr["ANL01FL"].to_numpy(), reference["ANL01FL"].to_numpy())
    np.testing.assert_array_equal(ovr["date"].to_numpy(), reference["date"].to_numpy())
    sql = relational.best_responses(engine, 28, 42)
    for name in ("CBOR", "BOR"):
        np.testing.assert_array_equal(sql[name][0], ours[name][0])
        np.testing.assert_array_equal(sql[name][1], ours[name][1])
    assert set(sql["CBOR"][0]) == set(recist.BOR_VALUES)
