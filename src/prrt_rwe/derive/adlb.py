"""ADLB: lab results of safety-set patients with ranges, baseline, windows and CTCAE grades.

Source: shared/spec/derivations.md "Laboratory toxicity"; grades from ctcae.py.
Steps of :func:`lab_rows`:
1. Keep results of safety-set patients (C1 known); ADY = date - C1 (day 0 = C1).
2. ANRLO/ANRHI = the site range (canonical units, as ingest stored it); when the limit a
   graded test uses (LLN for counts and hemoglobin, ULN for creatinine) is missing, the
   default of ctcae.DEFAULT_RANGES by sex is used and RANGEDEF = Y.
3. Baseline (ABLFL) = per patient and test the last result dated C1 - baseline_window_days
   through C1 (both included); on one date the last row of the file.
4. Post-baseline (APOSTFL) = strictly after C1 through last cycle + window_days (included).
5. ATOXGR = CTCAE v5 grade of the row (creatinine with the patient's baseline creatinine as
   BASE); BTOXGR = grade of the baseline row of that test.
6. Worst grade per patient and test = highest ATOXGR among APOSTFL rows (whatever the
   baseline grade), for patients with at least one post-baseline result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.derive import ctcae

GRADES = (0, 1, 2, 3, 4)
# derivations.md: hematologic grade >= 3 (lab) tests; lymphopenia reported separately.
HEMATOLOGIC_LAB_TESTS = ("platelets", "neutrophils", "wbc", "hemoglobin")
RENAL_LAB_TESTS = ("creatinine",)


def _last_per_group(pidx, test_code, mask) -> np.ndarray:
    """Positions of the last masked row per (pidx, test); rows sorted by pidx, test, date, line."""
    pos = np.flatnonzero(mask)
    if pos.size == 0:
        return pos
    key_p, key_t = pidx[pos], test_code[pos]
    last = np.concatenate(((key_p[1:] != key_p[:-1]) | (key_t[1:] != key_t[:-1]), [True]))
    return pos[last]


def _test_masks(paramcd: pd.Categorical) -> dict[str, np.ndarray]:
    """Row mask per test name (from the categorical codes: no string comparisons)."""
    codes = paramcd.codes
    return {name: codes == i for i, name in enumerate(paramcd.categories)}


def lab_rows(labs: pd.DataFrame, c1, last_cycle, sex, *, baseline_window_days: int,
             window_days: int) -> pd.DataFrame:
    """ADLB rows (module steps 1-5) with pidx; dates as day numbers (``date``)."""
    c1 = np.asarray(c1, dtype=float)
    keep = ~np.isnan(c1[labs["pidx"].to_numpy(dtype=np.int64)])
    lb = labs.loc[keep].reset_index(drop=True)
    pidx = lb["pidx"].to_numpy(dtype=np.int64)
    date = lb["date"].to_numpy(dtype=float)
    ady = date - c1[pidx]
    # text columns as categoricals while deriving (millions of rows); datasets.py writes str
    paramcd = lb["test"].astype("category").array
    masks = _test_masks(paramcd)
    value = lb["value"].to_numpy(dtype=float)
    lln, uln, rangedef = _ranges(masks, lb["lln"].to_numpy(dtype=float), lb["uln"].to_numpy(dtype=float),
                                 np.asarray(sex, dtype=object)[pidx])
    ablfl = np.zeros(len(lb), dtype=bool)
    in_base = (ady >= -baseline_window_days) & (ady <= 0)
    ablfl[_last_per_group(pidx, paramcd.codes, in_base)] = True
    base = _baseline_creatinine(masks, ablfl, pidx, value, len(c1))
    grade = _grades(masks, value, lln, uln, base)
    return pd.DataFrame({
        "pidx": pidx, "PARAMCD": paramcd, "date": date, "ADY": ady.astype(np.int64),
        "AVAL": value, "AVALU": lb["unit"].astype("category").array,
        "AVAL_ORIG": lb["value_original"].to_numpy(dtype=float),
        "AVALU_ORIG": lb["unit_original"].astype("category").array,
        "ANRLO": lln, "ANRHI": uln, "RANGEDEF": rangedef, "ABLFL": ablfl,
        "APOSTFL": (ady > 0) & (date <= np.asarray(last_cycle, dtype=float)[pidx] + window_days),
        "BASE": np.where(masks.get("creatinine", False), base, np.nan),
        "ATOXGR": _int_grades(grade),
        "BTOXGR": _int_grades(_baseline_grade(grade, ablfl, pidx, paramcd.codes)),
        "source_line": lb["source_line"].to_numpy(),
    })


def _ranges(masks, lln, uln, sex):
    """Step 2: site range, else the default of ctcae.DEFAULT_RANGES (RANGEDEF)."""
    lln, uln = lln.copy(), uln.copy()
    rangedef = np.zeros(len(lln), dtype=bool)
    for name in ctcae.DEFAULT_RANGES:
        rows = masks.get(name)
        if rows is None or not rows.any():
            continue
        limit, default = ctcae.default_limits(name, sex[rows])
        target = lln if limit == "lln" else uln
        missing = np.isnan(target[rows])
        target[rows] = np.where(missing, default, target[rows])
        rangedef[rows] = missing
    return lln, uln, rangedef


def _baseline_creatinine(masks, ablfl, pidx, value, n_patients) -> np.ndarray:
    """Per row the patient's baseline creatinine (NaN when none)."""
    base = np.full(n_patients, np.nan)
    rows = masks.get("creatinine", np.zeros(len(pidx), dtype=bool)) & ablfl
    base[pidx[rows]] = value[rows]
    return base[pidx]


