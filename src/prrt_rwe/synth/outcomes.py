"""Latent outcomes whose true effects equal the published ones (okamoto2026.models).

- Confirmed objective response: logistic model, log-ORs from calibration.ORR_LOG_OR, intercept
  solved on a fixed reference cohort so the marginal ORR is 37.6 %.
- PFS: Weibull proportional hazards, log-HRs from calibration.PFS_LOG_HR, scale solved so
  the population median (after the average detection delay at scans) is 21.4 months.
- Response and PFS are joined by a Gaussian copula (rho 0.6): both conditional models stay
  exactly as specified, responders simply tend to progress later.
- A share of PFS events are deaths without progression; otherwise death follows progression
  after a Weibull post-progression survival (OS median ~4-5 years).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import optimize, special

from prrt_rwe.schema.registry_v1 import DAYS_PER_MONTH
from prrt_rwe.synth import calibration as cal
from prrt_rwe.synth.baseline import Baseline, make_baseline

REFERENCE_SEED, REFERENCE_N = 20260422, 200_000
P_COMPLETE_RESPONSE = 0.06  # of responders (CR rare after PRRT)
DROPOUT_PER_YEAR = 0.04     # loss to follow-up, independent of covariates
DROPOUT_MIN_DAYS = 180


@dataclass(frozen=True)
class Latent:
    responder: np.ndarray
    complete: np.ndarray      # responder reaching CR
    t_event: np.ndarray       # latent PFS event day (progression or death first)
    death_first: np.ndarray   # PFS event is a death without progression
    post_progression: np.ndarray  # days from progression to death
    t_dropout: np.ndarray     # day of loss to follow-up


def response_linear_predictor(b: Baseline) -> np.ndarray:
    c = cal.ORR_LOG_OR
    return (c["pancreas"] * (b.group == 1) + c["hindgut"] * (b.group == 2)
            + c["krenning4"] * b.krenning4 + c["liver_lesion_le30"] * b.liver_lesion_le30)


def pfs_linear_predictor(b: Baseline) -> np.ndarray:
    c = cal.PFS_LOG_HR
    return (c["ki67_lt10"] * b.ki67_lt10 + c["krenning4"] * b.krenning4
            + c["liver_burden_lt50"] * b.liver_burden_lt50
            + c["liver_lesion_le30"] * b.liver_lesion_le30 + c["ssa_concomitant"] * b.ssa)


@lru_cache(maxsize=1)
def calibrated_constants() -> tuple[float, float]:
    """(logistic intercept, log Weibull rate) solved on a fixed reference cohort."""
    ref = make_baseline(np.random.default_rng(REFERENCE_SEED), REFERENCE_N)
    eta_r = response_linear_predictor(ref)
    b0 = optimize.brentq(lambda a: special.expit(a + eta_r).mean() - cal.ORR_TARGET, -10, 10)
    eta_s = pfs_linear_predictor(ref)
    median = cal.PFS_MEDIAN_MONTHS * DAYS_PER_MONTH - cal.PFS_DETECTION_DELAY_DAYS
    k = cal.PFS_WEIBULL_SHAPE

    def surv_gap(log_rate: float) -> float:
        return np.exp(-np.exp(log_rate + eta_s) * median**k).mean() - 0.5

    return b0, optimize.brentq(surv_gap, -40, 0)


def make_latent(rng: np.random.Generator, b: Baseline) -> Latent:
    b0, log_rate = calibrated_constants()
    n = b.n
    z_r = rng.standard_normal(n)
    rho = cal.RESPONSE_PFS_COPULA_RHO
    z_s = rho * z_r + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    p = special.expit(b0 + response_linear_predictor(b))
    responder = special.ndtr(z_r) < p
    # S(T) = U with U = Phi(z_s): small z_s (responders) -> long T
    cum_hazard = -np.log(special.ndtr(z_s))
    t_event = (cum_hazard / np.exp(log_rate + pfs_linear_predictor(b))) ** (1 / cal.PFS_WEIBULL_SHAPE)
    pps_scale = cal.POST_PROGRESSION_MEDIAN_DAYS / np.log(2) ** (1 / cal.POST_PROGRESSION_SHAPE)
    pps_hr = np.exp(cal.POST_PROGRESSION_LOG_HR_HIGH_GRADE * b.high_grade)
    pps = pps_scale * rng.weibull(cal.POST_PROGRESSION_SHAPE, n) * pps_hr ** (-1 / cal.POST_PROGRESSION_SHAPE)
    dropout = DROPOUT_MIN_DAYS + rng.exponential(365.25 / DROPOUT_PER_YEAR, n)
    return Latent(
        responder=responder,
        complete=responder & (rng.random(n) < P_COMPLETE_RESPONSE),
        t_event=np.maximum(t_event, 1.0),
        death_first=rng.random(n) < cal.SHARE_PFS_DEATH_FIRST,
        post_progression=np.maximum(pps, 7.0),
        t_dropout=dropout,
    )
