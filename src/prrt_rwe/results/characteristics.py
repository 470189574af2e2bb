"""Patient characteristics for Table 1 (safety set and the two efficacy populations), as
nested dicts that the report renders and the ARD lists: categorical variables as counts by
level (missing last), continuous ones as median, quartiles (R ``quantile`` type 7) and number
missing. ``prior_lines3`` (0 / 1 / >= 2) is derived here from ``prior_lines``."""

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
    ("liver_metastases", "Liver metastases", "flag", None),
    ("liver_burden_lt50", "Liver tumour burden < 50 %", "flag", None),
    ("liver_lesion_le30", "Largest liver lesion <= 30 mm", "flag", None),
    ("bone_metastases", "Bone metastases", "flag", None),
    ("functioning", "Functioning tumour", "flag", None),
    ("ecog", "ECOG performance status", "categorical", ("0", "1", "2", "3", "4")),
    ("prior_lines", "Prior systemic lines", "continuous", None),
    ("prior_lines3", "Prior systemic lines", "categorical", ("0", "1", "≥ 2")),
    ("prior_ssa", "Prior somatostatin analogue", "flag", None),
    ("ssa_concomitant", "Concomitant SSA", "flag", None),
    ("months_diagnosis_to_c1", "Time from diagnosis to C1, months", "continuous", None),
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
    """Counts by level (a trailing ``.0`` dropped: 1.0 is level ``1``), other values, missing;
    counted over the distinct values (the same counts as value by value)."""
    s = values.astype("string")
    distinct = s.value_counts(dropna=True)
    tally: dict = {}
    for value, k in zip(distinct.index.str.replace(r"\.0$", "", regex=True), distinct.to_numpy()):
        tally[value] = tally.get(value, 0) + int(k)
    counts = {lv: tally.get(lv, 0) for lv in levels}
    other = sum(k for value, k in tally.items() if value not in set(levels))
    if other:
        counts["other values"] = other
    counts["missing"] = int(s.isna().sum())
    return counts


def flag(values: pd.Series) -> dict:
    b = values.astype("boolean")
    return {"yes": int(b.fillna(False).sum()), "no": int((~b).fillna(False).sum()),
            "missing": int(b.isna().sum())}


def prior_lines3(prior_lines: pd.Series) -> pd.Series:
    """0 / 1 / ``≥ 2`` from the count (missing stays missing)."""
    x = pd.to_numeric(prior_lines, errors="coerce").astype(float)
    out = pd.Series(np.where(x >= 2, "≥ 2", np.where(x == 1, "1", "0")), index=x.index, dtype="string")
    out[x.isna().to_numpy()] = pd.NA
    return out


def with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the variables derived here (``prior_lines3``) added."""
    if "prior_lines" in frame.columns and "prior_lines3" not in frame.columns:
        return frame.assign(prior_lines3=prior_lines3(frame["prior_lines"]))
    return frame


def describe(frame: pd.DataFrame) -> dict:
    """One entry per variable present in ``frame``."""
    frame = with_derived(frame)
    out = {}
    for name, _label, kind, levels in VARIABLES:
        if name not in frame.columns:
            continue
        col = frame[name]
        out[name] = (continuous(col) if kind == "continuous"
                     else flag(col) if kind == "flag" else categorical(col, levels))
    return out


def characteristics(safety: pd.DataFrame, efficacy: pd.DataFrame, evaluable: pd.DataFrame | None = None) -> dict:
    """Table 1 blocks: the safety set, the complete-case set (``efficacy``), the
    response-evaluable population when given, and the safety set by primary tumour group."""
    groups = safety["primary_group"].astype("string")
    by_group = {g: {"N": int(groups.eq(g).sum()), "variables": describe(safety[groups.eq(g).fillna(False)])}
                for g in PRIMARY_GROUPS}
    out = {"safety": {"N": len(safety), "variables": describe(safety)}}
    if evaluable is not None:
        out["evaluable"] = {"N": len(evaluable), "variables": describe(evaluable)}
    out["efficacy"] = {"N": len(efficacy), "variables": describe(efficacy)}
    out["by_primary_group"] = by_group
    return out
