"""eGFR (CKD-EPI 2021, ADLB ``EGFR`` rows) over time, as aggregates only: per 3-month
window after C1 the number of patients and the median and quartiles of each patient's
last value in the window; the baseline is the ADLB baseline record (``ABLFL``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.populations import members

WINDOW_DAYS = 91.3125  # 3 months of 30.4375 days
MAX_WINDOWS = 8  # 24 months


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
    for w in range(1, MAX_WINDOWS + 1):
        values = last.xs(w, level="window").to_numpy(dtype=float) if w in last.index.get_level_values(0) \
            else np.array([])
        out.append({"month": 3 * w, **_stats(values)})
    return out
