"""E-values for unmeasured confounding (VanderWeele & Ding, Ann Intern Med 2017;167:268),
as R ``EValue::evalues.RR / .OR / .HR`` with ``true = 1``.

1. Put the estimate and its CI limits on the risk-ratio scale:
   RR as is; OR with ``rare=False``: RR ≈ √OR (VanderWeele 2017, common outcome);
   HR with ``rare=False``: RR ≈ (1 − 0.5^√HR) / (1 − 0.5^√(1/HR)) (VanderWeele 2020);
   with ``rare=True`` an OR or HR is taken as the RR.
2. An RR below 1 is inverted (and its CI limits swapped and inverted).
3. E-value of RR ≥ 1: RR + √(RR (RR − 1)).
4. E-value of the CI: that of the limit nearer the null; 1 when the CI includes 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["EValue", "evalue", "to_risk_ratio"]

MEASURES = ("RR", "OR", "HR")
LOG_HALF = math.log(0.5)


@dataclass(frozen=True)
class EValue:
    """E-value of the point estimate and of the CI limit nearer the null (None without a CI);
    ``rr`` and ``rr_ci`` the estimate and limits on the risk-ratio scale used."""

    point: float
    ci: float | None
    rr: float
    rr_ci: tuple[float | None, float | None]
    measure: str
    rare: bool


def to_risk_ratio(value: float, measure: str, rare: bool = False) -> float:
    """Step 1 of the module doc: an RR, OR or HR on the risk-ratio scale."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"a ratio estimate must be positive and finite, got {value!r}")
    if measure == "RR" or rare:
        return float(value)
    if measure == "OR":
        return math.sqrt(value)
    # 1 - 0.5^x as -expm1(x log 0.5): exact for the tiny x of an extreme HR
    return math.expm1(math.sqrt(value) * LOG_HALF) / math.expm1(math.sqrt(1 / value) * LOG_HALF)


def _e(rr: float) -> float:
    rr = rr if rr >= 1 else 1 / rr
    return rr + math.sqrt(rr) * math.sqrt(rr - 1)  # no overflow before rr itself does


def evalue(estimate: float, lo: float | None = None, hi: float | None = None, *,
           measure: str = "RR", rare: bool = False) -> EValue:
    """E-values of a ratio estimate and its CI (see the module doc)."""
    rr = to_risk_ratio(estimate, measure, rare)
    rlo = None if lo is None else to_risk_ratio(lo, measure, rare)
    rhi = None if hi is None else to_risk_ratio(hi, measure, rare)
    if rlo is not None and rhi is not None and not rlo <= rr <= rhi:
        raise ValueError(f"the CI ({lo}, {hi}) must contain the estimate {estimate}")
    near = rlo if rr >= 1 else rhi  # the limit nearer the null
    if near is None:
        ci = None
    elif (rr >= 1 and near <= 1) or (rr < 1 and near >= 1):
        ci = 1.0
    else:
        ci = _e(near)
    return EValue(_e(rr), ci, rr, (rlo, rhi), measure, bool(rare))
