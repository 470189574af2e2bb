"""Kidney function: eGFR by CKD-EPI 2021 and its 12-month change.

Source: Inker et al., N Engl J Med 2021;385:1737-49 (CKD-EPI 2021 creatinine equation,
race-free); shared/spec/derivations.md "Kidney function".

eGFR = 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age x 1.012 [female],
Scr in mg/dL (umol/L / 88.42), k = 0.7 (F) / 0.9 (M), a = -0.241 (F) / -0.302 (M).

12-month change (:func:`egfr_change`):
1. Baseline eGFR = from the baseline creatinine (ADLB ABLFL, last value C1 - 30 d .. C1),
   age = age at C1.
2. 12-month eGFR = from the creatinine closest to day 365 within days 305-425 (both
   included), the earlier on ties; age = age + 1.
3. Decline >= 30 %: (baseline - 12 month) >= 0.30 x baseline; only patients with both values.

eGFR series (:func:`egfr_series`, ADLB EGFR rows, one per creatinine result; wave 2): age at
each value = age at C1 + (date - C1) / 365.25 (derivations.md "Treatment-emergent toxicity
and late effects").

Renal decline (:func:`renal_decline_day`, same section): the first of two consecutive
post-C1 eGFR values that each qualify; a value qualifies when it is at most 60 % of the
baseline eGFR (a fall of >= 40 %) or below 30 mL/min/1.73 m2, each value on its own; without
a baseline eGFR only the < 30 criterion applies; a qualifying last value alone is no event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.schema.units import CREATININE_UMOL_PER_MGDL

# CKD-EPI 2021 coefficients by sex: (kappa, alpha, sex factor).
CKD_EPI_2021 = {"F": (0.7, -0.241, 1.012), "M": (0.9, -0.302, 1.0)}
CKD_EPI_CONSTANT = 142.0
CKD_EPI_HIGH_EXPONENT = -1.200
CKD_EPI_AGE_BASE = 0.9938

# derivations.md "Kidney function": 12-month window and decline threshold.
TARGET_DAY = 365
WINDOW = (305, 425)
DECLINE_FRACTION = 0.30
DECLINE_TENTHS = 3  # the same threshold in tenths, compared exactly (no 0.3 rounding)
# Renal decline (wave 2): eGFR <= 6/10 of baseline, or below 30 mL/min/1.73 m2.
RENAL_DECLINE_TENTHS_OF_BASELINE = 6
RENAL_DECLINE_BELOW = 30.0
DAYS_PER_YEAR = 365.25


def decline30(base, m12) -> np.ndarray:
    """Step 3: (baseline - 12 month) >= 30 % of baseline, as 10 x drop >= 3 x baseline."""
    base = np.asarray(base, dtype=float)
    return 10 * (base - np.asarray(m12, dtype=float)) >= DECLINE_TENTHS * base


def ckd_epi_2021(creatinine_umol, age, sex) -> np.ndarray:
    """eGFR (mL/min/1.73 m2) from creatinine in umol/L, age in years, sex ``F``/``M``."""
    scr = np.asarray(creatinine_umol, dtype=float) / CREATININE_UMOL_PER_MGDL
    age = np.asarray(age, dtype=float)
    female = np.asarray(sex, dtype=object) == "F"
    kappa = np.where(female, CKD_EPI_2021["F"][0], CKD_EPI_2021["M"][0])
    alpha = np.where(female, CKD_EPI_2021["F"][1], CKD_EPI_2021["M"][1])
    factor = np.where(female, CKD_EPI_2021["F"][2], CKD_EPI_2021["M"][2])
    ratio = scr / kappa
    return (CKD_EPI_CONSTANT * np.minimum(ratio, 1.0) ** alpha
            * np.maximum(ratio, 1.0) ** CKD_EPI_HIGH_EXPONENT
            * CKD_EPI_AGE_BASE ** age * factor)


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
