"""ADAE: clinician-reported adverse events with the term-list flags.

Source: shared/spec/derivations.md "Laboratory toxicity" (AE-based rates); CTCAE v5.0 terms.
Steps of :func:`ae_rows`:
1. Keep events of safety-set patients; ASTDY = onset - C1.
2. TRTEMFL = onset strictly after C1.
3. HEMFL / RENALFL / MDSAMLFL = term (trimmed, case-insensitive) in the term lists below.
4. CTCAEVER = recorded version (default 5.0); v4.03 grades are used as given.
Per-patient flags (:func:`patient_flags`): hematologic and renal = a TRTEMFL event of the
list with grade >= 3; mds_aml = a TRTEMFL event of the list of any grade.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# derivations.md term lists (CTCAE terms, matched case-insensitively).
HEMATOLOGIC_TERMS = ("Anemia", "Platelet count decreased", "Neutrophil count decreased",
                     "White blood cell decreased", "Febrile neutropenia")
RENAL_TERMS = ("Acute kidney injury", "Chronic kidney disease", "Creatinine increased")
MDS_AML_TERMS = ("Myelodysplastic syndrome", "Acute myeloid leukemia",
                 "Leukemia secondary to oncology chemotherapy")
# (flag, terms, minimum grade for the patient-level rate)
AE_FLAGS = (("HEMFL", HEMATOLOGIC_TERMS, 3), ("RENALFL", RENAL_TERMS, 3), ("MDSAMLFL", MDS_AML_TERMS, 1))
DEFAULT_CTCAE_VERSION = "5.0"


def _in_terms(terms: np.ndarray, listed: tuple[str, ...]) -> np.ndarray:
    norm = pd.Series(terms, dtype="str").str.strip().str.lower()
    return norm.isin([t.lower() for t in listed]).to_numpy()


def ae_rows(ae: pd.DataFrame, c1) -> pd.DataFrame:
    """ADAE rows (module steps 1-4) with pidx; onset as day number ``date``."""
    c1 = np.asarray(c1, dtype=float)
    pidx_all = ae["pidx"].to_numpy(dtype=np.int64)
    keep = ~np.isnan(c1[pidx_all])
    a = ae.loc[keep].reset_index(drop=True)
    pidx = a["pidx"].to_numpy(dtype=np.int64)
    onset = a["onset_date"].to_numpy(dtype=float)
    term = a["term"].to_numpy(dtype=object)
    version = a["ctcae_version"].astype("object").to_numpy()
    out = pd.DataFrame({
        "pidx": pidx, "AETERM": pd.array(term, dtype="str"), "date": onset,
        "ASTDY": (onset - c1[pidx]).astype(np.int64),
        "AETOXGR": a["grade"].astype("Int64").array,
        "CTCAEVER": pd.array(np.where(pd.isna(version), DEFAULT_CTCAE_VERSION, version), dtype="str"),
        "AESER": a["serious"].astype("boolean").array,
        "source_line": a["source_line"].to_numpy(),
    })
    out["TRTEMFL"] = onset > c1[pidx]
    for flag, terms, _ in AE_FLAGS:
        out[flag] = _in_terms(term, terms)
    return out


def patient_flags(adae: pd.DataFrame, n_patients: int) -> dict[str, np.ndarray]:
    """Per patient booleans AEHEM3FL, AERENAL3FL, AEMDSAMLFL (module rate rules)."""
    names = {"HEMFL": "AEHEM3FL", "RENALFL": "AERENAL3FL", "MDSAMLFL": "AEMDSAMLFL"}
    pidx = adae["pidx"].to_numpy(dtype=np.int64)
    grade = adae["AETOXGR"].to_numpy(dtype=float, na_value=np.nan)
    out = {}
    for flag, _, min_grade in AE_FLAGS:
        rows = adae[flag].to_numpy() & adae["TRTEMFL"].to_numpy() & (grade >= min_grade)
        hit = np.zeros(n_patients, dtype=bool)
        hit[pidx[rows]] = True
        out[names[flag]] = hit
    return out
