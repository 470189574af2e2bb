"""The one imputation model of the study (results-v1.md "Additions: missing data"): the raw
patients.csv columns the model covariates derive from, imputed together, then derived again.

1. Population: the response-evaluable patients (ADSL EVALFL).
2. Variables (mice's visit order) and methods, as mice's defaults choose them: numbers and
   counts by predictive mean matching, yes/no and sex by logistic regression, WHO grade
   (unordered) by multinomial regression (:data:`RAW`).
3. Logical rules first: liver_metastases empty but a burden > 0 or a lesion size recorded ->
   yes; liver_metastases = no -> burden and lesion size 0 and never imputed (the liver flags are
   true whatever the numbers, derivations.md); both numbers are imputed only for patients with
   liver metastases (observed or imputed).
4. Complete predictors beside the imputed ones (White & Royston 2009): confirmed response,
   the PFS event and its Nelson–Aalen cumulative hazard, primary group and the site (sites
   under ``min_site_n`` pooled as "other") as dummy columns.
5. A column missing for every patient is left out, unless a model covariate needs it (then
   multiple imputation cannot be done and says so).
6. Each completed data set is derived again with derive/baseline.py's own rules
   (ki67_lt10, krenning4, liver_burden_lt50, liver_lesion_le30).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.derive.baseline import LIVER_FLAGS, THRESHOLD_FLAGS, liver_flag, threshold_flag
from prrt_rwe.results.sites.site_groups import site_dummies
from prrt_rwe.stats.mice import ImputedVariable, Imputations, nelson_aalen_at

RAW = (("ki67_percent", "pmm"), ("krenning_score", "pmm"), ("liver_metastases", "logreg"),
       ("liver_tumor_burden_percent", "pmm"), ("largest_liver_lesion_mm", "pmm"),
       ("ssa_concomitant", "logreg"), ("who_grade", "polyreg"), ("functioning", "logreg"),
       ("prior_lines", "pmm"), ("ecog", "pmm"), ("age", "pmm"), ("sex", "logreg"))
LIVER = "liver_metastases"
LIVER_NUMBERS = ("liver_tumor_burden_percent", "largest_liver_lesion_mm")
BOOLEAN = ("liver_metastases", "ssa_concomitant", "functioning")
DERIVED_FROM = {**{flag: (col,) for flag, col, _, _ in THRESHOLD_FLAGS},
                **{flag: (LIVER, col) for flag, col, _, _ in LIVER_FLAGS},
                "primary_group": ()}


class ImputationModelError(ValueError):
    """Multiple imputation cannot be done on these data (the message says why)."""


@dataclass(frozen=True)
class ImputationInput:
    data: np.ndarray  # (n, k), NaN = missing; categorical as codes
    variables: tuple[ImputedVariable, ...]
    levels: dict  # categorical column -> labels of codes 0..K-1
    auxiliary: np.ndarray
    left_out: tuple[str, ...]  # raw columns missing for every patient (not needed)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)


def sources(covariate: str) -> tuple[str, ...]:
    """Raw columns a model covariate derives from (itself when it is recorded as is)."""
    return DERIVED_FROM.get(covariate, (covariate,))


def _encoded(frame: pd.DataFrame, name: str, levels: dict) -> np.ndarray:
    col = frame[name]
    if name == "sex":
        return np.where(col.isna(), np.nan, (col.astype("string") == "M").astype(float))
    if name == "who_grade":
        labels = tuple(sorted(col.dropna().astype(str).unique()))
        levels[name] = labels
        codes = col.astype("string").map({lv: i for i, lv in enumerate(labels)})
        return pd.to_numeric(codes, errors="coerce").to_numpy(dtype=float)
    return col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _liver_rules(values: dict) -> None:
    """Step 3 of the module doc, in place."""
    liver = values[LIVER]
    recorded = (values[LIVER_NUMBERS[0]] > 0) | ~np.isnan(values[LIVER_NUMBERS[1]])
    liver[np.isnan(liver) & recorded] = 1.0
    for name in LIVER_NUMBERS:
        values[name][liver == 0] = 0.0


def imputation_input(frame: pd.DataFrame, outcomes, needed: tuple[str, ...], min_site_n: int) -> ImputationInput:
    """The imputation model's data for the population ``frame`` (ADSL rows, aligned with
    ``outcomes``); ``needed`` = the raw columns the model covariates derive from."""
    levels: dict = {}
    values = {name: _encoded(frame, name, levels) for name, _ in RAW if name in frame.columns}
    if LIVER in values and all(n in values for n in LIVER_NUMBERS):
        _liver_rules(values)
    left_out = tuple(n for n, v in values.items() if np.isnan(v).all())
    for name in needed:
        if name in left_out:
            raise ImputationModelError(f"{name} is missing for every response-evaluable patient; "
                                       "there is nothing to impute it from")
    variables = []
    for name, method in RAW:
        if name not in values or name in left_out:
            continue
        k = len(levels.get(name, ())) if method == "polyreg" else 0
        if method == "polyreg" and k < 2:
            method, k = "pmm", 0  # a single recorded grade: nothing to choose between
        applies = (LIVER, 1.0) if name in LIVER_NUMBERS and LIVER in values else None
        variables.append(ImputedVariable(name, method, k, applies_when=applies))
    data = np.column_stack([values[v.name] for v in variables])
    groups = frame["primary_group"].astype("string").fillna("other").to_numpy()
    group_levels = sorted(set(groups))
    aux = [outcomes.response, outcomes.event, nelson_aalen_at(outcomes.days, outcomes.event)]
    aux += [(groups == g).astype(float) for g in group_levels[1:]]
    aux = np.column_stack(aux + [site_dummies(outcomes.site, min_site_n)])
    return ImputationInput(data, tuple(variables), levels, aux, left_out)


def completed_frame(frame: pd.DataFrame, inputs: ImputationInput, imp: Imputations, i: int) -> pd.DataFrame:
    """``frame`` with the raw columns of completed data set ``i`` and the covariates derived
    from them again (step 6 of the module doc)."""
    out = frame.copy()
    for j, name in enumerate(inputs.names):
        col = imp.completed[i, :, j]
        if name == "sex":
            out[name] = pd.array(np.where(col == 1, "M", "F"), dtype="str")
        elif name == "who_grade":
            out[name] = pd.array(np.asarray(inputs.levels[name], dtype=object)[col.astype(int)], dtype="str")
        elif name in BOOLEAN:
            out[name] = pd.array(col == 1, dtype="boolean")
        else:
            out[name] = col
    for flag, col, op, thr in THRESHOLD_FLAGS:
        out[flag] = threshold_flag(out[col], op, thr).array
    for flag, col, op, thr in LIVER_FLAGS:
        out[flag] = liver_flag(out[LIVER].astype("boolean"), out[col], op, thr).array
    return out
