"""results.json ``baseline`` (efficacy set): age, primary group, WHO grade, Krenning 4,
functioning tumours."""

from __future__ import annotations

import pandas as pd

PRIMARY_GROUPS = ("pancreas", "foregut", "midgut", "hindgut", "other")
WHO_GRADES = ("G1", "G2", "G3", "NEC")


def level_counts(values: pd.Series, levels: tuple[str, ...], missing: bool = True) -> dict:
    """Counts for each level in ``levels`` order, then ``missing`` when asked."""
    s = values.astype("string")
    out = {lv: int(s.eq(lv).fillna(False).sum()) for lv in levels}
    if missing:
        out["missing"] = int(s.isna().sum())
    return out


def true_count(values: pd.Series) -> int:
    """Number of true values of a nullable boolean column (missing not counted)."""
    return int(values.astype("boolean").fillna(False).sum())


def baseline(eff: pd.DataFrame) -> dict:
    age = pd.to_numeric(eff["age"], errors="coerce")
    return {
        "age_median": float(age.median()) if age.notna().any() else None,
        "primary_group": level_counts(eff["primary_group"], PRIMARY_GROUPS, missing=False),
        "who_grade": level_counts(eff["who_grade"], WHO_GRADES),
        "krenning4": true_count(eff["krenning4"]),
        "functioning": true_count(eff["functioning"]),
    }
