"""results.json ``pfs_by_group`` / ``os_by_group`` (headline population): Kaplan-Meier
summaries by primary tumour group and by Krenning 4 vs < 4, the log-rank test across the
levels with patients (R ``survdiff``), and, when proportional hazards fail for that grouping,
the restricted mean survival time of each level.

"cox.zph flags the grouping's term": a Cox model of the endpoint on the grouping alone
(Efron; a factor as one term, R ``coxph(Surv ~ factor(group))``), tested by ``cox.zph``
(km transform); its term test (which, with one term, is the GLOBAL test, and does not
depend on the reference level) with p < 0.05 fills ``rmst``: tau = the smallest of the
levels' last follow-up times, RMST and SE as R ``print(survfit, rmean = tau)``, CI +- z SE
(:func:`prrt_rwe.stats.rmst`), in months. Patients whose grouping is missing are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.results import survival as surv
from prrt_rwe.results.baseline import PRIMARY_GROUPS
from prrt_rwe.results.efficacy_models import FIT_ERRORS, PH_ALPHA
from prrt_rwe.results.parameters import parameter_rows
from prrt_rwe.results.populations import members
from prrt_rwe.stats.cox import cox_ph
from prrt_rwe.stats.logrank import logrank
from prrt_rwe.stats.rmst import rmst

# (results.json key, ADSL column, levels: (results.json key, value in ADSL))
GROUPINGS = (
    ("primary_group", "primary_group", tuple((g, g) for g in PRIMARY_GROUPS)),
    ("krenning4", "krenning4", (("true", True), ("false", False))),
)


@dataclass(frozen=True)
class GroupCurves:
    """Per level of one grouping, the survival data (for the figures; never written out)."""

    grouping: str
    levels: tuple[str, ...]
    data: tuple[surv.SurvivalData, ...]


def _labels(adsl: pd.DataFrame, column: str, levels) -> pd.Series:
    """Level key per patient (None when the value is missing or not a level)."""
    values = adsl[column]
    values = values.astype("boolean") if isinstance(levels[0][1], bool) else values.astype("string")
    out = pd.Series([None] * len(adsl), index=adsl.index, dtype=object)
    for key, value in levels:
        out[values.eq(value).fillna(False).to_numpy(dtype=bool)] = key
    return out


def curves(adtte: pd.DataFrame, paramcd: str, adsl: pd.DataFrame) -> dict[str, GroupCurves]:
    """Survival data by level of each grouping, for the patients of ``adsl``."""
    ids = pd.Index(adsl["USUBJID"])
    rows = parameter_rows(adtte, paramcd)
    rows = rows.loc[members(rows["USUBJID"], ids)]
    where = ids.get_indexer(rows["USUBJID"])          # each row's patient in adsl
    days = pd.to_numeric(rows["AVAL"]).to_numpy(dtype=float)
    event = (pd.to_numeric(rows["CNSR"]).to_numpy() == 0).astype(np.int8)
    out = {}
    for key, column, levels in GROUPINGS:
        labels = _labels(adsl, column, levels).to_numpy(dtype=object)[where]
        data = tuple(surv.SurvivalData(days[labels == k], event[labels == k]) for k, _ in levels)
        out[key] = GroupCurves(key, tuple(k for k, _ in levels), data)
    return out


def _pooled(gc: GroupCurves):
    present = [(k, d) for k, d in zip(gc.levels, gc.data) if d.n]
    days = np.concatenate([d.days for _, d in present]) if present else np.empty(0)
    event = np.concatenate([d.event for _, d in present]) if present else np.empty(0, dtype=np.int8)
    label = np.concatenate([[k] * d.n for k, d in present]) if present else np.empty(0, dtype=object)
    return days, event, label, [k for k, _ in present]


def _logrank(days, event, label, levels) -> dict:
    if len(levels) < 2 or event.sum() == 0:
        return {"chisq": None, "df": None, "p": None}
    lr = logrank(days, event, label)
    return {"chisq": lr.chisq, "df": lr.df, "p": lr.p}


def ph_flagged(days, event, label, levels) -> float | None:
    """cox.zph p of the grouping as one term (module doc); None when not testable."""
    if len(levels) < 2 or event.sum() == 0:
        return None
    X = pd.DataFrame({f"group[{k}]": (label == k).astype(float) for k in levels[1:]})
    try:
        return float(cox_ph(days, event, X, ties="efron").ph_test("km").global_p)
    except FIT_ERRORS:
        return None


def rmst_block(days, event, label, levels) -> tuple[dict, dict | None]:
    """The ``rmst`` block, and with two levels the difference (second - first of ``levels``,
    survRM2's contrast; report only: results.json has no key for it), all in months."""
    r = rmst(days, event, group=label)
    m = surv.DAYS_PER_MONTH
    by_level = {str(k): {"rmst_months": float(e) / m, "se": float(s) / m, "ci95": [float(lo) / m, float(hi) / m]}
                for k, e, s, (lo, hi) in zip(r.levels, r.rmst, r.se, r.ci95)}
    block = {"tau_months": r.tau / m, "levels": {k: by_level[k] for k in levels}}
    d = r.difference
    if d is None:
        return block, None
    sign = 1.0 if [str(v) for v in d.levels] == list(levels) else -1.0
    return block, {"levels": list(levels), "estimate_months": sign * d.estimate / m, "se": d.se / m,
                   "ci95": sorted([sign * d.ci95[0] / m, sign * d.ci95[1] / m]), "p": d.p}


def grouping_block(gc: GroupCurves, options: surv.KmOptions) -> tuple[dict, dict]:
    """One grouping's block, and for the report the cox.zph p that decided on ``rmst`` and the
    RMST difference."""
    days, event, label, present = _pooled(gc)
    zph_p = ph_flagged(days, event, label, present)
    flagged = zph_p is not None and zph_p < PH_ALPHA
    block, difference = rmst_block(days, event, label, present) if flagged else (None, None)
    return ({"levels": {k: surv.summary(d, options) for k, d in zip(gc.levels, gc.data)},
             "logrank": _logrank(days, event, label, present), "rmst": block},
            {"ph_p": zph_p, "rmst_difference": difference})


def by_group(by_level: dict[str, GroupCurves], options: surv.KmOptions) -> tuple[dict, dict]:
    """``pfs_by_group`` (or ``os_by_group``) and the report's notes per grouping."""
    blocks, notes = {}, {}
    for key, gc in by_level.items():
        blocks[key], notes[key] = grouping_block(gc, options)
    return blocks, notes
