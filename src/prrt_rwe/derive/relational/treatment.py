"""Per patient from cycles, in the engine (derive/baseline.py step 1): TRTSDT = C1 = the
earliest cycle date, TRTEDT = the latest, n_cycles, cumulative_activity_gbq (0 cycles: C1
missing, n_cycles 0, activity 0), activity_c1_gbq (the earliest-dated row, lowest cycle number
on a tie). Relation ``prrt_treatment``, one row per patient. The activity is summed as an exact
decimal (9 places), so that the sum does not depend on the order in which a parallel engine
adds the cycles (a double's sum may differ in the last bit from run to run)."""

from __future__ import annotations

import pandas as pd

TREATMENT_SQL = """
WITH c AS (SELECT pidx, date, activity_gbq,
                  row_number() OVER (PARTITION BY pidx ORDER BY date, cycle, source_line) AS k
           FROM prrt_cycles)
SELECT p.pidx, min(c.date) AS c1, max(c.date) AS last_cycle, count(c.pidx) AS n_cycles,
       coalesce(CAST(sum(CAST(c.activity_gbq AS DECIMAL(18, 9))) AS DOUBLE), 0.0) AS activity,
       max(CASE WHEN c.k = 1 THEN c.activity_gbq END) AS activity_c1
FROM prrt_patients p LEFT JOIN c ON c.pidx = p.pidx
GROUP BY p.pidx
"""
NO_CYCLES_SQL = ("SELECT pidx, CAST(NULL AS BIGINT) AS c1, CAST(NULL AS BIGINT) AS last_cycle, "
                 "CAST(0 AS BIGINT) AS n_cycles, CAST(0.0 AS DOUBLE) AS activity, "
                 "CAST(NULL AS DOUBLE) AS activity_c1 FROM prrt_patients")


def treatment(engine, tables) -> pd.DataFrame:
    """TRTSDT_D, TRTEDT_D (day numbers, NaN = none), n_cycles, cumulative_activity_gbq,
    activity_c1_gbq (NaN = none), in pidx order."""
    engine.materialize("prrt_treatment", TREATMENT_SQL if "cycles" in tables else NO_CYCLES_SQL)
    t = engine.arrow("SELECT c1, last_cycle, n_cycles, activity, activity_c1 FROM prrt_treatment ORDER BY pidx")
    return pd.DataFrame({
        "TRTSDT_D": t["c1"].to_numpy(zero_copy_only=False).astype(float),
        "TRTEDT_D": t["last_cycle"].to_numpy(zero_copy_only=False).astype(float),
        "n_cycles": t["n_cycles"].to_numpy(zero_copy_only=False).astype("int64"),
        "cumulative_activity_gbq": t["activity"].to_numpy(zero_copy_only=False).astype(float),
        "activity_c1_gbq": t["activity_c1"].to_numpy(zero_copy_only=False).astype(float),
    })
