"""The one imputation model of the study (results-v1.md "Additions: missing data"): the raw
patients.csv columns the model covariates derive from, imputed together, then derived again.

1. Population: the response-evaluable patients (ADSL EVALFL).
2. Variables (:data:`RAW`, mice's visit order) and methods, as mice's defaults choose them:
   numbers and counts by predictive mean matching, yes/no and sex by logistic regression, WHO
   grade (unordered) by multinomial regression.
3. A number the models use through a threshold (derive/baseline.py: Ki-67 < 10 %, Krenning
   score 4, liver burden < 50 %, largest lesion ≤ 30 mm) is imputed in two steps: the threshold
   flag first, by logistic regression on everything else but the number, then the number by
   predictive mean matching among the patients on the same side of the threshold. The flag the
   model sees is then imputed by a model compatible with the analysis (White & Royston 2009);
   imputing the number alone by a linear model on the outcome biases its hazard ratio towards 1
   (shown in benchmarks/bench_mi.py).
4. Logical rules first: liver_metastases empty but a burden > 0 or a lesion size recorded ->
   yes; liver_metastases = no -> burden and lesion size 0 and their flags true, never imputed
   (derivations.md); both numbers and their flags are imputed only for patients with liver
   metastases (observed or imputed).
5. Complete predictors beside the imputed ones: confirmed response, the PFS event and its
   Nelson–Aalen cumulative hazard (White & Royston 2009), primary group and the site (sites
   under ``min_site_n`` pooled as "other") as dummy columns.
6. A column missing for every patient is left out, unless a model covariate needs it (then
   multiple imputation cannot be done and says so).
7. Each completed data set is derived again with derive/baseline.py's own rules.
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
LIVER_NUMBERS = tuple(col for _, col, _, _ in LIVER_FLAGS)
FLAG_OF = {col: flag for flag, col, _, _ in THRESHOLD_FLAGS + LIVER_FLAGS}  # number -> its flag
BOOLEAN = ("liver_metastases", "ssa_concomitant", "functioning", *FLAG_OF.values())
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
    """Step 4 of the module doc, in place."""
    liver = values[LIVER]
    recorded = (values[LIVER_NUMBERS[0]] > 0) | ~np.isnan(values[LIVER_NUMBERS[1]])
    liver[np.isnan(liver) & recorded] = 1.0
    for name in LIVER_NUMBERS:
        values[name][liver == 0] = 0.0
        values[FLAG_OF[name]][liver == 0] = 1.0


def _flags(frame: pd.DataFrame, values: dict) -> None:
    """The threshold flags of the recorded numbers (derive/baseline.py), after the liver rules."""
    liver = pd.Series(values[LIVER], index=frame.index).map({1.0: True, 0.0: False}).astype("boolean") \
        if LIVER in values else None
    for flag, col, op, thr in THRESHOLD_FLAGS + LIVER_FLAGS:
        if col not in values:
            continue
        number = pd.Series(values[col], index=frame.index)
        derived = (threshold_flag(number, op, thr) if col not in LIVER_NUMBERS or liver is None
                   else liver_flag(liver, number, op, thr))
        values[flag] = derived.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _variables(values: dict, levels: dict) -> list[ImputedVariable]:
    """Step 2-4: the variables in visit order, each flag just before its number."""
    out = []
    for name, method in RAW:
        if name not in values:
            continue
        applies = (LIVER, 1.0) if name in LIVER_NUMBERS and LIVER in values else None
        flag = FLAG_OF.get(name)
        if flag in values:
            out.append(ImputedVariable(flag, "logreg", applies_when=applies, otherwise=1.0, exclude=(name,)))
        k = len(levels.get(name, ())) if method == "polyreg" else 0
        if method == "polyreg" and k < 2:
            method, k = "pmm", 0  # a single recorded grade: nothing to choose between
        out.append(ImputedVariable(name, method, k, applies_when=applies,
                                   within=flag if flag in values else None))
    return out


def imputation_input(frame: pd.DataFrame, outcomes, needed: tuple[str, ...], min_site_n: int) -> ImputationInput:
    """The imputation model's data for the population ``frame`` (ADSL rows, aligned with
    ``outcomes``); ``needed`` = the raw columns the model covariates derive from."""
    levels: dict = {}
    values = {name: _encoded(frame, name, levels) for name, _ in RAW if name in frame.columns}
    _flags(frame, values)
    if LIVER in values and all(n in values for n in LIVER_NUMBERS):
        _liver_rules(values)
    left_out = tuple(n for n, _ in RAW if n in values and np.isnan(values[n]).all())
    for name in needed:
        if name in left_out:
            raise ImputationModelError(f"{name} is missing for every response-evaluable patient; "
                                       "there is nothing to impute it from")
    for name in left_out:
        values.pop(name)
        values.pop(FLAG_OF.get(name), None)
    variables = _variables(values, levels)
    data = np.column_stack([values[v.name] for v in variables])
    groups = frame["primary_group"].astype("string").fillna("other").to_numpy()
    group_levels = sorted(set(groups))
    aux = [outcomes.response, outcomes.event, nelson_aalen_at(outcomes.days, outcomes.event)]
    aux += [(groups == g).astype(float) for g in group_levels[1:]]
    aux = np.column_stack(aux + [site_dummies(outcomes.site, min_site_n)])
    return ImputationInput(data, tuple(variables), levels, aux, left_out)


def completed_frame(frame: pd.DataFrame, inputs: ImputationInput, imp: Imputations, i: int) -> pd.DataFrame:
    """``frame`` with the raw columns of completed data set ``i`` and the covariates derived
    from them again (step 7 of the module doc)."""
    out = frame.copy()
    for j, name in enumerate(inputs.names):
        if name in FLAG_OF.values():
            continue  # derived again below, from the number
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
