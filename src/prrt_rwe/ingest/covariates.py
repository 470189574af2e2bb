"""Missing model covariates (W104), per patients row and per covariate.

The covariates are schema MODEL_COVARIATES. liver_tumor_burden_percent and
largest_liver_lesion_mm are not missing when liver_metastases = no (derivations.md: the
liver flags are then true whatever the numbers). A covariate column absent from the file is
one W104 on line 1.
"""

from __future__ import annotations

import numpy as np

from prrt_rwe.ingest.issues import Issue, file_issue, row_issues
from prrt_rwe.ingest.parse import ParsedTable
from prrt_rwe.schema.registry_v1 import MODEL_COVARIATES

LIVER_SIZE = ("liver_tumor_burden_percent", "largest_liver_lesion_mm")


def missing_covariates(patients: ParsedTable) -> dict[str, np.ndarray]:
    """Covariate -> boolean mask of patients rows where it is missing."""
    v = patients.values
    no_liver = (v["liver_metastases"] == False).fillna(False).to_numpy(bool)
    out = {}
    for name in MODEL_COVARIATES:
        missing = v[name].isna().to_numpy(bool)
        if name in LIVER_SIZE:
            missing = missing & ~no_liver
        out[name] = missing
    return out


def covariate_issues(patients: ParsedTable) -> list[Issue]:
    """W104 for each missing covariate (the whole column once when absent)."""
    raw = patients.raw
    issues: list[Issue] = []
    rejected = {c: ~raw.empty(c) for c in MODEL_COVARIATES}
    for name, missing in missing_covariates(patients).items():
        if not raw.has(name):
            issues.append(file_issue(raw.file, raw.name, "W104",
                                     f"model covariate column '{name}' absent: missing for every patient",
                                     column=name))
            continue
        issues += row_issues(raw, missing & ~rejected[name], name, "W104",
                             f"model covariate '{name}' missing")
    return issues
