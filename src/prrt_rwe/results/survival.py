"""Time-to-event summaries (derivations.md, "Time to event"): Kaplan-Meier with Greenwood
variance and log(-log) 95 % intervals, the median with its interval as R's
``quantile.survfit``, landmark rates at 12, 20 and 24 months (``null`` beyond the last
follow-up time, R ``summary(fit, times, extend = FALSE)``), and follow-up by reverse KM.

Times are analysed in days from C1 and reported in months (days / 30.4375).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.results.memo import memoized
from prrt_rwe.results.parameters import parameter_rows
from prrt_rwe.results.populations import id_array, members_of
from prrt_rwe.stats.kaplan_meier import kaplan_meier

DAYS_PER_MONTH = 30.4375
LANDMARK_MONTHS = (12, 20, 24)


@dataclass(frozen=True)
class SurvivalData:
    """Days and events (1 = event) of one endpoint in one population."""

    days: np.ndarray
    event: np.ndarray

    @property
    def n(self) -> int:
        return int(self.days.shape[0])


def endpoint(adtte: pd.DataFrame, paramcd: str, usubjids: pd.Index) -> SurvivalData:
    """The PARAMCD rows of ADTTE for the given patients (CNSR 0 = event)."""
    ids, days, event = memoized("endpoint", (adtte,), lambda: _parameter(adtte, paramcd), paramcd)
    keep = members_of(ids, usubjids)
    return SurvivalData(days[keep], event[keep])


def _parameter(adtte: pd.DataFrame, paramcd: str) -> tuple:
    """(USUBJIDs for members_of, days, events) of every PARAMCD row of ADTTE."""
    rows = parameter_rows(adtte, paramcd)
    days = pd.to_numeric(rows["AVAL"]).to_numpy(dtype=float)
    event = (pd.to_numeric(rows["CNSR"]).to_numpy() == 0).astype(np.int8)
    return id_array(rows["USUBJID"]), days, event


@dataclass(frozen=True)
class KmOptions:
    """Kaplan-Meier settings in force (study.toml ``[km]``)."""

    conf_type: str = "log-log"
    conf_level: float = 0.95
    landmarks_months: tuple = LANDMARK_MONTHS


def fit(data: SurvivalData, options: KmOptions = KmOptions()):
    return kaplan_meier(data.days, data.event, conf_type=options.conf_type,
                              conf_level=options.conf_level)


def months(days):
    return None if days is None or not np.isfinite(days) else float(days) / DAYS_PER_MONTH


def landmark_key(month) -> str:
    return format(float(month), "g")


def landmark(km, month) -> dict:
    """Rate at ``month`` months; ``None`` values beyond the last follow-up time."""
    at = km.survival_at(float(month) * DAYS_PER_MONTH)
    if at is None:
        return {"estimate": None, "ci95": [None, None]}
    return {"estimate": at.estimate, "ci95": [at.lower, at.upper]}


def empty_summary(options: KmOptions) -> dict:
    return {"n": 0, "events": 0, "median_months": None, "ci95": [None, None],
            "rate_at": {landmark_key(m): {"estimate": None, "ci95": [None, None]}
                        for m in options.landmarks_months}}


def summary(data: SurvivalData, options: KmOptions = KmOptions(), km=None) -> dict:
    """results.json ``pfs`` / ``os`` block."""
    if data.n == 0:
        return empty_summary(options)
    km = fit(data, options) if km is None else km
    lo, hi = km.median_ci
    return {
        "n": data.n,
        "events": int(data.event.sum()),
        "median_months": months(km.median),
        "ci95": [months(lo), months(hi)],
        "rate_at": {landmark_key(m): landmark(km, m) for m in options.landmarks_months},
    }


def median_months(data: SurvivalData, options: KmOptions = KmOptions()):
    """The KM median in months (``None`` when not reached or no data)."""
    return months(fit(data, options).median) if data.n else None


@dataclass(frozen=True)
class RiskTable:
    """KMunicate counts at each time: at risk, censored so far, events so far."""

    months: tuple[float, ...]
    at_risk: tuple[int, ...]
    censored: tuple[int, ...]
    events: tuple[int, ...]


def risk_table(data: SurvivalData, at_months) -> RiskTable:
    days = data.days
    ev = data.event.astype(bool)
    at_risk, censored, events = [], [], []
    for m in at_months:
        t = m * DAYS_PER_MONTH
        at_risk.append(int((days >= t).sum()))
        censored.append(int(((days < t) & ~ev).sum()))
        events.append(int(((days < t) & ev).sum()))
    return RiskTable(tuple(at_months), tuple(at_risk), tuple(censored), tuple(events))
