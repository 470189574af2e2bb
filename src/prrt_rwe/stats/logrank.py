"""Log-rank test (Mantel-Haenszel) and the G-rho family, optionally stratified, as R
``survdiff(rho = ...)`` (``src/survdiff2.c``).

At each distinct event time t of a stratum, with d_t events among n_t at risk, n_gt at
risk and d_gt events in group g, and weight w_t = S(t-)^rho (S the Kaplan-Meier curve of
the stratum's pooled data, left-continuous; w = 1 for rho = 0, the log-rank test;
rho = 1 is the Peto-Peto / Prentice modification of the Wilcoxon test):
O_g += w_t d_gt, E_g += w_t d_t n_gt / n_t and, for n_t > 1,
V_gh += w_t² d_t (n_t − d_t) / (n_t (n_t − 1)) · (n_gt δ_gh − n_gt n_ht / n_t).
O, E and V are summed over strata (so for rho != 0 "observed" and "expected" are the
weighted sums R prints).  As R: groups with E = 0 are dropped, the first remaining group
is left out, chisq = (O − E)' V⁻¹ (O − E) with df = groups kept − 1.  Groups are the sorted
distinct labels (R factor levels).  Times equal up to rounding are tied (R ``aeqSurv``,
``timefix=False`` turns it off).  survdiff has no case weights and neither do we.

Degenerate input: one group only is an error (R: "There is only 1 group"); no events gives
chisq 0 with df −1 and p NaN, as R.  Where only one group has expected events (df 0) R
reports p = pchisq(0, 0) = 0; we report NaN (no test), the one deviation.
Whole-number times (days) are counted on a grid in O(n); other times are first coded by
``np.unique`` (or, for very many groups x times, found by sorted search).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import chdtrc

from prrt_rwe.stats.event_table import integer_codes
from prrt_rwe.stats.survival_data import SurvivalDataError, as_labels, check_time_event
from prrt_rwe.stats.time_fix import fix_times

__all__ = ["LogRank", "logrank"]

_MAX_GRID = 20_000_000  # time-grid cells (times x groups) for the counting path


@dataclass(frozen=True)
class LogRank:
    chisq: float
    df: int
    p: float
    groups: tuple
    n: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    strata: tuple = ()
    test: str = "log-rank (rho = 0)"
    rho: float = 0.0

    def summary(self) -> pd.DataFrame:
        """One row per group, as R ``print(survdiff)``: N, Observed, Expected, (O−E)²/E, (O−E)²/V."""
        with np.errstate(divide="ignore", invalid="ignore"):
            diag = np.diag(self.variance)
            return pd.DataFrame({
                "group": list(self.groups), "n": self.n, "observed": self.observed,
                "expected": self.expected,
                "o_minus_e_sq_over_e": (self.observed - self.expected) ** 2 / self.expected,
                "o_minus_e_sq_over_v": (self.observed - self.expected) ** 2 / diag,
            })


def _at_risk(sorted_times: np.ndarray, t: np.ndarray) -> np.ndarray:
    return sorted_times.size - np.searchsorted(sorted_times, t, side="left")


def _events_at(sorted_event_times: np.ndarray, t: np.ndarray) -> np.ndarray:
    return (np.searchsorted(sorted_event_times, t, side="right")
            - np.searchsorted(sorted_event_times, t, side="left"))


def _by_search(time, event, codes, n_groups):
    """(risk, deaths), shape (G, T) at the T distinct event times, by sorted search."""
    all_sorted = [np.sort(time[codes == g]) for g in range(n_groups)]
    ev_sorted = [np.sort(time[(codes == g) & (event == 1)]) for g in range(n_groups)]
    t = np.unique(np.concatenate(ev_sorted))
    risk = np.vstack([_at_risk(s, t) for s in all_sorted]).astype(float)
    deaths = np.vstack([_events_at(s, t) for s in ev_sorted]).astype(float)
    return risk, deaths


def _by_counting(tcodes, size, event, codes, n_groups):
    """(risk, deaths), shape (G, T), by counting on a time grid (O(n), no sort)."""
    key = tcodes * n_groups + codes
    total = np.bincount(key, minlength=size * n_groups).reshape(size, n_groups)
    deaths = np.bincount(key, weights=event, minlength=size * n_groups).reshape(size, n_groups)
    risk = np.cumsum(total[::-1], axis=0)[::-1]
    at = np.flatnonzero(deaths.sum(axis=1) > 0)
    return risk[at].T.astype(float), deaths[at].T


def _stratum(time, event, codes, n_groups, rho=0.0):
    """O, E, V of one stratum (G-rho weights from the stratum's pooled Kaplan-Meier)."""
    tcodes = integer_codes(time)
    if tcodes is not None and (int(tcodes.max()) + 1) * n_groups <= _MAX_GRID:
        risk, deaths = _by_counting(tcodes, int(tcodes.max()) + 1, event, codes, n_groups)
    elif time.size * n_groups <= _MAX_GRID:
        grid, tcodes = np.unique(time, return_inverse=True)
        risk, deaths = _by_counting(tcodes.reshape(-1), grid.size, event, codes, n_groups)
    else:
        risk, deaths = _by_search(time, event, codes, n_groups)
    n_t, d_t = risk.sum(axis=0), deaths.sum(axis=0)
    wt = np.ones_like(n_t)
    if rho != 0:
        km_left = np.concatenate(([1.0], np.cumprod((n_t - d_t) / n_t)))[:-1]
        wt = km_left**rho
    observed = deaths @ wt
    expected = (risk * (wt * d_t / n_t)).sum(axis=1)
    ok = n_t > 1
    factor = np.zeros_like(n_t)
    factor[ok] = wt[ok] ** 2 * d_t[ok] * (n_t[ok] - d_t[ok]) / (n_t[ok] * (n_t[ok] - 1))
    weighted = risk * factor
    var = np.diag(weighted.sum(axis=1))
    var -= (weighted / np.where(ok, n_t, 1.0)) @ risk.T
    return observed, expected, var


def _chisq(observed, expected, var) -> tuple[float, int]:
    keep = expected > 0
    df = int(keep.sum()) - 1
    if df < 1:
        return 0.0, df
    diff = (observed - expected)[keep][1:]
    vv = var[np.ix_(keep, keep)][1:, 1:]
    return float(diff @ np.linalg.solve(vv, diff)), df


def logrank(time, event, group, *, strata=None, rho: float = 0.0, timefix: bool = True) -> LogRank:
    """Log-rank (rho = 0) or G-rho test of equal survival across ``group`` (within
    ``strata`` when given), as R ``survdiff``; see the module doc."""
    t, e = check_time_event(time, event)
    n = t.shape[0]
    rho = float(rho)
    if not np.isfinite(rho):
        raise ValueError(f"rho must be a finite number, got {rho!r}")
    codes, groups = as_labels(group, n, "group")
    if len(groups) < 2:
        raise SurvivalDataError("group", f"has only one level ({groups[0]!r}); a log-rank test compares "
                                "two or more groups")
    t = fix_times(t, timefix)
    if strata is None:
        s_codes, s_levels = np.zeros(n, dtype=np.intp), ()
    else:
        s_codes, s_levels = as_labels(strata, n, "strata")
    G = len(groups)
    observed, expected, var = np.zeros(G), np.zeros(G), np.zeros((G, G))
    for s in range(max(len(s_levels), 1)):
        if len(s_levels) <= 1:
            o, ex, v = _stratum(t, e, codes, G, rho)
        else:
            rows = s_codes == s
            o, ex, v = _stratum(t[rows], e[rows], codes[rows], G, rho)
        observed += o
        expected += ex
        var += v
    chisq, df = _chisq(observed, expected, var)
    p = float(chdtrc(df, chisq)) if df >= 1 else float("nan")
    test = "log-rank (rho = 0)" if rho == 0 else f"G-rho (rho = {rho:g})"
    return LogRank(chisq, df, p, groups, np.bincount(codes, minlength=G), observed, expected, var,
                   s_levels, test, rho)
