"""Kaplan-Meier estimator with Greenwood variance, as R ``survfit(Surv(time, event) ~ 1)``.

Conventions (shared/spec/derivations.md; R survival 3.x):

* one row per distinct observed time, censored times included (R ``fit$time``);
* S(t) = prod (1 − d_i / n_i); Greenwood: var(log S) = sum d_i / (n_i (n_i − d_i))
  (R ``fit$std.err`` is its square root, our ``std_err_log``; ``std_err`` = S · std_err_log
  as R ``summary.survfit`` prints);
* confidence intervals by :mod:`prrt_rwe.stats.survival_ci` (default "log-log");
* quantiles/median and their CIs by R's ``quantile.survfit`` rules
  (:mod:`prrt_rwe.stats.survival_quantile`);
* ``survival_at(t)`` as ``summary(fit, times = t, extend = FALSE)``: ``None`` beyond the
  last observed time;
* case weights as R ``survfit(..., weights = w)``: counts become weighted sums and the
  Greenwood formula is applied to them.  For integer (frequency) weights this is R's
  default output; for non-integer weights R switches to an infinitesimal-jackknife
  variance unless ``robust = FALSE`` — we always use Greenwood, i.e. we equal
  ``survfit(..., weights = w, robust = FALSE)`` (recorded as ``variance``).  A row of
  weight 0 is ignored (R's estimates are the same; R also lists that row's time, with
  no change of the curve, and counts it in ``n`` — we do neither);
* ``entry`` gives (start, stop] data, R ``survfit(Surv(entry, time, event) ~ 1)``: at
  risk at t are the rows with entry < t <= time (delayed entry, or follow-up split into
  pieces); the curve starts at min(0, entry) (R's ``t0``);
* times equal up to rounding are tied (R ``aeqSurv``; ``timefix=False`` turns it off);
* ``estimator="fleming_harrington"``: S = exp(-H) with H the Nelson-Aalen cumulative
  hazard sum d_i / n_i and se(log S) = sqrt(sum d_i / n_i^2), as R
  ``survfit(..., stype = 2, ctype = 1)`` (``type = "fleming-harrington"``); its CIs use
  that standard error, as R.  ``cumhaz``/``std_err_cumhaz`` hold the Nelson-Aalen hazard
  for either estimator (R ``fit$cumhaz``, ``fit$std.chaz``).

Not supported (R options): ``conf.lower`` ("peto", "modified"), ``conf.type`` "logit" and
"arcsin", ``ctype = 2`` (the Fleming-Harrington tie correction), the robust
(infinitesimal-jackknife) variance with ``id``/``cluster``, and ``start.time``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.stats.event_table import survival_table
from prrt_rwe.stats.survival_ci import survival_ci
from prrt_rwe.stats.survival_data import check_event
from prrt_rwe.stats.survival_quantile import curve_quantiles

__all__ = ["KaplanMeier", "SurvivalAt", "SurvivalQuantile", "kaplan_meier", "km_curve", "nelson_aalen_curve",
           "reverse_km", "reverse_km_median", "ESTIMATORS"]

ESTIMATORS = {"km": "kaplan-meier", "kaplan-meier": "kaplan-meier", "kaplan_meier": "kaplan-meier",
              "fleming_harrington": "fleming-harrington", "fleming-harrington": "fleming-harrington"}


@dataclass(frozen=True)
class SurvivalAt:
    """S(t) with its pointwise CI (R ``summary(fit, times = t)``)."""

    time: float
    estimate: float
    lower: float | None
    upper: float | None
    std_err: float
    n_risk: float


@dataclass(frozen=True)
class SurvivalQuantile:
    """A survival-time quantile with its CI; ``None`` = not reached (R ``NA``)."""

    p: float
    estimate: float | None
    lower: float | None
    upper: float | None


def _opt(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


@dataclass(frozen=True)
class KaplanMeier:
    time: np.ndarray
    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    std_err_log: np.ndarray
    n: int
    conf_type: str
    conf_level: float
    weighted: bool
    variance: str = "greenwood"
    estimator: str = "kaplan-meier"
    cumhaz: np.ndarray | None = None  # Nelson-Aalen (R fit$cumhaz)
    std_err_cumhaz: np.ndarray | None = None  # R fit$std.chaz
    start: float = 0.0  # where the curve starts: 0, or the smallest entry time if negative

    @property
    def std_err(self) -> np.ndarray:
        """Standard error of S(t) (R ``summary.survfit`` ``std.err``)."""
        with np.errstate(invalid="ignore"):
            return self.std_err_log * self.survival

    @property
    def n_events(self) -> float:
        return float(self.n_event.sum())

    def quantile(self, p: float) -> SurvivalQuantile:
        """p-quantile of the survival time (p = 0.5: median) with R ``quantile.survfit`` CI."""
        est, lo, hi = curve_quantiles([p], self.time, self.survival, self.lower, self.upper, self.start)
        return SurvivalQuantile(float(p), _opt(est[0]), _opt(lo[0]), _opt(hi[0]))

    @property
    def median(self) -> float | None:
        return self.quantile(0.5).estimate

    @property
    def median_ci(self) -> tuple[float | None, float | None]:
        q = self.quantile(0.5)
        return (q.lower, q.upper)

    def _index_at(self, times) -> np.ndarray:
        """Index of the last curve time <= t (−1 before the first time)."""
        return np.searchsorted(self.time, np.asarray(times, dtype=float), side="right") - 1

    def survival_at(self, t: float) -> SurvivalAt | None:
        """S(t) and CI; ``None`` beyond the last observed time (R ``extend = FALSE``)."""
        t = float(t)
        if np.isnan(t) or self.time.size == 0 or t > self.time[-1]:
            return None
        i = int(self._index_at(t))
        risk = float(self.n_risk[np.searchsorted(self.time, t, side="left")])
        if i < 0:
            return SurvivalAt(t, 1.0, 1.0, 1.0, 0.0, risk)
        return SurvivalAt(t, float(self.survival[i]), _opt(self.lower[i]), _opt(self.upper[i]),
                          float(self.std_err[i]), risk)

    def n_at_risk(self, times) -> np.ndarray:
        """Number at risk (time >= t) at each of ``times``; 0 beyond the last time."""
        times = np.atleast_1d(np.asarray(times, dtype=float))
        j = np.searchsorted(self.time, times, side="left")
        padded = np.append(self.n_risk, 0.0)
        return padded[j]

    def summary(self, censored: bool = False) -> pd.DataFrame:
        """Life table as R ``summary(fit)``: event times only unless ``censored=True``."""
        keep = slice(None) if censored else self.n_event > 0
        return pd.DataFrame({
            "time": self.time[keep], "n_risk": self.n_risk[keep], "n_event": self.n_event[keep],
            "n_censor": self.n_censor[keep], "survival": self.survival[keep],
            "std_err": self.std_err[keep], "lower": self.lower[keep], "upper": self.upper[keep],
        })


def km_curve(n_risk: np.ndarray, n_event: np.ndarray, event_rows: np.ndarray | None = None):
    """Survival and Greenwood se(log S) from risk-set counts (R ``survfitkm.c``)."""
    has_event = n_event > 0 if event_rows is None else (n_event > 0) & (event_rows > 0)
    d = np.where(has_event, n_event, 0.0)
    surv = np.cumprod((n_risk - d) / n_risk)
    terms = np.zeros(n_risk.shape)
    np.divide(d, n_risk * (n_risk - d), out=terms, where=has_event & (n_risk > d))
    terms[has_event & (n_risk <= d)] = np.inf  # the curve drops to 0: R's std.err is Inf
    return surv, np.sqrt(np.cumsum(terms))


def nelson_aalen_curve(n_risk: np.ndarray, n_event: np.ndarray, event_rows: np.ndarray):
    """Nelson-Aalen cumulative hazard sum d/n and its standard error sqrt(sum d/n^2), over
    the times with an event of positive weight (R ``survfitkm.c``, type 1)."""
    has_event = (n_event > 0) & (event_rows > 0)
    hazard = np.zeros(n_risk.shape)
    var = np.zeros(n_risk.shape)
    np.divide(n_event, n_risk, out=hazard, where=has_event)
    np.divide(n_event, n_risk * n_risk, out=var, where=has_event)
    return np.cumsum(hazard), np.sqrt(np.cumsum(var))


def kaplan_meier(time, event, *, weights=None, conf_type: str = "log-log", conf_level: float = 0.95,
                 entry=None, estimator: str = "km", timefix: bool = True) -> KaplanMeier:
    """Kaplan-Meier (or Fleming-Harrington) curve of right-censored or (entry, time] data;
    see the module doc for conventions."""
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be 'km' or 'fleming_harrington', got {estimator!r}")
    st = survival_table(time, event, weights=weights, entry=entry, timefix=timefix)
    table = st.table
    cumhaz, se_cumhaz = nelson_aalen_curve(table.n_risk, table.n_event, table.n_event_rows)
    if ESTIMATORS[estimator] == "kaplan-meier":
        surv, se_log = km_curve(table.n_risk, table.n_event, table.n_event_rows)
        variance = "greenwood"
    else:
        surv, se_log, variance = np.exp(-cumhaz), se_cumhaz, "nelson-aalen"
    lower, upper = survival_ci(surv, se_log, conf_type, conf_level)
    return KaplanMeier(table.time, surv, lower, upper, table.n_risk, table.n_event, table.n_censor,
                       se_log, st.n, conf_type, float(conf_level), st.weighted, variance,
                       ESTIMATORS[estimator], cumhaz, se_cumhaz, st.start)


def reverse_km(time, event, **options) -> KaplanMeier:
    """Reverse Kaplan-Meier (Schemper & Smith 1996): censorings are the events.

    Equals R ``survfit(Surv(time, 1 - event) ~ 1)``; its median is the median potential
    follow-up.
    """
    e = check_event(event)
    return kaplan_meier(time, 1 - e, **options)


def reverse_km_median(time, event, **options) -> SurvivalQuantile:
    """Median follow-up by reverse Kaplan-Meier, with its CI (``.estimate``, ``.lower``, ``.upper``)."""
    return reverse_km(time, event, **options).quantile(0.5)
