"""Test of proportional hazards, as R survival 3.x ``cox.zph`` (src/zph1.c, R/cox.zph.R).

A score test, at the fitted beta, for adding the time-varying terms x * g(t) to the model,
with g(t) centred at its mean over the event times:

* transform "km": g(t) = 1 - S(t-) from the unweighted, unstratified Kaplan-Meier of the
  outcome (R's default; for (start, stop] data the Kaplan-Meier of those intervals);
  "identity": g(t) = t; "log": g(t) = log t; "rank": rank of t among all times (ties
  averaged); a function: g = f(times), called with every row's stop time (R's user
  transform);
* U2 = sum_events w (g x - sum_k g xbar_k-weighted) and the full 2p x 2p information
  [[I, I_g], [I_g, I_gg]] from the same risk-set sums as the fit (g and g^2 as
  multipliers of each event time's contribution);
* a term (one or several columns) gets chisq = u' I_kk^-1 u with u = (0_p, U2[term]) and
  I_kk the rows/columns of all p covariates plus the term's time-varying columns;
  GLOBAL uses all of them (df = p).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.stats.chi_squared import chi2_sf   # not scipy.stats: issue 17
from prrt_rwe.stats.cox_efron import group_sums, information, weighted_mean_sum
from prrt_rwe.stats.risk_sets import RiskSets

__all__ = ["ZphResult", "cox_zph", "TRANSFORMS", "check_transform", "time_transform"]

TRANSFORMS = ("km", "identity", "rank", "log")


@dataclass(frozen=True)
class ZphResult:
    """cox.zph table: one row per term and GLOBAL (chisq, df, p)."""

    terms: tuple[str, ...]
    chisq: np.ndarray
    df: np.ndarray
    p: np.ndarray
    transform: str  # the name, or "user" for a function

    @property
    def global_p(self) -> float:
        return float(self.p[-1])

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"chisq": self.chisq, "df": self.df, "p": self.p},
                            index=pd.Index(list(self.terms) + ["GLOBAL"], name="term"))


def _left_km(time: np.ndarray, event: np.ndarray, entry: np.ndarray | None) -> np.ndarray:
    """1 - S(t-) per subject, from the unweighted Kaplan-Meier of all subjects (R
    ``survfitKM`` without weights, then its left-continuous value at each time)."""
    from prrt_rwe.stats.kaplan_meier import kaplan_meier

    km = kaplan_meier(time, event, entry=entry, timefix=False)
    before = np.concatenate(([1.0], km.survival))
    return 1 - before[np.searchsorted(km.time, time, side="left")]


def check_transform(transform) -> None:
    if not callable(transform) and transform not in TRANSFORMS:
        raise ValueError(f"transform must be one of {TRANSFORMS} or a function of time, got {transform!r}")


def time_transform(time: np.ndarray, event: np.ndarray, transform, entry: np.ndarray | None = None) -> np.ndarray:
    check_transform(transform)
    if callable(transform):
        g = np.asarray(transform(time.copy()), dtype=float).reshape(-1)
        if g.shape != time.shape or not np.all(np.isfinite(g)):
            raise ValueError(f"transform must return one finite number per row ({time.shape[0]}), "
                             f"got shape {g.shape}")
        return g
    if transform == "km":
        return _left_km(time, event, entry)
    if transform == "identity":
        return time.astype(float)
    if transform == "log":
        if np.any(time <= 0):
            raise ValueError("transform 'log' needs every time > 0 (log t is undefined at 0)")
        return np.log(time)
    from scipy.stats import rankdata   # only for this transform (scipy.stats: ~1 s to import)

    return rankdata(time, method="average")


def cox_zph(rs: RiskSets, Xs: np.ndarray, beta: np.ndarray, time, event, term_columns: dict,
            transform="km", entry=None) -> ZphResult:
    """``time``/``event`` (and ``entry``) in original order; ``Xs`` centred, in sorted order."""
    ev = np.asarray(event).astype(bool)
    tt = time_transform(np.asarray(time, dtype=float), ev, transform, entry)
    gtime = tt - tt[ev].mean()
    g_group = gtime[rs.order[rs.group_end]]
    gs = group_sums(rs, Xs, Xs @ beta)
    dr = rs.death_rows
    xbar_sum = weighted_mean_sum(gs, gs.vs.c1, gs.vs.c1f)
    u2 = (rs.weight_s[dr] * g_group[rs.death_group]) @ Xs[dr] - g_group @ xbar_sum
    i_g = information(rs, Xs, gs, g_group)
    imat = np.block([[information(rs, Xs, gs), i_g], [i_g, information(rs, Xs, gs, g_group**2)]])
    return _tests(u2, imat, term_columns, "user" if callable(transform) else transform)


def _tests(u2, imat, term_columns: dict, transform) -> ZphResult:
    p = u2.shape[0]
    u = np.concatenate((np.zeros(p), u2))
    names, stats, dfs = [], [], []
    for name, cols in term_columns.items():
        kk = np.concatenate((np.arange(p), p + np.asarray(cols)))
        uk = u[kk]
        stats.append(float(uk @ np.linalg.solve(imat[np.ix_(kk, kk)], uk)))
        dfs.append(len(cols))
        names.append(name)
    stats.append(float(u @ np.linalg.solve(imat, u)))
    dfs.append(p)
    chisq, df = np.array(stats), np.array(dfs)
    return ZphResult(tuple(names), chisq, df, chi2_sf(chisq, df), transform)
