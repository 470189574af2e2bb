"""ADSL covariates: one row per enrolled patient (derivations.md "Baseline covariates").

Steps of :func:`baseline_covariates`:
1. Treatment dates from cycles: TRTSDT = C1 = earliest cycle date, TRTEDT = latest;
   n_cycles = number of cycle rows, cumulative_activity_gbq = their summed activity
   (0 cycles: C1 missing, n_cycles 0, activity 0); activity_c1_gbq = activity of the first
   cycle (the earliest-dated row, lowest cycle number on a tie; missing without cycles).
2. primary_group from primary_site by :data:`PRIMARY_GROUPS`.
3. ki67_lt10 = ki67_percent < 10; krenning4 = krenning_score == 4 (missing stays missing).
4. Liver flags by :func:`liver_flag`: true when liver_metastases = no whatever the numbers;
   otherwise (yes or empty) the threshold on the number, missing when the number is missing.
5. Recorded covariates (ssa_concomitant, functioning, ecog, age, sex, who_grade,
   prior_lines, bone_metastases, prior_ssa) are copied as recorded.
6. Three-level liver factors for the sensitivity models (results-v1.md "reviewer-grade
   efficacy"): liver_lesion3 = none (liver_metastases = no) / le30 / gt30 and liver_burden3 =
   none / lt50 / ge50, the thresholds of step 4 on the number otherwise (missing when it is).
7. months_diagnosis_to_c1 = (C1 - diagnosis_date) / 30.4375 (missing without either date).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.derive.source import Registry

# derivations.md "Baseline covariates", primary_group.
PRIMARY_GROUPS: dict[str, str] = {
    "pancreas": "pancreas",
    "stomach": "foregut", "duodenum": "foregut",
    "small_intestine": "midgut", "appendix": "midgut", "cecum": "midgut",
    "colon": "hindgut", "rectum": "hindgut",
    "lung": "other", "thymus": "other", "unknown": "other", "other": "other",
}
GROUP_ORDER = ("pancreas", "foregut", "midgut", "hindgut", "other")

# derivations.md "Baseline covariates": (flag, source column, operator, threshold).
THRESHOLD_FLAGS = (
    ("ki67_lt10", "ki67_percent", "<", 10.0),
    ("krenning4", "krenning_score", "==", 4),
)
# Liver flags: (flag, source column, operator, threshold), rule of liver_flag.
LIVER_FLAGS = (
    ("liver_burden_lt50", "liver_tumor_burden_percent", "<", 50.0),
    ("liver_lesion_le30", "largest_liver_lesion_mm", "<=", 30.0),
)

# Step 6: (factor, its two-level flag, level when true, level when false).
LIVER_FACTORS = (
    ("liver_burden3", "liver_burden_lt50", "lt50", "ge50"),
    ("liver_lesion3", "liver_lesion_le30", "le30", "gt30"),
)
NO_LIVER_LEVEL = "none"
DAYS_PER_MONTH = 30.4375

_OPS = {"<": np.less, "<=": np.less_equal, "==": np.equal}

RECORDED = ("age", "sex", "primary_site", "who_grade", "ki67_percent", "krenning_score",
            "ssa_concomitant", "functioning", "ecog", "prior_lines", "liver_metastases",
            "liver_tumor_burden_percent", "largest_liver_lesion_mm", "bone_metastases", "prior_ssa")


def threshold_flag(values: pd.Series, op: str, threshold: float) -> pd.Series:
    """Nullable boolean ``values <op> threshold``; missing values give a missing flag."""
    num = pd.to_numeric(values, errors="coerce").astype("float64")
    out = pd.Series(_OPS[op](num.to_numpy(), threshold), index=values.index, dtype="boolean")
    out[num.isna().to_numpy()] = pd.NA
    return out


def liver_flag(liver_metastases: pd.Series, values: pd.Series, op: str, threshold: float) -> pd.Series:
    """derivations.md liver_burden_lt50 / liver_lesion_le30.

    1. liver_metastases = no -> true, whatever the number.
    2. liver_metastases = yes or empty -> number <op> threshold.
    3. ... and missing when the number is missing.
    """
    flag = threshold_flag(values, op, threshold)
    no_liver = (liver_metastases.astype("boolean") == False).fillna(False).to_numpy()  # noqa: E712
    flag[no_liver] = True
    return flag


def liver_factor(liver_metastases: pd.Series, flag: pd.Series, true_level: str, false_level: str
                 ) -> pd.Series:
    """Step 6: ``none`` without liver metastases, else the flag's level (missing stays missing)."""
    b = flag.astype("boolean")
    out = pd.Series(np.where(b.fillna(False).to_numpy(dtype=bool), true_level, false_level),
                    index=flag.index, dtype=object)
    out[b.isna().to_numpy()] = None
    out[(liver_metastases.astype("boolean") == False).fillna(False).to_numpy()] = NO_LIVER_LEVEL  # noqa: E712
    return out


def baseline_covariates(reg: Registry, treat: pd.DataFrame) -> pd.DataFrame:
    """ADSL covariate block in pidx order (see module steps); ``treat``: step 1, per patient
    (derive/relational/treatment.py: TRTSDT_D, TRTEDT_D, n_cycles, cumulative_activity_gbq,
    activity_c1_gbq)."""
    p = reg.patients
    out = pd.DataFrame({"pidx": p["pidx"].to_numpy()})
    for col in RECORDED:
        out[col] = p[col].array
    for col in ("ssa_concomitant", "functioning", "liver_metastases", "bone_metastases", "prior_ssa"):
        out[col] = p[col].astype("boolean").array
    for col in ("krenning_score", "ecog", "prior_lines"):
        out[col] = p[col].astype("Int64").array
    out["primary_group"] = p["primary_site"].map(PRIMARY_GROUPS).to_numpy()
    for flag, col, op, thr in THRESHOLD_FLAGS:
        out[flag] = threshold_flag(p[col], op, thr).array
    for flag, col, op, thr in LIVER_FLAGS:
        out[flag] = liver_flag(p["liver_metastases"], p[col], op, thr).array
    for factor, flag, yes, no in LIVER_FACTORS:
        out[factor] = liver_factor(p["liver_metastases"], out[flag], yes, no).to_numpy()
    for col in treat.columns:
        out[col] = treat[col].to_numpy()
    out["months_diagnosis_to_c1"] = (treat["TRTSDT_D"].to_numpy()
                                     - p["diagnosis_date"].to_numpy(dtype=float)) / DAYS_PER_MONTH
    for col in ("next_therapy_date", "last_contact_date", "death_date"):
        out[col + "_D"] = p[col].to_numpy(dtype=float)
    return out
