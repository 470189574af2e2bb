"""Kidney function: eGFR by CKD-EPI 2021 and its 12-month change.

Source: Inker et al., N Engl J Med 2021;385:1737-49 (CKD-EPI 2021 creatinine equation,
race-free); shared/spec/derivations.md "Kidney function".

eGFR = 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age x 1.012 [female],
Scr in mg/dL (umol/L / 88.42), k = 0.7 (F) / 0.9 (M), a = -0.241 (F) / -0.302 (M).

The rules below run in the engine (derive/relational/kidney.py, :func:`ckd_epi_2021`'s equation
written once as SQL); this module holds the equation, its coefficients and the thresholds.

12-month change:
1. Baseline eGFR = from the baseline creatinine (ADLB ABLFL, last value C1 - 30 d .. C1),
   age = age at C1.
2. 12-month eGFR = from the creatinine closest to day 365 within days 305-425 (both
   included), the earlier on ties; age = age + 1.
3. Decline >= 30 %: (baseline - 12 month) >= 0.30 x baseline; only patients with both values.

eGFR series (ADLB EGFR rows, one per creatinine result; wave 2): age at
each value = age at C1 + (date - C1) / 365.25 (derivations.md "Treatment-emergent toxicity
and late effects").

Renal decline (same section): the first of two consecutive
post-C1 eGFR values that each qualify; a value qualifies when it is at most 60 % of the
baseline eGFR (a fall of >= 40 %) or below 30 mL/min/1.73 m2, each value on its own; without
a baseline eGFR only the < 30 criterion applies; a qualifying last value alone is no event.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
    return (CKD_EPI_CONSTANT * c_pow(np.minimum(ratio, 1.0), alpha)
            * c_pow(np.maximum(ratio, 1.0), CKD_EPI_HIGH_EXPONENT)
            * c_pow(CKD_EPI_AGE_BASE, age) * factor)


def c_pow(base, exponent) -> np.ndarray:
    """``base ** exponent`` element-wise by the C library's pow, as DuckDB's, PostgreSQL's and
    our Spark UDF's power(): numpy's ``**`` takes SIMD approximations on AVX-512 machines that
    differ from it in the last bit, so the same data would give another eGFR on another CPU."""
    base, exponent = np.broadcast_arrays(np.asarray(base, dtype=float), np.asarray(exponent, dtype=float))
    out = pc.power(pa.array(base.ravel()), pa.array(exponent.ravel()))
    return out.to_numpy(zero_copy_only=False).reshape(base.shape)
