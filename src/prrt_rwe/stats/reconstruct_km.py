"""Individual patient data reconstructed from a published Kaplan-Meier curve (Guyot P, Ades
AE, Ouwens MJ, Welton NJ. BMC Med Res Methodol 2012;12:9, "the algorithm", Figure 2).

Inputs: the digitised curve (times t_k, survival S_k, in [0, 1]) and the published numbers
at risk n_i at times T_i (T_0 = 0).  For each at-risk interval [T_i, T_{i+1}):

1. first guess of the censored: c_i = round(n_i · S(T_{i+1}) / S(T_i) − n_{i+1});
2. spread the c_i censorings evenly over the interval, put them on the curve points'
   sub-intervals (R ``hist``, right-closed bins);
3. events at each curve point k: d_k = round(n̂_k (1 − S_k / Ŝ_last)), Ŝ_k = Ŝ_last (1 − d_k / n̂_k),
   n̂_{k+1} = n̂_k − d_k − c_k (Ŝ_last: the reconstructed KM at the last point with an event);
4. adjust c_i by the miss n̂(T_{i+1}) − n_{i+1} and repeat from 2 until the reconstructed
   number at risk equals the published one.
The last interval (no closing number at risk) assumes the average censoring rate of the
earlier intervals; with ``total_events`` its censoring is adjusted until the total number
of events agrees, or until no more censoring in that interval can change it (the earlier
intervals are fixed by their numbers at risk).  Events are placed at the curve point, censorings at the mid-point of
their sub-interval, patients left at the end censored at the last curve time.

Rounding is R's (half to even).  Two guards the published code lacks: d_k is kept within
[0, n̂_k] (a digitised point slightly above the reconstructed curve would otherwise give a
negative count), and a non-converging adjustment raises instead of looping.

Input checks raise :class:`ReconstructionError` naming the row: times must not decrease and
survival must not increase along the curve (monotone coordinates), survival in [0, 1] and
1 at time 0, at-risk times strictly increasing from 0 and inside the curve's time range,
numbers at risk whole, positive at time 0 and not increasing, every at-risk interval holding
a curve point, and ``total_events`` at most the number of patients.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["ReconstructedIPD", "ReconstructionError", "reconstruct_km"]

MAX_ADJUSTMENTS = 10_000


class ReconstructionError(ValueError):
    """Inputs the reconstruction cannot use; the message names the row and value."""


class ReconstructedIPD(NamedTuple):
    time: np.ndarray  # one row per patient, same unit as the curve's times
    event: np.ndarray  # 1 = event, 0 = censored


def _vector(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float).reshape(-1)
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        raise ReconstructionError(f"{name}: row {bad[0] + 1} is not a finite number")
    return a


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _check_curve(t: np.ndarray, s: np.ndarray) -> None:
    if t.size != s.size:
        raise ReconstructionError(f"curve: {t.size} times but {s.size} survival values")
    if t.size < 2:
        raise ReconstructionError("curve: needs at least 2 points")
    if (t < 0).any():
        k = _first(t < 0)
        raise ReconstructionError(f"curve: row {k + 1}: time {t[k]:g} is negative")
    if ((s < 0) | (s > 1)).any():
        k = _first((s < 0) | (s > 1))
        raise ReconstructionError(f"curve: row {k + 1}: survival {s[k]:g} is outside [0, 1] "
                                  "(give survival as a proportion, not a percentage)")
    if (np.diff(t) < 0).any():
        k = _first(np.diff(t) < 0) + 1
        raise ReconstructionError(f"curve: row {k + 1}: time {t[k]:g} is before the previous "
                                  f"point's {t[k - 1]:g}; coordinates must be monotone (sorted by time)")
    if (np.diff(s) > 0).any():
        k = _first(np.diff(s) > 0) + 1
        raise ReconstructionError(f"curve: row {k + 1}: survival rises from {s[k - 1]:g} to {s[k]:g} "
                                  f"at time {t[k]:g}; a Kaplan-Meier curve never increases "
                                  "(clean the digitised points first)")
    if t[0] == 0 and s[0] != 1:
        raise ReconstructionError(f"curve: row 1: survival at time 0 is {s[0]:g}, must be 1")


def _check_at_risk(T: np.ndarray, n: np.ndarray, t: np.ndarray) -> None:
    if T.size != n.size:
        raise ReconstructionError(f"at-risk: {T.size} times but {n.size} numbers at risk")
    if T.size < 1:
        raise ReconstructionError("at-risk: needs at least the number at risk at time 0")
    if T[0] != 0:
        raise ReconstructionError(f"at-risk: row 1: first time is {T[0]:g}, must be 0")
    if (np.diff(T) <= 0).any():
        k = _first(np.diff(T) <= 0) + 1
        raise ReconstructionError(f"at-risk: row {k + 1}: time {T[k]:g} does not come after {T[k - 1]:g}")
    if (T > t[-1]).any():
        k = _first(T > t[-1])
        raise ReconstructionError(f"at-risk: row {k + 1}: time {T[k]:g} is outside the curve "
                                  f"(last digitised time {t[-1]:g})")
    if (n != np.round(n)).any() or (n < 0).any():
        k = _first((n != np.round(n)) | (n < 0))
        raise ReconstructionError(f"at-risk: row {k + 1}: number at risk {n[k]:g} is not a whole number >= 0")
    if n[0] < 1:
        raise ReconstructionError("at-risk: row 1: no patient at risk at time 0")
    if (np.diff(n) > 0).any():
        k = _first(np.diff(n) > 0) + 1
        raise ReconstructionError(f"at-risk: row {k + 1}: number at risk rises from {n[k - 1]:g} to {n[k]:g}")


def _intervals(t: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lower[i]: first curve point at or after T_i; upper[i]: last point before T_{i+1}."""
    lower = np.searchsorted(t, T, side="left")
    upper = np.append(np.searchsorted(t, T[1:], side="left") - 1, t.size - 1)
    for i in range(T.size):
        if lower[i] > upper[i]:
            end = f"{T[i + 1]:g}" if i + 1 < T.size else "the end"
            raise ReconstructionError(f"at-risk: row {i + 1}: no digitised curve point between time "
                                      f"{T[i]:g} and {end}; digitise the curve more finely")
    return lower, upper


