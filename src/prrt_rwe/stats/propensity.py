"""Inverse probability of treatment weights and covariate balance (Austin & Stuart, Stat Med
2015).

* ``iptw_weights``: propensity e(x) by logistic regression of the exposure on X (R
  ``glm(binomial)``, :func:`prrt_rwe.stats.logistic.logistic`); stabilized ATE weights
  w = P(A=1)/e(x) for the exposed, P(A=0)/(1 − e(x)) for the unexposed (Robins, Hernán &
  Brumback 2000); optional truncation of the weights at two percentiles (R ``quantile``
  type 7, numpy's default); Kish effective sample size (Σw)²/Σw², overall and per arm.
* ``balance``: standardized mean differences (m₁ − m₀)/√((s₁² + s₀²)/2), before weighting
  (plain means; s² = p(1 − p) for a 0/1 column, the sample variance otherwise) and after
  (weighted means; for a 0/1 column p(1 − p) of the weighted proportion, otherwise the
  weighted variance Σw(x − x̄_w)²/Σw · n/(n − 1), R ``survey::svyvar``), as R
  ``tableone::svyCreateTableOne`` reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from prrt_rwe.stats.logistic import Logistic, logistic
from prrt_rwe.stats.survival_data import as_covariates, check_event

__all__ = ["IptwWeights", "Balance", "iptw_weights", "balance", "kish_ess"]


@dataclass(frozen=True)
class IptwWeights:
    exposure: np.ndarray  # 0/1
    propensity: np.ndarray
    weights: np.ndarray  # stabilized, truncated when asked
    untruncated: np.ndarray
    truncation: tuple[float, float] | None  # percentiles
    limits: tuple[float, float] | None  # the weight values they gave
    ess: float
    ess_exposed: float
    ess_unexposed: float
    model: Logistic


@dataclass(frozen=True)
class Balance:
    """Per covariate (``names`` order): means by arm and the SMD, before and after weighting."""

    names: tuple[str, ...]
    binary: np.ndarray
    mean_exposed: np.ndarray
    mean_unexposed: np.ndarray
    wmean_exposed: np.ndarray
    wmean_unexposed: np.ndarray
    smd_before: np.ndarray
    smd_after: np.ndarray


def kish_ess(w) -> float:
    w = np.asarray(w, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if w.size else 0.0


def iptw_weights(exposure, X, *, truncation: tuple[float, float] | None = None) -> IptwWeights:
    """Stabilized ATE weights of a 0/1 ``exposure`` given covariates ``X`` (module doc)."""
    a = check_event(exposure, "exposure").astype(float)
    if a.size == 0 or a.min() == a.max():
        raise ValueError("exposure: every patient has the same value; weights need both arms")
    model = logistic(a, X)
    mat, _ = as_covariates(X, a.size)
    e = expit(np.column_stack([np.ones(a.size), mat]) @ model.coef)
    pa = a.mean()
    w0 = np.where(a == 1, pa / e, (1 - pa) / (1 - e))
    w, limits = w0, None
    if truncation is not None:
        lo, hi = truncation
        if not 0 <= lo < hi <= 100:
            raise ValueError(f"truncation percentiles must satisfy 0 <= lo < hi <= 100, got {truncation}")
        limits = tuple(float(q) for q in np.percentile(w0, [lo, hi]))
        w = np.clip(w0, *limits)
    return IptwWeights(a.astype(np.int8), e, w, w0, None if truncation is None else tuple(truncation),
                       limits, kish_ess(w), kish_ess(w[a == 1]), kish_ess(w[a == 0]), model)


def _moments(x, w, binary):
    m = (w @ x) / w.sum()
    if binary:
        return m, m * (1 - m)
    n = np.count_nonzero(w)
    return m, (w @ (x - m) ** 2) / w.sum() * n / (n - 1)


def balance(X, exposure, weights) -> Balance:
    """SMDs of every column of ``X`` between the arms, unweighted and weighted (module doc)."""
    a = check_event(exposure, "exposure").astype(bool)
    mat, names = as_covariates(X, a.size)
    w = np.asarray(weights, dtype=float)
    out = {k: [] for k in ("binary", "m1", "m0", "wm1", "wm0", "before", "after")}
    for j in range(mat.shape[1]):
        x = mat[:, j]
        binary = bool(np.all(np.isin(x, (0.0, 1.0))))
        m1, v1 = _moments(x[a], np.ones(a.sum()), binary)
        m0, v0 = _moments(x[~a], np.ones((~a).sum()), binary)
        wm1, wv1 = _moments(x[a], w[a], binary)
        wm0, wv0 = _moments(x[~a], w[~a], binary)
        out["binary"].append(binary)
        out["m1"].append(m1), out["m0"].append(m0), out["wm1"].append(wm1), out["wm0"].append(wm0)
        out["before"].append(_smd(m1, m0, v1, v0))
        out["after"].append(_smd(wm1, wm0, wv1, wv0))
    arr = {k: np.asarray(v, dtype=float if k != "binary" else bool) for k, v in out.items()}
    return Balance(names, arr["binary"], arr["m1"], arr["m0"], arr["wm1"], arr["wm0"], arr["before"], arr["after"])


def _smd(m1, m0, v1, v0) -> float:
    pooled = np.sqrt((v1 + v0) / 2)
    if pooled == 0:
        return 0.0 if m1 == m0 else float("inf")
    return float((m1 - m0) / pooled)
