"""Per-patient dates in the engine for PFS, OS, DOR and the analysis sets (rules:
derive/time_to_event.py, response_duration.py, analysis_sets.py): first PD and last adequate
(non-NE) analysis row, first analysis row with CR or PR, latest recorded date (last contact,
next therapy, every cycle, assessment, lesion, lab and AE date; not death), and whether an
assessment is dated on or before C1."""

from __future__ import annotations

import pandas as pd

from prrt_rwe.derive.response_duration import RESPONSE_CODES

_RECORDED = (("cycles", "date"), ("assessments", "date"), ("lesions", "date"), ("labs", "date"),
             ("adverse_events", "onset_date"))


def _latest_sql(tables) -> str:
    parts = ["SELECT pidx, last_contact_date AS d FROM prrt_patients",
             "SELECT pidx, next_therapy_date AS d FROM prrt_patients"]
    parts += [f"SELECT pidx, max({col}) AS d FROM prrt_{t} GROUP BY pidx" for t, col in _RECORDED if t in tables]
    return f"SELECT pidx, max(d) AS latest FROM ({' UNION ALL '.join(parts)}) AS dated GROUP BY pidx"


def follow_up_sql(tables) -> str:
    codes = ", ".join(f"'{c}'" for c in RESPONSE_CODES)
    baseline = ("SELECT a.pidx, count(*) AS n FROM prrt_assessments a JOIN prrt_treatment tr ON a.pidx = tr.pidx "
                "WHERE a.date <= tr.c1 GROUP BY a.pidx") if "assessments" in tables else \
        "SELECT pidx, 0 AS n FROM prrt_patients WHERE 1 = 0"
    return f"""
WITH anl AS (
  SELECT pidx,
         min(CASE WHEN resp = 'PD' THEN date END) AS first_pd,
         max(CASE WHEN resp <> 'NE' THEN date END) AS last_adequate,
         min(CASE WHEN resp IN ({codes}) THEN date END) AS first_response
  FROM prrt_ovr WHERE anl GROUP BY pidx
),
latest AS ({_latest_sql(tables)}),
baseline AS ({baseline})
SELECT p.pidx, anl.first_pd, anl.last_adequate, anl.first_response, latest.latest,
       coalesce(baseline.n, 0) > 0 AS has_baseline
FROM prrt_patients p LEFT JOIN anl ON p.pidx = anl.pidx LEFT JOIN latest ON p.pidx = latest.pidx
     LEFT JOIN baseline ON p.pidx = baseline.pidx
ORDER BY p.pidx
"""


def follow_up(engine, tables) -> pd.DataFrame:
    """first_pd, last_adequate, first_response, latest (day numbers, NaN = none), has_baseline."""
    t = engine.arrow(follow_up_sql(tables))
    out = {c: t[c].to_numpy(zero_copy_only=False).astype(float)
           for c in ("first_pd", "last_adequate", "first_response", "latest")}
    out["has_baseline"] = t["has_baseline"].to_numpy(zero_copy_only=False).astype(bool)
    return pd.DataFrame(out)
