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

from prrt_rwe.stats.rank import matrix_rank


# results-v1.md "reviewer-grade efficacy": liver3 factors, reference none.
FACTOR_LEVELS = {"liver_lesion3": ("none", "le30", "gt30"), "liver_burden3": ("none", "lt50", "ge50")}


def _is_text(values: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(values) or values.dtype == object


def factor_columns(values: pd.Series, name: str, levels, reference: str) -> pd.DataFrame:
    """0/1 columns for every level except the reference (values outside ``levels`` -> reference)."""
    s = values.astype("string")
    return pd.DataFrame({f"{name}[{lv}]": s.eq(lv).fillna(False).astype(float).to_numpy()
                         for lv in levels if lv != reference}, index=values.index)


def _levels_from_data(values: pd.Series, name: str, group_levels) -> bool:
    return not (name == "primary_group" and group_levels) and name not in FACTOR_LEVELS \
        and _is_text(values) and not pd.api.types.is_bool_dtype(values)


def observed_levels(frame: pd.DataFrame, covariates, group_levels=()) -> dict:
    """Per text covariate whose levels :func:`design` reads from the data: those levels."""
    return {name: sorted(frame[name].dropna().astype(str).unique()) for name in covariates
            if _levels_from_data(frame[name], name, group_levels)}


def design(frame: pd.DataFrame, covariates, group_levels=(), group_reference=None,
           levels: dict | None = None) -> pd.DataFrame:
    """Numeric (n, p) matrix of the covariates, columns named as results.json terms.
    ``levels``: the levels of a text covariate when the frame holds only part of the data
    (a site of a federated network: every site then builds the pooled columns)."""
    parts = []
    for name in covariates:
        values = frame[name]
        if name == "primary_group" and group_levels:
            parts.append(factor_columns(values, name, group_levels, group_reference))
        elif name in FACTOR_LEVELS:
            fixed = FACTOR_LEVELS[name]
            parts.append(factor_columns(values, name, fixed, fixed[0]))
        elif _levels_from_data(values, name, group_levels):
            levels_ = sorted((levels or {}).get(name) or values.dropna().astype(str).unique())
            parts.append(factor_columns(values, name, levels_, levels_[0] if levels_ else None))
        else:
            parts.append(pd.DataFrame({name: values.astype("Float64").astype(float).to_numpy()},
                                      index=values.index))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def aliased(X: pd.DataFrame) -> list[str]:
    """Columns that are a linear combination of an intercept and the columns before them (R
    reports their coefficients as NA: ``glm`` and ``coxph`` drop them in column order)."""
    # one matrix [1, X]; each trial's rank from its columns, a block of rows at a time (stats/rank.py)
    design = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)]) if len(X.columns) else None
    kept, out = [0], []
    for j, name in enumerate(X.columns, start=1):
        if matrix_rank(design, kept + [j]) == len(kept) + 1:
            kept.append(j)
        else:
            out.append(name)
    return out