def _grades(masks, value, lln, uln, base) -> np.ndarray:
    """Step 5: CTCAE grade per row (NaN for tests that are not graded)."""
    grade = np.full(len(value), np.nan)
    for name in ctcae.DECREASE_GRADES:
        rows = masks.get(name)
        if rows is not None and rows.any():
            grade[rows] = ctcae.grade_decrease(name, value[rows], lln[rows])
    rows = masks.get("creatinine")
    if rows is not None and rows.any():
        grade[rows] = ctcae.grade_creatinine(value[rows], uln[rows], base[rows])
    return grade


def _baseline_grade(grade, ablfl, pidx, codes) -> np.ndarray:
    """Grade of the baseline row of the same patient and test, per row."""
    key = pidx * 64 + codes.astype(np.int64)
    bl_key, bl_grade = key[ablfl], grade[ablfl]
    order = np.argsort(bl_key, kind="stable")
    bl_key, bl_grade = bl_key[order], bl_grade[order]
    pos = np.searchsorted(bl_key, key)
    found = (pos < len(bl_key)) & (bl_key[np.minimum(pos, max(len(bl_key) - 1, 0))] == key) \
        if len(bl_key) else np.zeros(len(key), dtype=bool)
    out = np.full(len(key), np.nan)
    out[found] = bl_grade[pos[found]]
    return out


def _int_grades(grade: np.ndarray) -> pd.arrays.IntegerArray:
    missing = np.isnan(grade)
    return pd.arrays.IntegerArray(np.where(missing, 0, grade).astype(np.int64), missing)


def worst_grades(adlb: pd.DataFrame, n_patients: int) -> pd.DataFrame:
    """Per patient x graded test: worst post-baseline grade (-1 = no post-baseline result)."""
    masks = _test_masks(adlb["PARAMCD"].array)
    post = adlb["APOSTFL"].to_numpy(dtype=bool)
    grade = adlb["ATOXGR"].to_numpy(dtype=float, na_value=np.nan)
    pidx = adlb["pidx"].to_numpy(dtype=np.int64)
    data = {}
    for name in ctcae.GRADED_TESTS:
        worst = np.full(n_patients, -1.0)
        if name in masks:
            rows = masks[name] & post & ~np.isnan(grade)
            np.maximum.at(worst, pidx[rows], grade[rows])
        data[name] = worst.astype(np.int64)
    return pd.DataFrame(data)


def worst_grade_counts(worst: pd.DataFrame, safety: np.ndarray) -> dict[str, dict[str, int]]:
    """results.json safety.lab.worst_grade: counts of grades 0-4 per test (safety patients with a value)."""
    out = {}
    for name in worst.columns:
        w = worst[name].to_numpy()[np.asarray(safety, dtype=bool)]
        out[name] = {str(g): int((w == g).sum()) for g in GRADES}
    return out
