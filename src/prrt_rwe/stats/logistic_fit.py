"""Maximum-likelihood fit of a logistic (binomial, logit link) model, as R ``glm.fit``.

R's iteratively reweighted least squares is replicated step for step, so that the
coefficients *and* the standard errors equal R's to rounding, not merely to R's
convergence tolerance:

* start: mu = (y + 0.5) / 2 (binomial ``initialize``), or a given linear predictor
  (``etastart``, used by the profile refits exactly as MASS ``profile.glm`` does);
* each step: working response z = eta − offset + (y − mu) / mu', weights mu (1 − mu),
  weighted least squares for the new coefficients;
* stop when |dev − dev_old| / (|dev| + 0.1) < 1e-8 (``glm.control()``), at most 25 steps;
* the covariance is (X' W X)⁻¹ with the weights of the last step, as ``summary.glm``
  computes it from the last QR decomposition;
* R's logit link guards (``-log(.Machine$double.eps)`` thresholds) are applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BinomialFit", "ConvergenceError", "IrlsFit", "IrlsSums", "binomial_fit", "binomial_deviance", "irls",
           "irls_sums"]

EPSILON = 1e-8
MAXIT = 25
_DBL_EPS = np.finfo(float).eps
_THRESH = -np.log(_DBL_EPS)


class ConvergenceError(RuntimeError):
    """The IRLS iterations did not converge (R: "glm.fit: algorithm did not converge")."""


@dataclass(frozen=True)
class BinomialFit:
    coef: np.ndarray
    deviance: float
    information: np.ndarray  # X' W X with the weights of the last IRLS step (R summary.glm)
    eta: np.ndarray
    iterations: int


def _linkinv(eta):
    """R ``binomial()$linkinv`` (C_logit_linkinv)."""
    e = np.clip(eta, -_THRESH, _THRESH)
    tmp = np.exp(e)
    mu = tmp / (1 + tmp)
    return np.where(eta < -_THRESH, _DBL_EPS, np.where(eta > _THRESH, 1 - _DBL_EPS, mu))


def _mu_eta(eta):
    """R ``binomial()$mu.eta`` (C_logit_mu_eta)."""
    opexp = 1 + np.exp(np.clip(eta, -_THRESH, _THRESH))
    val = (opexp - 1) / (opexp * opexp)
    return np.where(np.abs(eta) > _THRESH, _DBL_EPS, val)


def binomial_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """Binomial deviance of 0/1 outcomes (R ``binomial()$dev.resids`` summed)."""
    with np.errstate(divide="ignore"):
        return float(-2 * np.sum(np.where(y == 1, np.log(mu), np.log(1 - mu))))


@dataclass(frozen=True)
class IrlsSums:
    """What one IRLS step needs from the rows at the current linear predictor: X' W X,
    X' W z and the deviance (sums over rows, so sites of a network can add theirs)."""

    information: np.ndarray
    rhs: np.ndarray
    deviance: float


def irls_sums(X: np.ndarray, y: np.ndarray, coef: np.ndarray | None = None,
              offset: np.ndarray | None = None, eta_start: np.ndarray | None = None) -> IrlsSums:
    """The sums at ``coef`` (None: at R's start, mu = (y + 0.5) / 2, or ``eta_start``)."""
    off = np.zeros(X.shape[0]) if offset is None else offset
    if coef is not None:
        eta = X @ coef + off
    else:
        eta = np.log((y + 0.5) / (1.5 - y)) if eta_start is None else eta_start.astype(float)
    mu = _linkinv(eta)
    d_mu = _mu_eta(eta)
    z = eta - off + (y - mu) / d_mu
    w2 = d_mu ** 2 / (mu * (1 - mu))
    weighted = X * w2[:, None]
    return IrlsSums(weighted.T @ X, weighted.T @ z, binomial_deviance(y, mu))


@dataclass(frozen=True)
class IrlsFit:
    coef: np.ndarray
    deviance: float
    information: np.ndarray  # of the last step, as summary.glm
    iterations: int


def irls(sums_at) -> IrlsFit:
    """R's IRLS iterations with the sums from ``sums_at(coef)`` (``coef`` None: the start);
    the pooled fit passes its rows' sums, a federated fit the sum over its sites."""
    current = sums_at(None)
    dev_old = current.deviance
    for it in range(1, MAXIT + 1):
        coef = np.linalg.solve(current.information, current.rhs)
        new = sums_at(coef)
        dev = new.deviance
        if not np.isfinite(dev):
            raise ConvergenceError("logistic fit: deviance became infinite (separation?)")
        if abs(dev - dev_old) / (abs(dev) + 0.1) < EPSILON:
            return IrlsFit(coef, dev, current.information, it)
        dev_old, current = dev, new
    raise ConvergenceError(f"logistic fit did not converge in {MAXIT} IRLS iterations")


def binomial_fit(X: np.ndarray, y: np.ndarray, offset: np.ndarray | None = None,
                 eta_start: np.ndarray | None = None) -> BinomialFit:
    """Fit P(y = 1) = expit(offset + X b) by R's IRLS; X may have zero columns."""
    off = np.zeros(X.shape[0]) if offset is None else offset
    if X.shape[1] == 0:
        mu = _linkinv(off)
        return BinomialFit(np.empty(0), binomial_deviance(y, mu), np.empty((0, 0)), off, 0)
    fit = irls(lambda coef: irls_sums(X, y, coef, off, eta_start))
    return BinomialFit(fit.coef, fit.deviance, fit.information, X @ fit.coef + off, fit.iterations)
