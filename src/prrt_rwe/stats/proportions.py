"""Confidence intervals for a binomial proportion k / n.

* :func:`clopper_pearson` — exact (Clopper & Pearson 1934) via beta quantiles, as R
  ``binom.test(k, n)$conf.int``: lower = qbeta(α/2, k, n − k + 1) (0 when k = 0),
  upper = qbeta(1 − α/2, k + 1, n − k) (1 when k = n).  The headline interval of
  results-v1.md.
* :func:`wilson` — Wilson (1927) score interval without continuity correction, as R
  ``prop.test(k, n, correct = FALSE)$conf.int``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import betaincinv, ndtri

__all__ = ["Proportion", "clopper_pearson", "proportion", "wilson"]


def _check(k, n, conf_level) -> tuple[int, int]:
    if int(k) != k or int(n) != n:
        raise ValueError(f"k and n must be whole numbers, got k={k!r}, n={n!r}")
    k, n = int(k), int(n)
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n >= 1, got k={k}, n={n}")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    return k, n


def clopper_pearson(k, n, conf_level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided CI (lo, hi) for k successes out of n."""
    k, n = _check(k, n, conf_level)
    alpha = 1 - conf_level
    lo = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, alpha / 2))
    hi = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1 - alpha / 2))
    return lo, hi


def wilson(k, n, conf_level: float = 0.95) -> tuple[float, float]:
    """Wilson score CI (lo, hi), no continuity correction."""
    k, n = _check(k, n, conf_level)
    z = float(ndtri(1 - (1 - conf_level) / 2))
    phat = k / n
    centre = phat + z * z / (2 * n)
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    lo = 0.0 if k == 0 else max(0.0, (centre - half) / denom)
    hi = 1.0 if k == n else min(1.0, (centre + half) / denom)
    return lo, hi


@dataclass(frozen=True)
class Proportion:
    """A proportion as results-v1.md writes it: n (= k), N, estimate, ci95."""

    n: int
    N: int
    estimate: float
    ci95: tuple[float, float]
    method: str = "clopper-pearson"

    def to_dict(self) -> dict:
        return {"n": self.n, "N": self.N, "estimate": self.estimate, "ci95": list(self.ci95)}


def proportion(k, n, *, method: str = "clopper-pearson", conf_level: float = 0.95) -> Proportion:
    """k / n with its CI (``method`` "clopper-pearson" or "wilson")."""
    methods = {"clopper-pearson": clopper_pearson, "wilson": wilson}
    if method not in methods:
        raise ValueError(f"method must be one of {sorted(methods)}, got {method!r}")
    k, n = _check(k, n, conf_level)
    return Proportion(k, n, k / n, methods[method](k, n, conf_level), method)
