"""The pandas derivation of ADLB and of what the analyses read of it, as prrt-rwe ran it before
the lab derivations moved into the engine (issue 17; commit b8e26b4, derive/adlb.py,
treatment_emergent.py, kidney.py, late_effects.py, datasets.py and results/safety.py,
treatment_emergent.py, kidney.py, egfr_slope.py, late_effects.py), kept verbatim as the test
reference of test_lab_engine_vs_pandas.py: the engine's ADLB file and per-patient results must
equal it. Not used by prrt_rwe itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.derive import ctcae
from prrt_rwe.derive.adlb import HEMATOLOGIC_LAB_TESTS
from prrt_rwe.derive.kidney import (DAYS_PER_YEAR, RENAL_DECLINE_BELOW, RENAL_DECLINE_TENTHS_OF_BASELINE,
                                    TARGET_DAY, WINDOW, ckd_epi_2021, decline30)
from prrt_rwe.derive.layout import Ids, with_dates
from prrt_rwe.derive.source import _frame, yn
from prrt_rwe.results.populations import either_case, members
from prrt_rwe.results.safety import GRADES, LAB_TESTS, yes

# --- derive/adlb.py ---

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


# --- derive/treatment_emergent.py ---

def baseline_grade_or_zero(btoxgr) -> np.ndarray:
    """Step 1: BTOXGR with a missing baseline read as grade 0."""
    return pd.array(btoxgr, dtype="Int64").to_numpy(dtype=float, na_value=0.0)


def flag_rows(adlb: pd.DataFrame) -> pd.DataFrame:
    """ADLB rows (of a registry cut at the data cut-off) with TRTEMFL and ALATEFL (booleans) added."""
    out = adlb.copy(deep=False)   # copy-on-write (pandas 3): the rows are not duplicated
    grade = out["ATOXGR"].to_numpy(dtype=float, na_value=np.nan)
    post = out["ADY"].to_numpy() > 0
    with np.errstate(invalid="ignore"):
        out["TRTEMFL"] = post & (grade > baseline_grade_or_zero(out["BTOXGR"]))
    out["ALATEFL"] = post
    return out

# --- derive/kidney.py ---

def age_at(age_c1, ady) -> np.ndarray:
    """Age at a result: age at C1 + (date - C1) / 365.25 (eGFR series, wave 2)."""
    return np.asarray(age_c1, dtype=float) + np.asarray(ady, dtype=float) / DAYS_PER_YEAR


def egfr_series(creat: pd.DataFrame, age, sex) -> pd.DataFrame:
    """One eGFR row per creatinine row (pidx, date, ADY, AVAL umol/L, flags): EGFR added,
    every other column kept."""
    p = creat["pidx"].to_numpy(dtype=np.int64)
    out = creat.copy()
    out["EGFR"] = ckd_epi_2021(creat["AVAL"].to_numpy(), age_at(np.asarray(age, dtype=float)[p],
                                                                creat["ADY"].to_numpy()),
                               np.asarray(sex, dtype=object)[p])
    return out


def qualifies_for_decline(egfr, base) -> np.ndarray:
    """eGFR <= 60 % of baseline (compared as 10 x eGFR <= 6 x baseline) or < 30; without a
    baseline only the second criterion."""
    egfr, base = np.asarray(egfr, dtype=float), np.asarray(base, dtype=float)
    with np.errstate(invalid="ignore"):
        relative = ~np.isnan(base) & (10 * egfr <= RENAL_DECLINE_TENTHS_OF_BASELINE * base)
        return relative | (egfr < RENAL_DECLINE_BELOW)


def renal_decline_day(series: pd.DataFrame, n_patients: int) -> np.ndarray:
    """Per patient the date of the first of two consecutive qualifying post-C1 eGFR values
    (NaN = none). ``series``: egfr_series rows sorted by pidx, date (then source line), with
    ABLFL (bool); rows after the data cut-off must already be dropped by the caller."""
    p = series["pidx"].to_numpy(dtype=np.int64)
    egfr = series["EGFR"].to_numpy(dtype=float)
    base = np.full(n_patients, np.nan)
    bl = series["ABLFL"].to_numpy(dtype=bool)
    base[p[bl]] = egfr[bl]
    post = series["ADY"].to_numpy() > 0
    p, egfr, day = p[post], egfr[post], series["date"].to_numpy(dtype=float)[post]
    ok = qualifies_for_decline(egfr, base[p])
    pair = ok[:-1] & ok[1:] & (p[:-1] == p[1:])
    first = np.full(n_patients, np.inf)
    np.minimum.at(first, p[:-1][pair], day[:-1][pair])
    first[np.isinf(first)] = np.nan
    return first


def twelve_month_rows(pidx, ady) -> np.ndarray:
    """Row positions of each patient's 12-month creatinine (closest to day 365 in 305-425, earlier on ties)."""
    pidx = np.asarray(pidx, dtype=np.int64)
    ady = np.asarray(ady, dtype=float)
    cand = np.flatnonzero((ady >= WINDOW[0]) & (ady <= WINDOW[1]))
    if cand.size == 0:
        return cand
    order = np.lexsort((ady[cand], np.abs(ady[cand] - TARGET_DAY), pidx[cand]))
    chosen = cand[order]
    first = np.concatenate(([True], pidx[chosen][1:] != pidx[chosen][:-1]))
    return chosen[first]


