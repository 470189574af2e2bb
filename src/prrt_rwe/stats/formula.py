"""R-style model formulas over a DataFrame (formulaic), feeding the array engines.

    stats.fit_formula("pfs ~ ki67_lt10 + krenning4 + strata(site)", adtte_wide)
    stats.fit_formula("Surv(aval, event) ~ krenning4 + cluster(site)", data)
    stats.logistic_formula("response ~ C(primary_group, contr.treatment('other')) + krenning4", adsl)

* Survival left-hand side: ``Surv(time, event)`` (event 1 = event, 0 = censored), or a bare
  name ``pfs`` meaning the columns ``pfs_time`` and ``pfs_event``.
* ``strata(col)`` and ``cluster(col)`` terms are taken out of the right-hand side and
  passed to the engine as label arrays (R ``coxph`` semantics); a logistic formula rejects them.
* Term names follow derivations.md: a numeric/boolean covariate keeps its column name, a
  factor level is written ``col[level]`` (formulaic's ``col[T.level]`` and
  ``C(col, ...)[T.level]`` are renamed).  formulaic's intercept column is dropped (the
  engines add their own where the model has one).
* Missing values: ``na_action="raise"`` (default; say which rows to drop before fitting)
  or ``"drop"`` (complete case, as R's default ``na.omit``; rows dropped are counted in the
  warning-free attribute ``n_dropped`` of :class:`ModelFrame`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from formulaic import model_matrix

__all__ = ["ModelFrame", "fit_formula", "logistic_formula", "model_frame"]

_SPECIAL = re.compile(r"\b(strata|cluster)\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\)")
_SURV = re.compile(r"^\s*Surv\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)\s*$")
_LEVEL = re.compile(r"^(?:C\(\s*)?([A-Za-z_][A-Za-z0-9_.]*)(?:\s*,.*\))?\[T\.(.+)\]$")


@dataclass(frozen=True)
class ModelFrame:
    lhs: tuple[str, ...]  # outcome column(s): (y,) or (time, event)
    X: pd.DataFrame
    strata: np.ndarray | None
    cluster: np.ndarray | None
    n_dropped: int
    data: pd.DataFrame  # the rows used, in order


def _split(formula: str) -> tuple[str, str, dict]:
    if "~" not in formula:
        raise ValueError(f"formula needs a '~': {formula!r}")
    lhs, rhs = (s.strip() for s in formula.split("~", 1))
    specials = {}
    for kind, col in _SPECIAL.findall(rhs):
        if kind in specials:
            raise ValueError(f"formula: only one {kind}() term is allowed")
        specials[kind] = col
    rhs = _SPECIAL.sub("", rhs)
    rhs = re.sub(r"\+\s*(?=\+|$)", "", re.sub(r"^\s*\+", "", rhs)).strip() or "1"
    return lhs, rhs, specials


def _outcome_columns(lhs: str, data: pd.DataFrame, survival: bool) -> tuple[str, ...]:
    match = _SURV.match(lhs)
    if survival and match:
        cols = (match.group(1), match.group(2))
    elif survival:
        cols = (f"{lhs}_time", f"{lhs}_event")
    else:
        cols = (lhs,)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise KeyError(f"formula outcome {lhs!r}: no column(s) {missing} in the data")
    return cols


def _term_name(column: str) -> str:
    m = _LEVEL.match(column)
    return f"{m.group(1)}[{m.group(2)}]" if m else column


def model_frame(formula: str, data: pd.DataFrame, *, survival: bool,
                na_action: str = "raise") -> ModelFrame:
    """Outcome columns, covariate matrix, strata and cluster labels of ``formula`` on ``data``."""
    if na_action not in ("raise", "drop"):
        raise ValueError(f"na_action must be 'raise' or 'drop', got {na_action!r}")
    lhs, rhs, specials = _split(formula)
    outcome = _outcome_columns(lhs, data, survival)
    needed = list(outcome) + list(specials.values())
    frame = data
    n_dropped = 0
    if na_action == "drop":
        rows = data[needed].notna().all(axis=1)
        frame = data.loc[rows]
        n_dropped = int((~rows).sum())
    elif data[needed].isna().any().any():
        bad = data[needed].columns[data[needed].isna().any()].tolist()
        raise ValueError(f"missing values in {bad} (na_action='raise')")
    mm = model_matrix(rhs, frame, na_action=na_action)
    X = mm.drop(columns=[c for c in mm.columns if c == "Intercept"])
    n_dropped += len(frame) - len(X)
    used = frame.loc[X.index]
    X = pd.DataFrame(np.asarray(X, dtype=float), columns=[_term_name(c) for c in X.columns],
                     index=X.index)
    pick = {k: used[v].to_numpy() for k, v in specials.items()}
    return ModelFrame(outcome, X, pick.get("strata"), pick.get("cluster"), n_dropped, used)


def fit_formula(formula: str, data: pd.DataFrame, *, na_action: str = "raise", **options):
    """Cox model from a formula: ``stats.cox_ph`` on the model frame (options passed on)."""
    from prrt_rwe.stats.cox import cox_ph

    mf = model_frame(formula, data, survival=True, na_action=na_action)
    time, event = (mf.data[c].to_numpy() for c in mf.lhs)
    return cox_ph(time, event, mf.X, strata=mf.strata, cluster=mf.cluster, **options)


def logistic_formula(formula: str, data: pd.DataFrame, *, na_action: str = "raise", **options):
    """Logistic model from a formula: ``stats.logistic`` on the model frame (options passed on)."""
    from prrt_rwe.stats.logistic import logistic

    mf = model_frame(formula, data, survival=False, na_action=na_action)
    if mf.strata is not None or mf.cluster is not None:
        raise ValueError("strata() and cluster() terms are for survival models, not logistic")
    return logistic(mf.data[mf.lhs[0]].to_numpy(), mf.X, **options)
