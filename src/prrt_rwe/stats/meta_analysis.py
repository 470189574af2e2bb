"""Random-effects meta-analysis of proportions on the logit scale, as R metafor 3.8
``escalc(measure = "PLO")`` then ``rma(yi, vi, method = "REML" | "DL")`` (``rma.uni``,
intercept-only model, ``test = "z"``).

* ``escalc_plo``: yi = log(x / (n − x)), vi = 1/x + 1/(n − x); where x = 0 or x = n,
  0.5 is added to both cells first (``add = 1/2, to = "only0"``, metafor's default).
* DerSimonian–Laird: w = 1/v, Q = Σw(y − ȳ_w)², τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)).
* REML: Fisher scoring from the Hedges (HE) estimate max(0, (RSS − tr(PV)) / (k − 1)), step
  (y'PPy − tr P) / tr(PP), halved while it would make τ² negative, until the change is below
  ``threshold``; then metafor's ``ll0check`` (τ² = 0 when its REML log-likelihood is higher).
  metafor's default threshold is 1e-5; ours is 1e-12, so the value is the REML root itself.
* pooled μ̂ = Σw*y / Σw* with w* = 1/(v + τ²), SE = (Σw*)^−½, CI μ̂ ± z SE;
  prediction interval μ̂ ± z √(SE² + τ²) (``predict.rma``); I² = 100 τ² / (τ² + ṽ) with the
  "typical" sampling variance ṽ = (k − 1) / (Σw − Σw²/Σw) (Higgins & Thompson 2002), H² = τ²/ṽ + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import chdtrc, ndtri

__all__ = ["MetaAnalysis", "escalc_plo", "rma"]

METHODS = ("REML", "DL")
TAU2_MAX_ITER = 100  # metafor control maxiter
LL0_TOL = np.finfo(float).eps ** 0.25  # metafor control tol


@dataclass(frozen=True)
class MetaAnalysis:
    """An intercept-only random-effects model (names as metafor's ``rma`` object)."""

    method: str
    k: int
    estimate: float
    se: float
    ci: tuple[float, float]
    tau2: float
    i2: float
    h2: float
    q: float
    q_p: float
    prediction_interval: tuple[float, float]
    iterations: int
    conf_level: float


def escalc_plo(x, n, add: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Logit proportions and their sampling variances (metafor ``escalc("PLO")``, to = "only0")."""
    xi, ni = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    if xi.shape != ni.shape or np.any(ni <= 0) or np.any(xi < 0) or np.any(xi > ni):
        raise ValueError("need 0 <= x <= n and n > 0 for every study")
    mi = ni - xi
    zero = (xi == 0) | (mi == 0)
    xi, mi = np.where(zero, xi + add, xi), np.where(zero, mi + add, mi)
    return np.log(xi / mi), 1 / xi + 1 / mi


def _fixed(y, v):
    w = 1 / v
    mu = (w @ y) / w.sum()
    return w, mu


def _reml_ll(y, v, tau2) -> float:
    w, mu = _fixed(y, v + tau2)
    return float(-0.5 * (len(y) - 1) * np.log(2 * np.pi) - 0.5 * np.log(v + tau2).sum()
                 - 0.5 * np.log(w.sum()) - 0.5 * (w * (y - mu) ** 2).sum())


def _reml(y, v, threshold):
    k = len(y)
    resid = y - y.mean()
    p_ols = np.eye(k) - np.full((k, k), 1 / k)
    tau2 = max(0.0, float((resid @ resid - np.trace(p_ols * v)) / (k - 1)))  # HE start
    iterations, change = 0, threshold + 1
    while change > threshold:
        iterations += 1
        if iterations > TAU2_MAX_ITER + 1:
            raise ArithmeticError("REML Fisher scoring did not converge (metafor: 'did not converge')")
        w = 1 / (v + tau2)
        P = np.diag(w) - np.outer(w, w) / w.sum()
        Py = P @ y
        adj = float((Py @ Py - np.trace(P)) / np.sum(P * P))
        while tau2 + adj < 0:
            adj /= 2
        old, tau2 = tau2, tau2 + adj
        change = abs(old - tau2)
    if _reml_ll(y, v, 0.0) - _reml_ll(y, v, tau2) > LL0_TOL and tau2 > threshold:
        tau2 = 0.0  # metafor ll0check: stuck at a local maximum
    return max(0.0, tau2), iterations


def rma(yi, vi, method: str = "REML", *, threshold: float = 1e-12, conf_level: float = 0.95) -> MetaAnalysis:
    """Random-effects pooling of ``yi`` with sampling variances ``vi`` (see module doc)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    k = len(y)
    if k < 2 or v.shape != y.shape:
        raise ValueError("a random-effects meta-analysis needs at least two studies")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise ValueError("yi must be finite and vi positive")
    w, mu_fe = _fixed(y, v)
    q = float((w * (y - mu_fe) ** 2).sum())
    trace_p = w.sum() - (w ** 2).sum() / w.sum()
    if method == "DL":
        tau2, iterations = max(0.0, (q - (k - 1)) / trace_p), 0
    else:
        tau2, iterations = _reml(y, v, threshold)
    ws, mu = _fixed(y, v + tau2)
    se = float(1 / np.sqrt(ws.sum()))
    z = float(ndtri(1 - (1 - conf_level) / 2))
    typical = (k - 1) / trace_p
    half_pi = z * np.sqrt(se ** 2 + tau2)
    return MetaAnalysis(method, k, float(mu), se, (float(mu - z * se), float(mu + z * se)), float(tau2),
                        float(100 * tau2 / (typical + tau2)), float(tau2 / typical + 1), q,
                        float(chdtrc(k - 1, q)), (float(mu - half_pi), float(mu + half_pi)), iterations,
                        float(conf_level))
