"""eGFR (CKD-EPI 2021, ADLB ``EGFR`` rows) over time, as aggregates only: per 3-month
window after C1 (days 1-90, 91-180, ..., derivations.md "Treatment-emergent toxicity and late
effects") the number of patients with a value in the window and the median and quartiles of
each patient's last value in it, through the last window with any value (at most 20 years);
month 0 is the ADLB baseline record (``ABLFL``). The report stops drawing at the first window
with fewer than ``[safety] egfr_min_n`` patients."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.populations import members

WINDOW_DAYS = 90  # days 1-90, 91-180, ...
MAX_WINDOWS = 80  # 20 years


def _stats(values: np.ndarray) -> dict:
    if values.size == 0:
        return {"n": 0, "median": None, "q1": None, "q3": None}
    q1, med, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return {"n": int(values.size), "median": float(med), "q1": float(q1), "q3": float(q3)}


def egfr_rows(adlb: pd.DataFrame, safety_ids: pd.Index) -> pd.DataFrame:
    keep = adlb["PARAMCD"].isin(["EGFR", "egfr"]).to_numpy() & adlb["AVAL"].notna().to_numpy()
    rows = adlb.loc[keep, ["USUBJID", "ADY", "AVAL", "ABLFL"]]
    return rows.loc[members(rows["USUBJID"], safety_ids)]


def trajectory(adlb: pd.DataFrame, safety_ids: pd.Index) -> list[dict]:
    rows = egfr_rows(adlb, safety_ids)
    base = rows.loc[rows["ABLFL"].astype("string").eq("Y").fillna(False)]
    out = [{"month": 0, **_stats(base.groupby("USUBJID")["AVAL"].last().to_numpy(dtype=float))}]
    post = rows.loc[pd.to_numeric(rows["ADY"]) > 0].copy()
    post["window"] = np.ceil(pd.to_numeric(post["ADY"]).to_numpy(dtype=float) / WINDOW_DAYS).astype(int)
    post = post.loc[post["window"] <= MAX_WINDOWS].sort_values(["USUBJID", "ADY"], kind="stable")
    last = post.groupby(["window", "USUBJID"])["AVAL"].last()
    for w in range(1, int(post["window"].max()) + 1 if len(post) else 1):
        values = last.xs(w, level="window").to_numpy(dtype=float) if w in last.index.get_level_values(0) \
            else np.array([])
        out.append({"month": 3 * w, **_stats(values)})
    return out
