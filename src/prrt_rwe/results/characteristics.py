"""Patient characteristics for Table 1 (safety and efficacy sets), as nested dicts that the
report renders and the ARD lists: categorical variables as counts by level (missing last),
continuous ones as median, quartiles (R ``quantile`` type 7) and number missing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.baseline import PRIMARY_GROUPS, WHO_GRADES

# (variable, label, kind, levels); kind: "continuous", "categorical" or "flag".
VARIABLES: tuple = (
    ("age", "Age, years", "continuous", None),
    ("sex", "Sex", "categorical", ("F", "M")),
    ("primary_group", "Primary tumour", "categorical", PRIMARY_GROUPS),
    ("who_grade", "WHO grade", "categorical", WHO_GRADES),
    ("ki67_percent", "Ki-67, %", "continuous", None),
    ("ki67_lt10", "Ki-67 < 10 %", "flag", None),
    ("krenning4", "Krenning score 4", "flag", None),
    ("liver_burden_lt50", "Liver tumour burden < 50 %", "flag", None),
    ("liver_lesion_le30", "Largest liver lesion <= 30 mm", "flag", None),
    ("functioning", "Functioning tumour", "flag", None),
    ("ecog", "ECOG performance status", "categorical", ("0", "1", "2", "3", "4")),
    ("prior_lines", "Prior systemic lines", "continuous", None),
    ("ssa_concomitant", "Concomitant SSA", "flag", None),
    ("n_cycles", "PRRT cycles", "continuous", None),
    ("cumulative_activity_gbq", "Cumulative activity, GBq", "continuous", None),
)


def continuous(values: pd.Series) -> dict:
    x = pd.to_numeric(values, errors="coerce").astype(float)
    present = x.dropna().to_numpy()
    if present.size == 0:
        return {"n": 0, "median": None, "q1": None, "q3": None, "missing": int(x.isna().sum())}
    q1, med, q3 = np.quantile(present, [0.25, 0.5, 0.75])
    return {"n": int(present.size), "median": float(med), "q1": float(q1), "q3": float(q3),
            "missing": int(x.isna().sum())}


def categorical(values: pd.Series, levels) -> dict:
    s = values.astype("string").str.replace(r"\.0$", "", regex=True)
    counts = {lv: int(s.eq(lv).fillna(False).sum()) for lv in levels}
    other = int((s.notna() & ~s.isin(levels)).sum())
    if other:
        counts["other values"] = other
    counts["missing"] = int(s.isna().sum())
    return counts


def flag(values: pd.Series) -> dict:
    b = values.astype("boolean")
    return {"yes": int(b.fillna(False).sum()), "no": int((~b).fillna(False).sum()),
            "missing": int(b.isna().sum())}


def describe(frame: pd.DataFrame) -> dict:
    """One entry per variable present in ``frame``."""
    out = {}
    for name, _label, kind, levels in VARIABLES:
        if name not in frame.columns:
            continue
        col = frame[name]
        out[name] = (continuous(col) if kind == "continuous"
                     else flag(col) if kind == "flag" else categorical(col, levels))
    return out


def characteristics(safety: pd.DataFrame, efficacy: pd.DataFrame) -> dict:
    """Table 1 blocks: the two analysis sets, and the safety set by primary tumour group."""
    groups = safety["primary_group"].astype("string")
    by_group = {g: {"N": int(groups.eq(g).sum()), "variables": describe(safety[groups.eq(g).fillna(False)])}
                for g in PRIMARY_GROUPS}
    return {"safety": {"N": len(safety), "variables": describe(safety)},
            "efficacy": {"N": len(efficacy), "variables": describe(efficacy)},
            "by_primary_group": by_group}
