"""Best percentage change of the target-lesion sum from baseline, per patient (the waterfall
plot; RECIST 1.1 section 4.3.1 measures response on this sum).

Source of the sums, per patient: the assessments' ``sum_diameters_mm`` where they give the
patient a best change; otherwise lesions.csv, the sum of the target diameters at each date
(a target recorded ``absent`` counts 0 mm) where every target row of that date is measured.
1. Baseline sum = the sum on the last date on or before C1 (must be > 0).
2. Post-baseline sums: dates strictly after C1, strictly before next_therapy_date and on or
   before the first PD of the analysis rows (the window of the best overall response).
3. Best change = min over post-baseline dates of 100 (sum - baseline) / baseline; patients
   without a baseline or a post-baseline sum have none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _assessment_sums(assessments: pd.DataFrame) -> pd.DataFrame:
    a = assessments[["pidx", "date", "sum_diameters_mm"]].dropna()
    return pd.DataFrame({"pidx": a["pidx"].to_numpy(dtype=np.int64), "date": a["date"].to_numpy(dtype=float),
                         "sum": a["sum_diameters_mm"].to_numpy(dtype=float)})


def _lesion_sums(lesions: pd.DataFrame) -> pd.DataFrame:
    # compared as read (pandas categoricals, source._frame; missing = False): no string per row
    t = lesions[(lesions["role"] == "target").to_numpy(dtype=bool)]
    absent = (t["status"] == "absent").to_numpy(dtype=bool)
    diam = t["diameter_mm"].to_numpy(dtype=float)
    value = np.where(absent, 0.0, diam)
    frame = pd.DataFrame({"pidx": t["pidx"].to_numpy(dtype=np.int64), "date": t["date"].to_numpy(dtype=float),
                          "sum": np.nan_to_num(value), "unmeasured": np.isnan(value)})
    by = frame.groupby(["pidx", "date"], sort=True).agg(sum=("sum", "sum"), unmeasured=("unmeasured", "any"))
    by = by[~by["unmeasured"]].reset_index()
    return by[["pidx", "date", "sum"]]


def _best_change(sums: pd.DataFrame, c1, window_end, n_patients: int) -> pd.DataFrame:
    p = sums["pidx"].to_numpy(dtype=np.int64)
    date = sums["date"].to_numpy(dtype=float)
    pre = date <= c1[p]
    base = np.full(n_patients, np.nan)
    last = np.full(n_patients, -np.inf)
    np.maximum.at(last, p[pre], date[pre])
    at_base = pre & (date == last[p])
    base[p[at_base]] = sums["sum"].to_numpy(dtype=float)[at_base]
    post = (date > c1[p]) & (date <= window_end[p]) & (base[p] > 0)
    change = 100 * (sums["sum"].to_numpy(dtype=float)[post] - base[p[post]]) / base[p[post]]
    best = np.full(n_patients, np.inf)
    np.minimum.at(best, p[post], change)
    has = np.isfinite(best)
    return pd.DataFrame({"pidx": np.flatnonzero(has), "BASE": base[has], "PCHG_BEST": best[has]})


def best_change(assessments: pd.DataFrame, lesions: pd.DataFrame, c1, next_therapy, first_pd,
                n_patients: int) -> pd.DataFrame:
    """Per patient with one (module steps 1-3): pidx, BASE (mm), PCHG_BEST (%), SOURCE."""
    c1 = np.asarray(c1, dtype=float)
    # step 2: strictly before next therapy (whole days) and on or before the first PD
    window_end = np.fmin(np.where(np.isnan(next_therapy), np.inf, np.asarray(next_therapy, float) - 0.5),
                         np.where(np.isnan(first_pd), np.inf, first_pd))
    from_assessments = _best_change(_assessment_sums(assessments), c1, window_end, n_patients)
    from_assessments["SOURCE"] = "assessments"
    done = np.zeros(n_patients, dtype=bool)
    done[from_assessments["pidx"].to_numpy()] = True
    frames = [from_assessments]
    if len(lesions):
        from_lesions = _best_change(_lesion_sums(lesions), c1, window_end, n_patients)
        from_lesions = from_lesions[~done[from_lesions["pidx"].to_numpy()]]
        frames.append(from_lesions.assign(SOURCE="lesions"))
    return pd.concat(frames, ignore_index=True).sort_values("pidx", kind="stable").reset_index(drop=True)
