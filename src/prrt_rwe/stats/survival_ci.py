"""Pointwise confidence intervals of a survival curve, as R ``survival:::survfit_confint``.

``se_log`` is the standard error of log S (= of the cumulative hazard, R's ``fit$std.err``).
Types (R ``conf.type``; Kalbfleisch & Prentice 2002, Klein & Moeschberger 2003 eq. 4.3.1):

* ``"plain"``:   S ± z·se·S, clipped to [0, 1];
* ``"log"``:     exp(log S ± z·se), upper clipped to 1 (R's default);
* ``"log-log"``: exp(−exp(log(−log S) ∓ z·se / log S))  (SAS's default; ours).

Where R returns NA (log: S = 0; log-log: S = 0 or 1 with se > 0) we return NaN; where se = 0
the interval collapses to S, as in R.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

__all__ = ["CONF_TYPES", "survival_ci", "z_value"]

CONF_TYPES = ("plain", "log", "log-log")


def z_value(conf_level: float) -> float:
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    return float(ndtri(1 - (1 - conf_level) / 2))


def _plain(s, se, z):
    with np.errstate(invalid="ignore"):  # S = 0 with se = inf -> NaN, as R's NA
        half = se * s * z
    return np.maximum(s - half, 0.0), np.minimum(s + half, 1.0)  # NaN propagates


def _log(s, se, z):
    with np.errstate(divide="ignore", invalid="ignore"):
        xx = np.where(s == 0, np.nan, s)
        lower = np.where(se == 0, s, np.exp(np.log(xx) - z * se))
        upper = np.where(se == 0, s, np.exp(np.log(xx) + z * se))
    return lower, np.minimum(upper, 1.0)


def _loglog(s, se, z):
    lower, upper = s.astype(float), s.astype(float)
    undefined = (se > 0) & ((s == 0) | (s == 1))
    lower[undefined] = upper[undefined] = np.nan
    ok = (se > 0) & (s > 0) & (s < 1)
    log_s = np.log(s[ok])
    centre, shift = np.log(-log_s), z * se[ok] / log_s
    lower[ok] = np.exp(-np.exp(centre - shift))
    upper[ok] = np.exp(-np.exp(centre + shift))
    return lower, upper


_BUILDERS = {"plain": _plain, "log": _log, "log-log": _loglog}


def survival_ci(surv: np.ndarray, se_log: np.ndarray, conf_type: str, conf_level: float):
    """(lower, upper) arrays for survival ``surv`` with standard error of log S ``se_log``."""
    if conf_type not in _BUILDERS:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}, got {conf_type!r}")
    return _BUILDERS[conf_type](surv, se_log, z_value(conf_level))
