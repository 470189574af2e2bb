"""Baseline survival of a fitted Cox model, as R ``survfit(coxph_fit)`` (no newdata).

The curve is for a subject at the model's centring values (R's ``fit$means``: the
weighted mean of each covariate, 0 for a covariate whose values are all in {-1, 0, 1}).
Cumulative hazard increments (R ``agsurv``): Breslow deadwt / S0(t); Efron
sum_k (deadwt / d) / (S0(t) - (k/d) S0_dead(t)), the same denominators as the fit.
Survival = exp(-cumulative hazard) (R's ``stype = 2`` for coxph curves).  One curve per
stratum, reported at every distinct time of the stratum (events and censorings).  For
(start, stop] data (R ``agsurv``) the times are the distinct stop times, and the number
at risk at t counts the rows with entry < t <= stop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.stats.cox_efron import group_sums
from prrt_rwe.stats.risk_sets import RiskSets

__all__ = ["baseline_survival"]


def baseline_survival(rs: RiskSets, Xs_at_means: np.ndarray, beta: np.ndarray,
                      strata_levels=()) -> pd.DataFrame:
    """``Xs_at_means``: covariates minus the centring values, in sorted order."""
    gs = group_sums(rs, Xs_at_means, Xs_at_means @ beta)
    hazard_g = gs.vs.c1
    frame = _time_table(rs)
    hazard = np.zeros(len(frame))
    key = pd.MultiIndex.from_arrays([rs.group_stratum, rs.group_time])
    pos = pd.MultiIndex.from_arrays([frame["stratum"].to_numpy(), frame["time"].to_numpy()]).get_indexer(key)
    hazard[pos] = hazard_g
    frame["cumhaz"] = _cumsum_by(frame["stratum"].to_numpy(), hazard)
    frame["survival"] = np.exp(-frame["cumhaz"].to_numpy())
    if strata_levels:
        frame.insert(0, "strata", np.asarray(strata_levels, dtype=object)[frame["stratum"].to_numpy()])
    return frame.drop(columns="stratum")


def _time_table(rs: RiskSets) -> pd.DataFrame:
    """Distinct (stratum, time) ascending, with weighted numbers at risk, events, censored."""
    df = pd.DataFrame({
        "stratum": rs.stratum_s,
        "time": rs.time_s,
        "n_event": rs.weight_s * rs.event_s,
        "n_censor": rs.weight_s * ~rs.event_s,
        "w": rs.weight_s,
    })
    table = df.groupby(["stratum", "time"], sort=True).sum().reset_index()
    rev = table.iloc[::-1]
    table["n_risk"] = rev.groupby("stratum", sort=False)["w"].cumsum().iloc[::-1].to_numpy()
    if rs.counting:
        table["n_risk"] -= _entered_at_or_after(rs, table["stratum"].to_numpy(), table["time"].to_numpy())
    return table[["stratum", "time", "n_risk", "n_event", "n_censor"]]


def _entered_at_or_after(rs: RiskSets, stratum: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Per (stratum, time): weight of the stratum's rows with entry >= time (not yet at risk)."""
    out = np.zeros(time.shape[0])
    for s in np.unique(stratum):
        rows = rs.stratum_s == s
        order = np.argsort(rs.entry_s[rows], kind="stable")
        entries = rs.entry_s[rows][order]
        cum = np.concatenate(([0.0], np.cumsum(rs.weight_s[rows][order])))
        at = stratum == s
        out[at] = cum[-1] - cum[np.searchsorted(entries, time[at], side="left")]
    return out


def _cumsum_by(stratum: np.ndarray, values: np.ndarray) -> np.ndarray:
    cs = np.cumsum(values)
    starts = np.flatnonzero(np.concatenate(([True], stratum[1:] != stratum[:-1])))
    offset = np.concatenate(([0.0], cs))[starts]
    run = np.cumsum(np.concatenate(([False], stratum[1:] != stratum[:-1])))
    return cs - offset[run]