def egfr_change(creat: pd.DataFrame, n_patients: int, age, sex) -> pd.DataFrame:
    """Per patient with both values: baseline and 12-month eGFR, change, decline >= 30 %.

    ``creat``: creatinine rows with pidx, ADY, AVAL (umol/L), ABLFL (bool).
    """
    age = np.asarray(age, dtype=float)
    sex = np.asarray(sex, dtype=object)
    base = np.full(n_patients, np.nan)
    bl = creat[creat["ABLFL"].to_numpy()]
    bp = bl["pidx"].to_numpy(dtype=np.int64)
    base[bp] = ckd_epi_2021(bl["AVAL"].to_numpy(), age[bp], sex[bp])
    m12 = np.full(n_patients, np.nan)
    m12_day = np.full(n_patients, np.nan)
    rows = twelve_month_rows(creat["pidx"].to_numpy(), creat["ADY"].to_numpy())
    mp = creat["pidx"].to_numpy(dtype=np.int64)[rows]
    m12[mp] = ckd_epi_2021(creat["AVAL"].to_numpy()[rows], age[mp] + 1, sex[mp])
    m12_day[mp] = creat["ADY"].to_numpy(dtype=float)[rows]
    both = ~np.isnan(base) & ~np.isnan(m12)
    idx = np.flatnonzero(both)
    return pd.DataFrame({
        "pidx": idx, "EGFR_BASE": base[idx], "EGFR_12M": m12[idx],
        "ADY_12M": m12_day[idx].astype(np.int64), "CHG": m12[idx] - base[idx],
        "PCHG": 100.0 * (m12[idx] - base[idx]) / base[idx],
        "DECL30FL": decline30(base[idx], m12[idx]),
    })

# --- derive/late_effects.py ---

def first_day(pidx, day, rows, n_patients: int) -> np.ndarray:
    """Per patient the earliest ``day`` among ``rows`` (NaN = none)."""
    first = np.full(n_patients, np.inf)
    np.minimum.at(first, np.asarray(pidx, dtype=np.int64)[rows], np.asarray(day, dtype=float)[rows])
    first[np.isinf(first)] = np.nan
    return first


