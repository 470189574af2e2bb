"""Design matrices of the default models (derivations.md, "Default models").

A boolean covariate becomes one 0/1 column named bare (``krenning4``); a text covariate
one column per non-reference level named ``name[level]``. ``primary_group`` in the ORR
model is first reduced to the configured levels (default pancreas / hindgut / other,
reference other): every other group joins the reference. No intercept column: the
engines add their own where the model has one. The three-level liver factors of the
sensitivity models have their levels in :data:`FACTOR_LEVELS` (reference first); another text
covariate has its sorted levels, the first the reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


# results-v1.md "reviewer-grade efficacy": liver3 factors, reference none.
FACTOR_LEVELS = {"liver_lesion3": ("none", "le30", "gt30"), "liver_burden3": ("none", "lt50", "ge50")}


def _is_text(values: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(values) or values.dtype == object


def factor_columns(values: pd.Series, name: str, levels, reference: str) -> pd.DataFrame:
    """0/1 columns for every level except the reference (values outside ``levels`` -> reference)."""
    s = values.astype("string")
    return pd.DataFrame({f"{name}[{lv}]": s.eq(lv).fillna(False).astype(float).to_numpy()
                         for lv in levels if lv != reference}, index=values.index)


def design(frame: pd.DataFrame, covariates, group_levels=(), group_reference=None) -> pd.DataFrame:
    """Numeric (n, p) matrix of the covariates, columns named as results.json terms."""
    parts = []
    for name in covariates:
        values = frame[name]
        if name == "primary_group" and group_levels:
            parts.append(factor_columns(values, name, group_levels, group_reference))
        elif name in FACTOR_LEVELS:
            levels = FACTOR_LEVELS[name]
            parts.append(factor_columns(values, name, levels, levels[0]))
        elif _is_text(values) and not pd.api.types.is_bool_dtype(values):
            levels = sorted(values.dropna().astype(str).unique())
            parts.append(factor_columns(values, name, levels, levels[0] if levels else None))
        else:
            parts.append(pd.DataFrame({name: values.astype("Float64").astype(float).to_numpy()},
                                      index=values.index))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def aliased(X: pd.DataFrame) -> list[str]:
    """Columns that are a linear combination of an intercept and the columns before them (R
    reports their coefficients as NA: ``glm`` and ``coxph`` drop them in column order)."""
    kept = np.ones((len(X), 1))
    out = []
    for name in X.columns:
        trial = np.column_stack([kept, X[name].to_numpy(dtype=float)])
        if np.linalg.matrix_rank(trial) == trial.shape[1]:
            kept = trial
        else:
            out.append(name)
    return out
