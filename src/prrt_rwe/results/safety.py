"""results.json ``safety`` (safety set): worst post-baseline CTCAE v5.0 grade from
laboratory values (ADLB) beside the clinician-reported adverse events (ADAE)
(derivations.md, "Laboratory toxicity"). Rates use the safety N as denominator; the
``worst_grade`` tables count patients with at least one graded post-baseline value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.populations import either_case, members
from prrt_rwe.results.proportion import proportion

LAB_TESTS = ("platelets", "neutrophils", "wbc", "lymphocytes", "hemoglobin", "creatinine")
HEMATOLOGIC_TESTS = ("platelets", "neutrophils", "wbc", "hemoglobin")  # lymphocytes apart
RENAL_TESTS = ("creatinine",)
GRADES = (0, 1, 2, 3, 4)


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


def grade_counts(worst: pd.DataFrame) -> dict:
    """Per test: patients by worst grade 0-4 (patients with a graded value only)."""
    return {t: {str(g): int(worst[t].eq(g).sum()) for g in GRADES} for t in LAB_TESTS}


def patients_with(worst: pd.DataFrame, tests, min_grade: int = 3) -> int:
    return int((worst[list(tests)] >= min_grade).any(axis=1).sum())


def ae_patients(adae: pd.DataFrame, safety_ids: pd.Index, flag: str, min_grade: int) -> int:
    """Patients with a treatment-emergent event of the ``flag`` term list and grade >= min."""
    grade = pd.to_numeric(adae["AETOXGR"], errors="coerce")
    keep = (adae["TRTEMFL"].astype("string").eq("Y").fillna(False)
            & adae[flag].astype("string").eq("Y").fillna(False) & grade.ge(min_grade).fillna(False))
    rows = adae.loc[keep.to_numpy(dtype=bool), "USUBJID"]
    return int(rows.loc[members(rows, safety_ids)].nunique())


def yes(values: pd.Series) -> pd.Series:
    """True where a flag is ``Y`` (string) or True (boolean)."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean").fillna(False).astype(bool)
    return values.astype("string").eq("Y").fillna(False).astype(bool)


def egfr_decline(egfr_change: pd.DataFrame | None, safety_ids: pd.Index) -> dict:
    """Share with a >= 30 % eGFR decline at 12 months among patients with both values
    (derive/kidney ``egfr_change``: EGFR_BASE, EGFR_12M, DECL30FL)."""
    if egfr_change is None or len(egfr_change) == 0:
        return proportion(0, 0)
    rows = egfr_change.loc[members(egfr_change["USUBJID"], safety_ids)]
    both = rows["EGFR_BASE"].notna() & rows["EGFR_12M"].notna()
    return proportion(int(yes(rows.loc[both, "DECL30FL"]).sum()), int(both.sum()))


def lab_rates(worst: pd.DataFrame, N: int) -> dict:
    """Haematologic and renal grade >= 3 rates (of the safety N) and the worst-grade counts."""
    return {"hematologic_grade3plus": proportion(patients_with(worst, HEMATOLOGIC_TESTS), N),
            "renal_grade3plus": proportion(patients_with(worst, RENAL_TESTS), N),
            "worst_grade": grade_counts(worst)}


def safety(adlb, adae, egfr_change, safety_ids: pd.Index) -> dict:
    N = len(safety_ids)
    worst = worst_lab_grades(adlb, safety_ids)
    return {
        "N": N,
        "lab": {
            **lab_rates(worst, N),
            "egfr_decline30_12m": egfr_decline(egfr_change, safety_ids),
        },
        "ae": {
            "hematologic_grade3plus": proportion(ae_patients(adae, safety_ids, "HEMFL", 3), N),
            "renal_grade3plus": proportion(ae_patients(adae, safety_ids, "RENALFL", 3), N),
            "mds_aml": proportion(ae_patients(adae, safety_ids, "MDSAMLFL", 1), N),
        },
    }


def defaulted_ranges(adlb: pd.DataFrame) -> dict:
    """Per graded test: number of results whose reference range was a default (RANGEDEF Y)."""
    rows = adlb.loc[adlb["RANGEDEF"].astype("string").eq("Y").fillna(False).to_numpy()
                    & adlb["PARAMCD"].isin(either_case(LAB_TESTS)).to_numpy(), "PARAMCD"]
    counts = rows.astype(str).str.lower().value_counts()
    return {t: int(counts.get(t, 0)) for t in LAB_TESTS}


def lab_grade3plus_rate(worst_grade: dict, test: str, N: int) -> dict:
    """Grade 3-4 rate of one test from the worst-grade counts (e.g. NETTER-1's neutropenia)."""
    counts = worst_grade[test]
    return proportion(counts["3"] + counts["4"], N)
