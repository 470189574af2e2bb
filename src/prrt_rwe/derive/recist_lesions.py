"""Time-point response recomputed from lesion measurements (lesions.csv), and discrepancies.

Source: RECIST 1.1 (Eisenhauer et al. 2009) sections 4.3.1-4.3.3 and Table 1;
shared/spec/derivations.md "Tumour response". Steps of :func:`lesion_responses`:
1. Baseline = the patient's last lesion date on or before C1; its target lesions give the
   baseline sum (diameters; a node by its short axis, as recorded).
2. At each later date: a target row is measured when its status is ``absent`` (counts 0 mm)
   or it has a diameter; the target response is NE when any baseline target lesion is not
   measured at that date.
3. Target PD: sum >= 20 % and >= 5 mm above the nadir, the smallest sum of baseline and the
   earlier fully measured dates. Target CR: every non-node target absent (0 mm) and every
   target node < 10 mm. Target PR: sum >= 30 % below the baseline sum. Else SD.
4. Overall (Table 1): PD when target PD, a new lesion (role ``new``, not ``absent``) or a
   non-target ``unequivocal_progression``; else NE when targets are NE; target CR gives CR
   when every non-target is absent (or there is none), else PR; PR -> PR; SD -> SD.
   Without baseline targets: CR when every non-target is absent, NE when a non-target has
   no status, else NON_CR_NON_PD.
5. Discrepancy = a post-C1 lesion date whose recomputed response differs from the recorded
   overall_response on that date (or none was recorded).
Threshold comparisons count a difference within a relative 1e-9 as equality
(:func:`at_least`), so that the boundaries (exactly 30 %, exactly 20 %, exactly 5 mm, e.g.
25.3 - 20.3 mm) are not lost to binary rounding of decimal millimetres.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# RECIST 1.1 section 4.3.1 thresholds, in tenths: PR <= 7/10 of baseline; PD >= 12/10 of nadir.
PR_TENTHS_OF_BASELINE = 7
PD_TENTHS_OF_NADIR = 12
PD_MIN_INCREASE_MM = 5.0
NODE_NORMAL_BELOW_MM = 10.0

TOLERANCE = 1e-9


def at_least(a, b) -> np.ndarray:
    """a >= b, a within a relative TOLERANCE below b counting as equal."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        return (a >= b) | (np.abs(a - b) <= TOLERANCE * np.maximum(np.abs(b), 1.0))


_EMPTY = pd.DataFrame({"pidx": pd.Series([], dtype=np.int64), "date": pd.Series([], dtype=float),
                       "ADY": pd.Series([], dtype=np.int64), "AVALC": pd.Series([], dtype="str"),
                       "AVALC_LESIONS": pd.Series([], dtype="str")})


