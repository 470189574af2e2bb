"""Small hand-made populations for the results-level tests: ADSL-like rows with the columns
the missing-data, confounding and site analyses read, and their outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.patient_outcomes import PatientOutcomes


def cohort(n: int = 240, sites: int = 8, seed: int = 5, **overrides) -> PatientOutcomes:
    """A registry-like population (binary covariates as derive writes them, raw columns too)."""
    rng = np.random.default_rng(seed)
    site = np.array([f"S{1 + (i % sites):02d}" for i in range(n)])
    ki67 = np.round(np.exp(rng.normal(np.log(7), 0.8, n)), 1)
    liver = rng.uniform(size=n) < 0.7
    burden = np.where(liver, np.round(rng.uniform(1, 90, n)), 0.0)
    lesion = np.where(liver, np.round(rng.gamma(3, 10, n)), np.nan)
    krenning = rng.choice([2, 3, 4], n, p=[0.1, 0.4, 0.5])
    ssa = rng.uniform(size=n) < 0.45
    frame = pd.DataFrame({
        "USUBJID": [f"{s}-{i:04d}" for i, s in enumerate(site)], "SITEID": site,
        "age": rng.integers(35, 85, n), "sex": pd.array(np.where(rng.uniform(size=n) < 0.45, "F", "M"), dtype="str"),
        "primary_group": pd.array(rng.choice(["pancreas", "midgut", "hindgut", "other"], n), dtype="str"),
        "who_grade": pd.array(rng.choice(["G1", "G2", "G3", "NEC"], n, p=[0.3, 0.55, 0.1, 0.05]), dtype="str"),
        "ki67_percent": ki67, "ki67_lt10": pd.array(ki67 < 10, dtype="boolean"),
        "krenning_score": pd.array(krenning, dtype="Int64"), "krenning4": pd.array(krenning == 4, dtype="boolean"),
        "liver_metastases": pd.array(liver, dtype="boolean"),
        "liver_tumor_burden_percent": burden, "largest_liver_lesion_mm": lesion,
        "liver_burden_lt50": pd.array(~liver | (burden < 50), dtype="boolean"),
        "liver_lesion_le30": pd.array(~liver | (lesion <= 30), dtype="boolean"),
        "ssa_concomitant": pd.array(ssa, dtype="boolean"),
        "functioning": pd.array(rng.uniform(size=n) < 0.3, dtype="boolean"),
        "ecog": pd.array(rng.integers(0, 3, n), dtype="Int64"), "prior_lines": pd.array(rng.poisson(0.8, n), dtype="Int64"),
    })
    for col, values in overrides.items():
        frame[col] = values
    lp = -0.6 * frame["ki67_lt10"].astype(float) - 0.5 * frame["liver_lesion_le30"].astype(float)
    days = np.ceil(rng.exponential(600 * np.exp(-lp))).astype(float)
    cens = rng.uniform(100, 2000, n)
    event = (days <= cens).astype(float)
    response = (rng.uniform(size=n) < 0.25 + 0.2 * (frame["primary_group"] == "pancreas")).astype(float)
    return PatientOutcomes(frame, response, np.minimum(days, np.ceil(cens)), event)


def with_missing(outcomes: PatientOutcomes, columns, rows) -> PatientOutcomes:
    """``columns`` (a raw column and what derives from it) set missing in ``rows``."""
    frame = outcomes.frame.copy()
    for column in [columns] if isinstance(columns, str) else columns:
        frame.loc[list(rows), column] = None
    return PatientOutcomes(frame, outcomes.response, outcomes.days, outcomes.event)
