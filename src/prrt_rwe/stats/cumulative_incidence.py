"""Cumulative incidence with competing risks: the Aalen–Johansen estimator, as R survival 3.x
``survfit(Surv(time, factor(status, 0:K)) ~ 1)`` (``survfitCI`` / ``survfitci.c``).

States: 0 = event-free (R's ``(s0)``), k = cause k (absorbing). At each distinct time t with
weighted number at risk Y and weighted events d_k of cause k, the transition matrix H has row
0 = (1 − d/Y, d_1/Y, ..., d_K/Y) and p(t) = p(t−) H (so the cumulative incidence of cause k is
F_k(t) = sum_{s <= t} S(s−) d_k(s) / Y(s), S the overall Kaplan–Meier).

Standard errors are R's infinitesimal-jackknife ones (multi-state survfit has no other):
the influence U_i of each subject on p(t) evolves as U_i(t) = U_i(t−) H + p(t−) dH/dw_i, and
std.err = sqrt(sum_i w_i² U_i(t)²). Subjects still at risk share one influence vector, and
those who left evolve linearly by H, so the sum is carried as one (K+1)² matrix: the cost is
O(n + T K²) for T distinct times, not R's O(n T).

Confidence intervals as R ``survfit_confint(logse = FALSE)``: R's default type "log" gives
exp(log F ± z se / F), upper limit capped at 1; no interval (NaN) where F = 0 (and, for
"log-log", F = 1). ``cif_at(t)`` is ``summary(fit, times = t, extend = FALSE)``: the value at
the last time <= t, 0 (interval [0, 0]) before the first time, ``None`` beyond the last.
Status 0 is always censoring (in R write ``factor(status, levels = 0:K)``: with no censored
row R would take the first cause as the censoring level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit

from prrt_rwe.stats.competing_data import competing_data, time_counts
from prrt_rwe.stats.kaplan_meier import SurvivalAt
from prrt_rwe.stats.survival_ci import survival_ci
from prrt_rwe.stats.survival_data import as_labels, check_weights

__all__ = ["CumulativeIncidence", "CumulativeIncidenceAt", "CumulativeIncidenceGroups",
           "cumulative_incidence", "pstate_ci"]


CumulativeIncidenceAt = SurvivalAt
"""F_k(t) with its pointwise CI (R ``summary(fit, times = t)``): time, estimate, lower, upper
(None = NA), std_err, n_risk — the fields of a Kaplan–Meier ``survival_at``."""


def _opt(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


@dataclass(frozen=True)
class CumulativeIncidence:
    """Aalen–Johansen fit. Matrices have one row per distinct time and one column per state
    (0 = event-free, then the causes in ``causes`` order); ``cif``, ``lower``, ``upper`` and
    ``std_err`` are the column of ``cause``."""

    time: np.ndarray
    causes: tuple[int, ...]
    pstate: np.ndarray
    pstate_std_err: np.ndarray
    pstate_lower: np.ndarray
    pstate_upper: np.ndarray
    n_risk: np.ndarray      # unweighted number at risk (R fit$n.risk[, 1])
    n_event: np.ndarray     # (T, K) unweighted events by cause
    n_censor: np.ndarray
    n: int
    cause: int
    conf_type: str
    conf_level: float
    variance: str = "infinitesimal jackknife"

    def _column(self, cause: int | None) -> int:
        cause = self.cause if cause is None else cause
        if cause not in self.causes:
            raise ValueError(f"cause {cause!r} not among the causes {self.causes}")
        return 1 + self.causes.index(cause)

    @property
    def cif(self) -> np.ndarray:
        return self.pstate[:, self._column(None)]

    @property
    def lower(self) -> np.ndarray:
        return self.pstate_lower[:, self._column(None)]

    @property
    def upper(self) -> np.ndarray:
        return self.pstate_upper[:, self._column(None)]

    @property
    def std_err(self) -> np.ndarray:
        return self.pstate_std_err[:, self._column(None)]

    @property
    def n_events(self) -> int:
        return int(self.n_event[:, self._column(None) - 1].sum())

    def cif_at(self, t: float, cause: int | None = None) -> CumulativeIncidenceAt | None:
        """F(t) of ``cause`` (default: the fit's); ``None`` beyond the last time."""
        t = float(t)
        if np.isnan(t) or self.time.size == 0 or t > self.time[-1]:
            return None
        col = self._column(cause)
        i = int(np.searchsorted(self.time, t, side="right")) - 1
        risk = float(self.n_risk[np.searchsorted(self.time, t, side="left")])
        if i < 0:
            return CumulativeIncidenceAt(t, 0.0, 0.0, 0.0, 0.0, risk)
        return CumulativeIncidenceAt(t, float(self.pstate[i, col]), _opt(self.pstate_lower[i, col]),
                                     _opt(self.pstate_upper[i, col]), float(self.pstate_std_err[i, col]),
                                     risk)

    def n_at_risk(self, times) -> np.ndarray:
        """Event-free and under observation (time >= t) at each of ``times``; 0 beyond the last."""
        j = np.searchsorted(self.time, np.atleast_1d(np.asarray(times, dtype=float)), side="left")
        return np.append(self.n_risk, 0.0)[j]


@dataclass(frozen=True)
class CumulativeIncidenceGroups:
    """One :class:`CumulativeIncidence` per group level (sorted labels, as R factor levels)."""

    levels: tuple
    curves: dict

    def __getitem__(self, level) -> CumulativeIncidence:
        return self.curves[level]


@njit(cache=CACHE)
def _aalen_johansen(count, weight, weight2):
    """pstate, std.err (T, S) and unweighted n at risk (T,) from per-time tables (T, S)
    of status 0 (censored), 1..S-1 (causes): see the module doc."""
    n_times, n_states = count.shape
    p = np.zeros(n_states)
    p[0] = 1.0
    a = np.zeros(n_states)            # influence shared by every subject still at risk
    m = np.zeros((n_states, n_states))  # sum of w² U U' over the subjects who have left
    r = np.zeros(n_states)
    m0 = np.zeros(n_states)
    u = np.zeros(n_states)
    pstate = np.empty((n_times, n_states))
    std = np.empty((n_times, n_states))
    n_risk = np.empty(n_times)
    at_risk, y_w, y_w2 = count.sum(), weight.sum(), weight2.sum()
    for j in range(n_times):
        n_risk[j] = at_risk
        d_w = 0.0
        for k in range(1, n_states):
            d_w += weight[j, k]
        if d_w > 0:
            p0 = p[0]
            r[0] = -d_w / y_w
            d_n = 0.0
            for k in range(1, n_states):
                d_n += count[j, k]
            if d_n == at_risk:               # everyone left has the event: S is exactly 0
                r[0] = -1.0
            for k in range(1, n_states):
                r[k] = weight[j, k] / y_w
            m00 = m[0, 0]
            for k in range(n_states):
                m0[k] = m[0, k]
            for i in range(n_states):        # M <- H' M H with H = I + e0 r'
                for k in range(n_states):
                    m[i, k] += r[i] * m0[k] + m0[i] * r[k] + m00 * r[i] * r[k]
            base = p0 / y_w
            a0 = a[0]
            for k in range(n_states):        # a <- a H + p0 (e0 - H[0, :]) / Y
                a[k] += (a0 - base) * r[k]
            for k in range(1, n_states):     # subjects moving to cause k leave
                c2 = weight2[j, k]
                if c2 > 0:
                    for i in range(n_states):
                        u[i] = a[i]
                    u[0] -= base
                    u[k] += base
                    for i in range(n_states):
                        for l in range(n_states):
                            m[i, l] += c2 * u[i] * u[l]
            for k in range(1, n_states):
                p[k] += p0 * r[k]
            p[0] = p0 * (1.0 + r[0])
        c2 = weight2[j, 0]                    # censored subjects leave with the shared influence
        if c2 > 0:
            for i in range(n_states):
                for l in range(n_states):
                    m[i, l] += c2 * a[i] * a[l]
        for k in range(n_states):
            at_risk -= count[j, k]
            y_w -= weight[j, k]
            y_w2 -= weight2[j, k]
        if at_risk <= 0:
            y_w2 = 0.0
        for k in range(n_states):
            pstate[j, k] = p[k]
            std[j, k] = np.sqrt(max(m[k, k] + y_w2 * a[k] * a[k], 0.0))
    return pstate, std, n_risk


def pstate_ci(p: np.ndarray, se: np.ndarray, conf_type: str, conf_level: float):
    """R ``survfit_confint(p, se, logse = FALSE)``: (lower, upper), NaN where R gives NA."""
    with np.errstate(divide="ignore", invalid="ignore"):
        se_log = np.where(se == 0, 0.0, se / p)
    lower, upper = survival_ci(p, se_log, conf_type, conf_level)
    if conf_type in ("log", "log-log"):
        undefined = (p == 0) | ((p == 1) if conf_type == "log-log" else False)
        lower, upper = np.where(undefined, np.nan, lower), np.where(undefined, np.nan, upper)
    return lower, upper


def _fit(t, s, w, causes, cause, conf_type, conf_level) -> CumulativeIncidence:
    n_status = 1 + len(causes)
    if causes != tuple(range(1, n_status)):   # causes 1..K are their own columns already
        column = np.zeros(max(causes) + 1, dtype=np.int64)
        column[list(causes)] = np.arange(1, n_status)
        s = column[s]
    counts = time_counts(t, s, n_status, w)
    pstate, std, n_risk = _aalen_johansen(counts.count, counts.weight, counts.weight2)
    lower, upper = pstate_ci(pstate, std, conf_type, conf_level)
    return CumulativeIncidence(counts.time, causes, pstate, std, lower, upper, n_risk,
                               counts.count[:, 1:], counts.count[:, 0], int(t.size), cause,
                               conf_type, float(conf_level))


def cumulative_incidence(time, status, *, group=None, weights=None, cause: int = 1,
                         conf_type: str = "log", conf_level: float = 0.95):
    """Aalen–Johansen cumulative incidence (see the module doc).

    ``status``: 0 censored, k >= 1 an event of cause k; ``cause`` picks the curve that
    ``.cif``/``.lower``/``.upper`` show (every cause is in ``.pstate``). With ``group``, one
    fit per level: a :class:`CumulativeIncidenceGroups`."""
    t, s = competing_data(time, status)
    w = None if weights is None else check_weights(weights, t.shape[0])
    present = np.flatnonzero(np.bincount(s)[1:]) + 1 if s.size else np.empty(0, np.int64)
    causes = tuple(sorted(set(present.tolist()) | {int(cause)}))
    if group is None:
        return _fit(t, s, w, causes, int(cause), conf_type, conf_level)
    codes, levels = as_labels(group, t.shape[0], "group")
    curves = {}
    for g, level in enumerate(levels):
        rows = codes == g
        curves[level] = _fit(t[rows], s[rows], None if w is None else w[rows], causes, int(cause),
                             conf_type, conf_level)
    return CumulativeIncidenceGroups(tuple(levels), curves)