def _timepoints(les: pd.DataFrame, base_targets: pd.Series) -> pd.DataFrame:
    """Per (pidx, date) aggregates of module steps 2-4."""
    role = les["role"].to_numpy(dtype=object)
    status = les["status"].to_numpy(dtype=object)
    diam = les["diameter_mm"].to_numpy(dtype=float)
    absent = status == "absent"
    target = role == "target"
    node = les["lymph_node"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    value = np.where(absent, 0.0, diam)
    measured = target & (absent | ~np.isnan(diam))
    frame = pd.DataFrame({
        "pidx": les["pidx"].to_numpy(), "date": les["date"].to_numpy(),
        "t_rows": target, "t_measured": measured,
        "t_sum": np.where(measured, value, 0.0),
        "t_not_gone": target & ~np.where(node, value < NODE_NORMAL_BELOW_MM, value == 0),
        "new": (role == "new") & ~absent,
        "nt_pd": (role == "non_target") & (status == "unequivocal_progression"),
        "nt_rows": role == "non_target",
        "nt_present": (role == "non_target") & ~absent,
        "nt_unknown": (role == "non_target") & pd.isna(status),
    })
    tp = frame.groupby(["pidx", "date"], sort=True).sum().reset_index()
    tp["n_base_targets"] = base_targets.reindex(tp["pidx"]).fillna(0).to_numpy()
    return tp


def _target_response(tp: pd.DataFrame, base_sum: np.ndarray) -> np.ndarray:
    unmeasured = (tp["t_measured"] < tp["n_base_targets"]) | (tp["t_measured"] < tp["t_rows"])
    s = tp["t_sum"].to_numpy(dtype=float)
    # nadir: baseline and earlier fully measured dates of the same patient
    usable = pd.Series(np.where(unmeasured, np.inf, s))
    key = tp["pidx"].to_numpy()
    prev_min = usable.groupby(key).shift(1, fill_value=np.inf).groupby(key).cummin()
    nadir = np.minimum(prev_min.to_numpy(dtype=float), base_sum)
    pd_ = at_least(10 * s, PD_TENTHS_OF_NADIR * nadir) & at_least(s - nadir, PD_MIN_INCREASE_MM)
    cr = tp["t_not_gone"].to_numpy() == 0
    pr = at_least(PR_TENTHS_OF_BASELINE * base_sum, 10 * s)
    resp = np.select([tp["n_base_targets"].to_numpy() == 0, unmeasured.to_numpy(), pd_, cr, pr],
                     ["none", "NE", "PD", "CR", "PR"], "SD")
    return resp


def _overall(tp: pd.DataFrame, target: np.ndarray, has_nt: np.ndarray) -> np.ndarray:
    progression = (target == "PD") | (tp["new"].to_numpy() > 0) | (tp["nt_pd"].to_numpy() > 0)
    nt_all_absent = (tp["nt_present"].to_numpy() == 0) & (tp["nt_rows"].to_numpy() > 0)
    nt_unknown = (tp["nt_unknown"].to_numpy() > 0) | (has_nt & (tp["nt_rows"].to_numpy() == 0))
    no_nt = ~has_nt & (tp["nt_rows"].to_numpy() == 0)
    return np.select(
        [progression, target == "NE",
         (target == "CR") & (nt_all_absent | no_nt) & ~nt_unknown, target == "CR",
         target == "PR", target == "SD",
         (target == "none") & no_nt, (target == "none") & nt_all_absent & ~nt_unknown,
         (target == "none") & nt_unknown],
        ["PD", "NE", "CR", "PR", "PR", "SD", "NE", "CR", "NE"],
        "NON_CR_NON_PD",
    )


def lesion_responses(lesions: pd.DataFrame, assessments: pd.DataFrame, c1
                     ) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """(pidx, date, AVALC_LESIONS) per post-C1 lesion date, or None without lesions; discrepancies."""
    if len(lesions) == 0:
        return None, _EMPTY.copy()
    c1 = np.asarray(c1, dtype=float)
    les = lesions[~np.isnan(c1[lesions["pidx"].to_numpy(dtype=np.int64)])].reset_index(drop=True)
    rel = les["date"].to_numpy(dtype=float) - c1[les["pidx"].to_numpy(dtype=np.int64)]
    pre = les[rel <= 0]
    base_date = pre.groupby("pidx")["date"].max()
    at_base = pre[pre["date"].to_numpy() == base_date.reindex(pre["pidx"]).to_numpy()]
    bt = at_base[at_base["role"] == "target"]
    base_targets = bt.groupby("pidx").size()
    base_sum_p = bt.groupby("pidx")["diameter_mm"].sum()
    has_nt_p = (at_base["role"] == "non_target").groupby(at_base["pidx"]).any()
    post = les[rel > 0]
    if len(post) == 0:
        return None, _EMPTY.copy()
    tp = _timepoints(post, base_targets)
    base_sum = base_sum_p.reindex(tp["pidx"]).fillna(0).to_numpy(dtype=float)
    has_nt = has_nt_p.reindex(tp["pidx"]).fillna(False).to_numpy(dtype=bool)
    target = _target_response(tp, base_sum)
    out = pd.DataFrame({"pidx": tp["pidx"].to_numpy(dtype=np.int64),
                        "date": tp["date"].to_numpy(dtype=float),
                        "AVALC_LESIONS": _overall(tp, target, has_nt)})
    return out, _discrepancies(out, assessments, c1)


def _discrepancies(derived: pd.DataFrame, assessments: pd.DataFrame, c1: np.ndarray) -> pd.DataFrame:
    rec = assessments[["pidx", "date", "overall_response"]].drop_duplicates(["pidx", "date"], keep="last")
    both = derived.merge(rec, on=["pidx", "date"], how="left")
    recorded = both["overall_response"].to_numpy(dtype=object)
    differ = pd.isna(recorded) | (recorded != both["AVALC_LESIONS"].to_numpy(dtype=object))
    d = both[differ]
    return pd.DataFrame({
        "pidx": d["pidx"].to_numpy(dtype=np.int64), "date": d["date"].to_numpy(dtype=float),
        "ADY": (d["date"].to_numpy() - c1[d["pidx"].to_numpy(dtype=np.int64)]).astype(np.int64),
        "AVALC": pd.array(d["overall_response"].to_numpy(dtype=object), dtype="str"),
        "AVALC_LESIONS": pd.array(d["AVALC_LESIONS"].to_numpy(dtype=object), dtype="str"),
    })