def _spread(n_censor: int, a: float, b: float, breaks: np.ndarray) -> np.ndarray:
    """Counts of n_censor evenly spaced times in (a, b) per bin of ``breaks`` (R ``hist``:
    right-closed bins, the first also closed on the left)."""
    times = a + np.arange(1, n_censor + 1) * (b - a) / (n_censor + 1)
    bins = np.searchsorted(breaks, times, side="left") - 1
    bins = np.clip(bins, 0, breaks.size - 2)
    return np.bincount(bins, minlength=breaks.size - 1)


class _State:
    def __init__(self, s: np.ndarray, n0: int):
        self.s = s
        self.n_hat = np.full(s.size + 1, n0 + 1, dtype=float)
        self.cen = np.zeros(s.size)
        self.d = np.zeros(s.size)
        self.km = np.ones(s.size)

    def events(self, k: int, last: int, first_point: bool) -> None:
        if first_point:
            self.d[k], self.km[k] = 0.0, 1.0
        else:
            ref = self.km[last]
            d = np.round(self.n_hat[k] * (1 - self.s[k] / ref)) if ref > 0 else 0.0
            self.d[k] = min(max(d, 0.0), max(self.n_hat[k], 0.0))
            self.km[k] = ref * (1 - self.d[k] / self.n_hat[k]) if self.n_hat[k] > 0 else ref
        self.n_hat[k + 1] = self.n_hat[k] - self.d[k] - self.cen[k]


def _walk(st: _State, lo: int, hi: int, n_start: float, last: int, first_interval: bool, clip: bool) -> int:
    st.n_hat[lo] = n_start
    for k in range(lo, hi + 1):
        st.events(k, last, first_interval and k == lo)
        if clip and st.n_hat[k + 1] < 0:
            st.n_hat[k + 1] = 0.0
            st.cen[k] = st.n_hat[k] - st.d[k]
        if st.d[k] != 0:
            last = k
    return last


def _interval(st: _State, t, i, lower, upper, n_risk, last_i) -> float:
    """Steps 1-4 on interval i (not the last); returns its number censored."""
    lo, hi, nxt = lower[i], upper[i], lower[i + 1]
    s = st.s
    n_censor = np.round(n_risk[i] * s[nxt] / s[lo] - n_risk[i + 1]) if s[lo] > 0 else 0.0
    for _ in range(MAX_ADJUSTMENTS):
        if n_censor <= 0:
            st.cen[lo:hi + 1] = 0
            n_censor = 0.0
        else:
            st.cen[lo:hi + 1] = _spread(int(n_censor), t[lo], t[nxt], t[lo:nxt + 1])
        last = _walk(st, lo, hi, n_risk[i], last_i[i], i == 0, clip=False)
        n_censor += st.n_hat[nxt] - n_risk[i + 1]
        if not (st.n_hat[nxt] > n_risk[i + 1] or (st.n_hat[nxt] < n_risk[i + 1] and n_censor > 0)):
            last_i[i + 1] = last
            return n_censor
    raise ReconstructionError(f"at-risk: rows {i + 1}-{i + 2}: the numbers at risk cannot be matched "
                              f"between times {t[lo]:g} and {t[nxt]:g}; check the curve and the table")


