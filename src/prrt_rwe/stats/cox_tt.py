"""Time-transformed covariates in a Cox model, as R ``coxph(Surv(t, d) ~ x + tt(x), tt = f)``.

A covariate whose effect changes with time (a proportional-hazards violation) enters as
f(x, t), evaluated at each event time t for everyone at risk then.  As R (coxph.R, the
"tt() preprocessing": ``coxcount1``/``coxcount2``), the data are expanded to one row per
(event time, subject at risk): time t, event 1 for those who die at t, the subject's
covariates, weight and cluster; every risk set becomes its own stratum, so the partial
likelihood, its score and information, the robust variance and the concordance are those
of the ordinary model on the expanded rows.  The expansion has sum over event times of the
number at risk rows (O(n x events)), as in R.

``tt`` is either a function ``tt(x, t)`` — x the covariate rows of the expanded data, t their
event times: a DataFrame with X's column names and a Series on the same index when X was a
DataFrame (``x.mul(t, axis=0)``, ``x["age"] * t``), else an (m, p) array and an (m, 1)
column (``x * t``) — returning the design matrix used at time t (a DataFrame names its
terms; an array with p columns keeps X's names), or a dict
{column: f(values, t)} that adds a term ``tt(column)`` to X for each entry (R's
``x + tt(x)``).  R's cox.zph and survfit refuse such fits; so do ``ph_test`` and
``baseline_survival``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from prrt_rwe.stats.risk_sets import risk_sets
from prrt_rwe.stats.survival_data import SurvivalData, SurvivalDataError
from prrt_rwe.stats.time_fix import fix_intervals, fix_times

__all__ = ["expand_risk_sets", "fit_time_transform", "MAX_EXPANDED_ROWS"]

MAX_EXPANDED_ROWS = 50_000_000


def expand_risk_sets(time, event, strata=None, entry=None):
    """(rows, event_time, died, risk_set): one entry per (event time, row at risk then); ``rows``
    index the input, ``risk_set`` numbers the event times (within strata)."""
    rs = risk_sets(time, event, None, strata, "breslow", entry=entry)
    first = rs.row_first_group
    counts = np.maximum(rs.row_last_group - first + 1, 0)
    total = int(counts.sum())
    if total > MAX_EXPANDED_ROWS:
        raise SurvivalDataError("tt", f"the time-transform expansion needs {total:,} rows (one per event time "
                                f"and subject at risk), more than {MAX_EXPANDED_ROWS:,}")
    rep = np.repeat(np.arange(rs.n), counts)
    offset = np.repeat(np.cumsum(counts) - counts, counts)
    group = first[rep] + (np.arange(total) - offset)
    event_time = rs.group_time[group]
    died = rs.event_s[rep] & (rs.time_s[rep] == event_time)
    return rs.order[rep], event_time, died.astype(np.int8), group


def _design(sd: SurvivalData, X, tt, rows: np.ndarray, t: np.ndarray) -> pd.DataFrame | np.ndarray:
    frame = isinstance(X, (pd.DataFrame, pd.Series))
    x = sd.X[rows]
    if isinstance(tt, dict):
        unknown = [k for k in tt if k not in sd.names]
        if unknown:
            raise SurvivalDataError("tt", f"names columns {unknown} that are not in X {list(sd.names)}")
        cols = {name: x[:, j] for j, name in enumerate(sd.names)}
        for name, f in tt.items():
            cols[f"tt({name})"] = np.asarray(f(x[:, sd.names.index(name)], t), dtype=float).reshape(-1)
        return pd.DataFrame(cols)
    if not callable(tt):
        raise SurvivalDataError("tt", "must be a function tt(x, t) or a dict {column: f(values, t)}")
    out = tt(pd.DataFrame(x, columns=list(sd.names)), pd.Series(t, name="time")) if frame else tt(x, t[:, None])
    if isinstance(out, (pd.DataFrame, pd.Series)):
        return out.reset_index(drop=True)
    out = np.asarray(out, dtype=float)
    if out.ndim == 1:
        out = out[:, None]
    if out.shape[1] == len(sd.names):
        return pd.DataFrame(out, columns=list(sd.names))
    return pd.DataFrame(out, columns=[f"tt{j}" for j in range(out.shape[1])])


def fit_time_transform(sd: SurvivalData, X, tt, *, ties, conf_level, robust, timefix, concordance):
    """Fit the model with time-transformed covariates on the expanded risk sets."""
    from prrt_rwe.stats.cox import cox_ph

    if sd.entry is None:
        time, entry = fix_times(sd.time, timefix), None
    else:
        entry, time = fix_intervals(sd.entry, sd.time, timefix)
    rows, t, died, risk_set = expand_risk_sets(time, sd.event, sd.strata, entry)
    design = _design(sd, X, tt, rows, t)
    if len(design) != rows.shape[0]:
        raise SurvivalDataError("tt", f"returned {len(design)} rows, expected {rows.shape[0]} (one per "
                                "event time and subject at risk)")
    fit = cox_ph(t, died, design, ties=ties, strata=risk_set,
                 cluster=None if sd.cluster is None else sd.cluster[rows],
                 weights=None if sd.weights is None else sd.weights[rows],
                 conf_level=conf_level, robust=robust, timefix=False, concordance=concordance)
    return dataclasses.replace(fit, n=sd.n, n_events=int(sd.event.sum()), strata=sd.strata_levels,
                               n_clusters=None if sd.cluster is None else len(sd.cluster_levels),
                               counting=sd.entry is not None, time_transform=True, _data=None)
