"""Restricted mean survival time up to a horizon ``tau``, as R survival's
``print(survfit(Surv(time, event) ~ group), rmean = tau)`` (``survival:::survmean``), and the
unadjusted two-group contrast of survRM2 ``rmst2`` (Uno et al., J Clin Oncol 2014).

For one Kaplan-Meier curve with times t_1 < ... < t_m <= tau (censored times included, as R's
``fit$time``), t_0 = 0 and S(t_0) = 1:

* RMST = sum_j (t_j - t_{j-1}) S(t_{j-1}) + (tau - t_m) S(t_m), the area under the curve on
  [0, tau];
* var = sum_i A_i^2 d_i / (n_i (n_i - d_i)), where A_i is the area under the curve from t_i to
  tau (the Greenwood plug-in; a term with n_i = d_i counts 0, as R); SE = sqrt(var);
* CI = RMST -/+ z SE (survRM2 ``rmst1``; R prints the SE only).

Grouped (``group`` given): one curve per level (levels sorted); with exactly two levels,
``difference`` = RMST(levels[1]) - RMST(levels[0]) with SE sqrt(se_0^2 + se_1^2), a normal CI
and a two-sided p (survRM2 ``rmst2`` "RMST (arm=1)-(arm=0)" with arm = 1 for levels[1]).

``tau`` defaults to the smallest of the groups' last follow-up times (the largest time of each
group, event or censored), so that every curve is observed up to it. A larger ``tau`` is
accepted as R's ``print.survfit`` accepts it (the last value of a curve is carried to tau);
survRM2 refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from prrt_rwe.stats.kaplan_meier import kaplan_meier
from prrt_rwe.stats.survival_data import as_labels, check_event, check_time

__all__ = ["Rmst", "RmstDifference", "rmst"]


@dataclass(frozen=True)
class RmstDifference:
    """RMST(levels[1]) - RMST(levels[0]) with its SE, CI and two-sided p (survRM2)."""

    levels: tuple
    estimate: float
    se: float
    ci95: tuple[float, float]
    p: float


@dataclass(frozen=True)
class Rmst:
    """RMST up to ``tau``. Ungrouped: ``rmst`` and ``se`` are floats, ``ci95`` a pair;
    grouped: arrays in the order of ``levels`` (``ci95`` of shape (k, 2))."""

    tau: float
    rmst: float | np.ndarray
    se: float | np.ndarray
    ci95: tuple | np.ndarray
    n: int | np.ndarray
    conf_level: float
    levels: tuple | None = None
    difference: RmstDifference | None = None


def restricted_mean(time, survival, n_risk, n_event, tau: float) -> tuple[float, float]:
    """(RMST, variance) of one curve up to ``tau`` (module formulas; ``survmean``'s pfun)."""
    keep = time <= tau
    t = np.append(time[keep], tau)
    s = survival[keep]
    s = np.append(s, s[-1] if s.size else 1.0)
    nr, nd = n_risk[keep], n_event[keep]
    hazard_var = np.zeros(nr.shape)
    np.divide(nd, nr * (nr - nd), out=hazard_var, where=(nr - nd) != 0)
    rectangles = np.diff(np.concatenate(([0.0], t))) * np.concatenate(([1.0], s[:-1]))
    area_after = np.cumsum(rectangles[::-1])[::-1][1:]   # area from t_i to tau, i = 1..m
    return float(rectangles.sum()), float(np.sum(area_after ** 2 * hazard_var))


def _curve(time, event, tau, z):
    km = kaplan_meier(time, event)
    est, var = restricted_mean(km.time, km.survival, km.n_risk, km.n_event, tau)
    se = float(np.sqrt(var))
    return est, se, (est - z * se, est + z * se)


def rmst(time, event, tau: float | None = None, *, group=None, conf_level: float = 0.95) -> Rmst:
    """Restricted mean survival time up to ``tau`` (see the module doc)."""
    t = check_time(time)
    e = check_event(event)
    if e.shape[0] != t.shape[0]:
        raise ValueError(f"event: has {e.shape[0]} rows, expected {t.shape[0]} (the length of time)")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    if t.size == 0:
        raise ValueError("time: no rows; RMST needs at least one subject")
    z = float(ndtri((1 + conf_level) / 2))
    if group is None:
        tau = float(t.max()) if tau is None else _check_tau(tau)
        est, se, ci = _curve(t, e, tau, z)
        return Rmst(tau, est, se, ci, int(t.size), float(conf_level))
    codes, levels = as_labels(group, t.shape[0], "group")
    members = [codes == k for k in range(len(levels))]
    tau = min(float(t[m].max()) for m in members) if tau is None else _check_tau(tau)
    fits = [_curve(t[m], e[m], tau, z) for m in members]
    est = np.array([f[0] for f in fits])
    se = np.array([f[1] for f in fits])
    ci = np.array([f[2] for f in fits])
    difference = None
    if len(levels) == 2:
        d, d_se = est[1] - est[0], float(np.hypot(se[0], se[1]))
        p = 2 * ndtr(-abs(d) / d_se) if d_se > 0 else float("nan")
        difference = RmstDifference(tuple(levels), float(d), d_se, (float(d - z * d_se), float(d + z * d_se)),
                                    float(p))
    return Rmst(tau, est, se, ci, np.array([int(m.sum()) for m in members]), float(conf_level),
                tuple(levels), difference)


def _check_tau(tau) -> float:
    tau = float(tau)
    if not np.isfinite(tau) or tau <= 0:
        raise ValueError(f"tau: must be a positive finite time, got {tau!r}")
    return tau