def _last_interval(st: _State, t, lower, upper, n_risk, last_i, n_censor_total, total_events) -> None:
    j = lower.size - 1
    lo, hi = lower[j], upper[j]

    def place(n_censor):
        if n_censor <= 0 or hi <= lo:  # (a last interval of one curve point has nowhere to censor)
            st.cen[lo:hi] = 0
            return 0.0
        st.cen[lo:hi] = _spread(int(n_censor), t[lo], t[hi], t[lo:hi + 1])
        return n_censor

    if j == 0:
        n_censor = 0.0
    else:
        span = t[upper[j - 1]] - t[lower[0]]
        n_censor = min(np.round(n_censor_total * (t[hi] - t[lo]) / span), n_risk[j]) if span > 0 else 0.0
    n_censor = place(n_censor)
    _walk(st, lo, hi, n_risk[j], last_i[j], j == 0, clip=True)
    if total_events is None:
        return
    before = st.d[:upper[j - 1] + 1].sum() if j > 0 else 0.0
    if j > 0 and before >= total_events:
        st.d[lo:hi + 1] = 0
        st.cen[lo:hi] = 0
        st.n_hat[lo + 1:hi + 2] = n_risk[j]
        return
    tried = set()
    for _ in range(MAX_ADJUSTMENTS):
        total = st.d[:hi + 1].sum()
        if not (total > total_events or (total < total_events and n_censor > 0)) or hi <= lo:
            return
        n_censor = max(n_censor + (total - total_events), 0.0)
        if n_censor in tried:  # the censoring of the last interval cannot move the total any further
            return
        tried.add(n_censor)
        n_censor = place(n_censor)
        _walk(st, lo, hi, n_risk[j], last_i[j], j == 0, clip=True)


def _ipd(st: _State, t: np.ndarray, n0: int) -> ReconstructedIPD:
    d = st.d.astype(int)
    cen = st.cen[:-1].astype(int)
    ev_time = np.repeat(t, d)
    cen_time = np.repeat((t[:-1] + t[1:]) / 2, np.clip(cen, 0, None))
    n_rest = n0 - ev_time.size - cen_time.size
    if n_rest < 0:
        raise ReconstructionError("the reconstruction placed more events and censorings than patients at "
                                  "risk at time 0; check the at-risk table")
    time = np.concatenate([ev_time, cen_time, np.full(n_rest, t[-1])])
    event = np.concatenate([np.ones(ev_time.size, int), np.zeros(cen_time.size + n_rest, int)])
    order = np.lexsort((-event, time))
    return ReconstructedIPD(time[order], event[order])


def reconstruct_km(curve_time, curve_survival, at_risk_time, n_at_risk, *, total_events=None) -> ReconstructedIPD:
    """Guyot et al. (2012) reconstruction; see the module doc. Returns ``(time, event)``
    sorted by time (events before censorings at the same time)."""
    t = _vector(curve_time, "curve time")
    s = _vector(curve_survival, "curve survival")
    _check_curve(t, s)
    if t[0] > 0:  # every Kaplan-Meier curve starts at S(0) = 1
        t, s = np.concatenate([[0.0], t]), np.concatenate([[1.0], s])
    T = _vector(at_risk_time, "at-risk time")
    n_risk = _vector(n_at_risk, "number at risk")
    _check_at_risk(T, n_risk, t)
    n0 = int(n_risk[0])
    if total_events is not None:
        if total_events != int(total_events) or total_events < 0:
            raise ReconstructionError(f"total_events: {total_events!r} is not a whole number >= 0")
        if total_events > n0:
            raise ReconstructionError(f"total_events: {int(total_events)} events but only {n0} patients "
                                      "at risk at time 0")
        total_events = int(total_events)
    lower, upper = _intervals(t, T)
    st = _State(s, n0)
    n_risk = n_risk.copy()
    last_i = np.zeros(T.size, dtype=int)
    n_censor = np.zeros(T.size)
    for i in range(T.size - 1):
        n_censor[i] = _interval(st, t, i, lower, upper, n_risk, last_i)
        if st.n_hat[lower[i + 1]] < n_risk[i + 1]:
            n_risk[i + 1] = st.n_hat[lower[i + 1]]
    _last_interval(st, t, lower, upper, n_risk, last_i, n_censor[:-1].sum(), total_events)
    return _ipd(st, t, n0)
