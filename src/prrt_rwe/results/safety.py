"""results.json ``safety`` (safety set): worst post-baseline CTCAE v5.0 grade from
laboratory values (ADLB) beside the clinician-reported adverse events (ADAE)
(derivations.md, "Laboratory toxicity"). Rates use the safety N as denominator; the
``worst_grade`` tables count patients with at least one graded post-baseline value.
The lab grades are the per-patient results the engine derived from ADLB
(derive/lab_results.py ``LabResults``), never the lab rows.
"""

from __future__ import annotations

import pandas as pd

from prrt_rwe.results.populations import members
from prrt_rwe.results.proportion import proportion

LAB_TESTS = ("platelets", "neutrophils", "wbc", "lymphocytes", "hemoglobin", "creatinine")
HEMATOLOGIC_TESTS = ("platelets", "neutrophils", "wbc", "hemoglobin")  # lymphocytes apart
RENAL_TESTS = ("creatinine",)
GRADES = (0, 1, 2, 3, 4)


# (window ADLB flag, treatment-emergent only) -> LabResults table
_TABLES = {("APOSTFL", False): "worst", ("APOSTFL", True): "te", ("ALATEFL", True): "te_late"}


def worst_lab_grades(labs, safety_ids: pd.Index, window: str = "APOSTFL",
                     emergent: bool = False) -> pd.DataFrame:
    """Patients x tests table of the worst grade in ``window`` (ADLB APOSTFL or ALATEFL; NaN when
    the patient has no graded value there) of the patients of ``safety_ids``. ``emergent``: only
    treatment-emergent values count (ADLB TRTEMFL), a patient with values but none
    treatment-emergent has grade 0."""
    table = getattr(labs, _TABLES[(window, emergent)])
    return table.loc[members(table.index.to_series(), safety_ids)].reindex(columns=list(LAB_TESTS))


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


def safety(labs, adae, egfr_change, safety_ids: pd.Index) -> dict:
    N = len(safety_ids)
    worst = worst_lab_grades(labs, safety_ids)
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


def defaulted_ranges(labs) -> dict:
    """Per graded test: number of results whose reference range was a default (RANGEDEF Y)."""
    return {t: int(labs.defaulted.get(t, 0)) for t in LAB_TESTS}


def lab_grade3plus_rate(worst_grade: dict, test: str, N: int) -> dict:
    """Grade 3-4 rate of one test from the worst-grade counts (e.g. NETTER-1's neutropenia)."""
    counts = worst_grade[test]
    return proportion(counts["3"] + counts["4"], N)