def first_te_hematologic3_day(adlb: pd.DataFrame, n_patients: int) -> np.ndarray:
    """Step 1 on adlb.lab_rows rows flagged by treatment_emergent.flag_rows."""
    grade = adlb["ATOXGR"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        rows = (adlb["PARAMCD"].isin(HEMATOLOGIC_LAB_TESTS).to_numpy() & adlb["TRTEMFL"].to_numpy(dtype=bool)
                & adlb["ALATEFL"].to_numpy(dtype=bool) & (grade >= 3))
    return first_day(adlb["pidx"], adlb["date"], rows, n_patients)


# --- derive/layout.py, datasets.py ---

def stack_categorical(head: pd.Categorical, tail: np.ndarray) -> pd.Categorical:
    """Categorical of head's values followed by ``tail`` (object array, None = missing)."""
    tail_values, extra = pd.factorize(np.asarray(tail, dtype=object), use_na_sentinel=True)
    cats = pd.Index(sorted(set(np.asarray(head.categories, dtype=object)) | set(extra)), dtype=object)
    head_codes = np.where(head.codes < 0, -1, cats.get_indexer(np.asarray(head.categories, dtype=object))[
        np.maximum(head.codes, 0)] if len(head.categories) else -1)
    tail_codes = np.append(cats.get_indexer(np.asarray(extra, dtype=object)), -1)[tail_values]
    return pd.Categorical.from_codes(np.concatenate([head_codes, tail_codes]).astype(np.int64), cats)


EGFR_FLAGS = ("ABLFL", "APOSTFL", "ALATEFL")


def _adlb_with_egfr(adlb: pd.DataFrame, egfr_rows: pd.DataFrame) -> pd.DataFrame:
    egfr = pd.DataFrame({
        "pidx": egfr_rows["pidx"].to_numpy(), "PARAMCD": "EGFR", "date": egfr_rows["date"].to_numpy(),
        "ADY": egfr_rows["ADY"].to_numpy(), "AVAL": egfr_rows["EGFR"].to_numpy(),
        "AVALU": "mL/min/1.73m2", **{f: egfr_rows[f].to_numpy() for f in EGFR_FLAGS},
        "TRTEMFL": False, "RANGEDEF": False, "source_line": egfr_rows["source_line"].to_numpy(),
    })
    text = ["PARAMCD", "AVALU", "AVALU_ORIG"]   # categoricals: stacked on their codes
    out = pd.concat([adlb.drop(columns=text), egfr.drop(columns=text, errors="ignore")], ignore_index=True)
    for col in (*EGFR_FLAGS, "TRTEMFL", "RANGEDEF"):
        out[col] = yn(out[col].to_numpy())
    for col in sorted(text, key=adlb.columns.get_loc):
        tail = egfr[col].to_numpy(dtype=object) if col in egfr.columns else np.full(len(egfr), None)
        out.insert(adlb.columns.get_loc(col), col, stack_categorical(adlb[col].array, tail))
    for col in ("ATOXGR", "BTOXGR"):
        out[col] = out[col].astype("Int64")
    return out


# --- results/safety.py, treatment_emergent.py, kidney.py, egfr_slope.py, late_effects.py ---

def worst_lab_grades(adlb: pd.DataFrame, safety_ids: pd.Index, window: str = "APOSTFL",
                     emergent: bool = False) -> pd.DataFrame:
    """Patients x tests table of the worst grade in ``window`` (an ADLB Y/N flag; NA when the
    patient has no graded value there). ``emergent``: only treatment-emergent values count
    (ADLB TRTEMFL), a patient with values but none treatment-emergent has grade 0."""
    keep = (yes(adlb[window]).to_numpy() & adlb["ATOXGR"].notna().to_numpy()
            & adlb["PARAMCD"].isin(either_case(LAB_TESTS)).to_numpy())
    rows = adlb.loc[keep, ["USUBJID", "PARAMCD", "ATOXGR"] + (["TRTEMFL"] if emergent else [])]
    rows = rows.loc[members(rows["USUBJID"], safety_ids)]
    patient, patients = pd.factorize(rows["USUBJID"], sort=True)
    test = _test_codes(rows["PARAMCD"], {t: i for i, t in enumerate(LAB_TESTS)})
    grade = pd.to_numeric(rows["ATOXGR"]).to_numpy(dtype=float)
    if emergent:
        grade = np.where(yes(rows["TRTEMFL"]).to_numpy(), grade, 0.0)
    worst = np.full((len(patients), len(LAB_TESTS)), -1.0)
    np.maximum.at(worst, (patient, test), grade)
    return pd.DataFrame(np.where(worst < 0, np.nan, worst), index=pd.Index(patients, name="USUBJID"),
                        columns=list(LAB_TESTS))


def _test_codes(paramcd: pd.Series, test_index: dict) -> np.ndarray:
    """Test position of each PARAMCD, mapping the few distinct codes once."""
    codes, uniques = pd.factorize(paramcd)
    lookup = np.array([test_index[str(u).lower()] for u in uniques], dtype=np.int64)
    return lookup[codes]


def defaulted_ranges(adlb: pd.DataFrame) -> dict:
    """Per graded test: number of results whose reference range was a default (RANGEDEF Y)."""
    rows = adlb.loc[adlb["RANGEDEF"].astype("string").eq("Y").fillna(False).to_numpy()
                    & adlb["PARAMCD"].isin(either_case(LAB_TESTS)).to_numpy(), "PARAMCD"]
    counts = rows.astype(str).str.lower().value_counts()
    return {t: int(counts.get(t, 0)) for t in LAB_TESTS}


def baseline_grades(adlb: pd.DataFrame, safety_ids: pd.Index) -> pd.DataFrame:
    """Patients x tests baseline grade (BTOXGR of the ABLFL row; patients without one absent)."""
    keep = (yes(adlb["ABLFL"]).to_numpy() & adlb["ATOXGR"].notna().to_numpy()
            & adlb["PARAMCD"].isin(either_case(LAB_TESTS)).to_numpy())
    rows = adlb.loc[keep, ["USUBJID", "PARAMCD", "ATOXGR"]]
    rows = rows.loc[members(rows["USUBJID"], safety_ids)]
    table = rows.assign(PARAMCD=rows["PARAMCD"].astype(str).str.lower(),
                        ATOXGR=pd.to_numeric(rows["ATOXGR"]).astype(float))
    return table.pivot_table(index="USUBJID", columns="PARAMCD", values="ATOXGR", aggfunc="max") \
        .reindex(columns=list(LAB_TESTS))


def shift_tables(adlb: pd.DataFrame, safety_ids: pd.Index) -> dict:
    """{test: {baseline grade: {worst post-baseline grade: patients}}}, grades "0"-"4"."""
    worst = worst_lab_grades(adlb, safety_ids)
    base = baseline_grades(adlb, safety_ids).reindex(worst.index)
    out = {}
    for test in LAB_TESTS:
        has = worst[test].notna().to_numpy()
        w = worst[test].to_numpy()[has]
        b = np.nan_to_num(base[test].to_numpy(dtype=float)[has], nan=0.0)
        out[test] = {str(bg): {str(wg): int(((b == bg) & (w == wg)).sum()) for wg in GRADES} for bg in GRADES}
    return out


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


def slope_rows(adlb: pd.DataFrame, safety_ids: pd.Index) -> pd.DataFrame:
    """USUBJID, years, eGFR of the slope population (module doc)."""
    eg = adlb.loc[adlb["PARAMCD"].astype(str).str.upper().eq("EGFR").to_numpy() & adlb["AVAL"].notna().to_numpy()]
    eg = eg.loc[members(eg["USUBJID"], safety_ids)]
    base = yes(eg["ABLFL"]).to_numpy()
    later = yes(eg["ALATEFL"]).to_numpy() & (pd.to_numeric(eg["ADY"]).to_numpy() > 0)
    eg = eg.loc[base | later]
    has_base = set(eg.loc[yes(eg["ABLFL"]).to_numpy(), "USUBJID"])
    has_later = set(eg.loc[pd.to_numeric(eg["ADY"]).to_numpy() > 0, "USUBJID"])
    eg = eg.loc[eg["USUBJID"].isin(has_base & has_later).to_numpy()]
    return pd.DataFrame({"USUBJID": eg["USUBJID"].to_numpy(dtype=object),
                         "years": pd.to_numeric(eg["ADY"]).to_numpy(dtype=float) / DAYS_PER_YEAR,
                         "egfr": eg["AVAL"].to_numpy(dtype=float)})


def baseline_platelets(adlb: pd.DataFrame) -> pd.Series:
    """Per USUBJID the baseline platelet count (10^9/L, ADLB ABLFL)."""
    rows = adlb.loc[adlb["PARAMCD"].astype(str).str.lower().eq("platelets").to_numpy()
                    & yes(adlb["ABLFL"]).to_numpy(), ["USUBJID", "AVAL"]]
    return rows.groupby("USUBJID")["AVAL"].last()




# --- the assembly derive_all did, on the relations derive_all leaves on the engine ---

def derive_reference(engine, config) -> dict:
    """ADLB (as the dataset frame), the per-patient results and the counts by the pandas path,
    from the staged relations of a derive_all run on ``engine`` (prrt_labs, prrt_treatment,
    prrt_patients)."""
    labs = _frame(engine.arrow(
        "SELECT t.pidx, t.test, t.value, t.unit, t.lln, t.uln, t.value_original, t.unit_original, "
        "CAST(t.date AS DOUBLE) AS date, t.source_line FROM prrt_labs t ORDER BY t.pidx, t.test, t.date, t.source_line"))
    tr = engine.arrow("SELECT c1, last_cycle FROM prrt_treatment ORDER BY pidx")
    patients = engine.arrow("SELECT pidx, site_id, patient_id, sex, age FROM prrt_patients ORDER BY pidx").to_pandas()
    c1 = tr["c1"].to_numpy(zero_copy_only=False).astype(float)
    last = tr["last_cycle"].to_numpy(zero_copy_only=False).astype(float)
    sex = patients["sex"].to_numpy(dtype=object)
    age = patients["age"].to_numpy(dtype=float)
    n = len(patients)
    adlb = lab_rows(labs, c1, last, sex, baseline_window_days=config.labs.baseline_window_days,
                    window_days=config.safety.window_days)
    adlb = flag_rows(adlb)
    creat = adlb[(adlb["PARAMCD"] == "creatinine").to_numpy(dtype=bool)]
    series = egfr_series(creat, age, sex)
    ids = Ids(patients)
    frame = ids.attach(_adlb_with_egfr(adlb, series), ("PARAMCD", "date", "source_line")).pipe(with_dates, ["ADT"])
    safety_ids = pd.Index(ids.usubjid[~np.isnan(c1)])
    return {
        "adlb": frame,
        "worst_by_pidx": worst_grades(adlb, n),
        "egfr_change": egfr_change(creat, n, age, sex),
        "renal_decline_day": renal_decline_day(series[(series["ABLFL"] | series["ALATEFL"]).to_numpy(dtype=bool)], n),
        "hem3_day": first_te_hematologic3_day(adlb, n),
        "worst": worst_lab_grades(frame, safety_ids),
        "te": worst_lab_grades(frame, safety_ids, "APOSTFL", emergent=True),
        "te_late": worst_lab_grades(frame, safety_ids, "ALATEFL", emergent=True),
        "baseline": baseline_grades(frame, safety_ids),
        "shift": shift_tables(frame, safety_ids),
        "defaulted": defaulted_ranges(frame),
        "trajectory": trajectory(frame, safety_ids),
        "slope_rows": slope_rows(frame, safety_ids),
        "baseline_platelets": baseline_platelets(frame),
    }
