"""Logistic regression for a binary outcome, as R ``glm(y ~ X, family = binomial)``.

* An intercept is always added, named ``(Intercept)`` as in R; it stays in ``coef`` and is
  flagged ``is_intercept`` in :meth:`Logistic.summary` (papers report odds ratios of the
  covariates only: ``summary(intercept=False)``).
* ``ci="wald"``: b ± z·se, R ``confint.default``; p-values from z = b/se (R ``summary.glm``).
* ``ci="profile"``: profile-likelihood limits, R ``confint(glm)`` (MASS / R >= 4.4),
  see :mod:`prrt_rwe.stats.logistic_profile`.
* ``firth=True``: Firth's penalised likelihood, as R ``logistf``
  (:mod:`prrt_rwe.stats.firth`); profile-penalised-likelihood CIs by default (logistf
  ``pl = TRUE``), Wald with ``ci="wald"``. Without Firth the default is Wald (R
  ``confint.default``, the spec's choice for the default models).
* Perfect or quasi-complete separation raises :class:`SeparationError` naming the
  covariates (ML estimates do not exist) unless ``firth=True``; aliased (collinear)
  columns raise ``ValueError`` naming them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from prrt_rwe.stats.logistic_fit import binomial_fit
from prrt_rwe.stats.logistic_profile import profile_ci
from prrt_rwe.stats.rank import matrix_rank
from prrt_rwe.stats.separation import SeparationError, separating_terms
from prrt_rwe.stats.survival_data import SurvivalDataError, as_covariates, check_event

__all__ = ["INTERCEPT", "Logistic", "SeparationError", "logistic", "wald"]

INTERCEPT = "(Intercept)"
CI_METHODS = ("wald", "profile")


@dataclass(frozen=True)
class Logistic:
    terms: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    z: np.ndarray
    p: np.ndarray
    ci95: np.ndarray  # (p, 2) on the coefficient (log-odds) scale
    loglik: float
    null_loglik: float
    n: int
    events: int
    ci_method: str
    conf_level: float
    firth: bool
    iterations: int
    p_method: str = "wald"

    @property
    def odds_ratio(self) -> np.ndarray:
        return np.exp(self.coef)

    @property
    def or_ci95(self) -> np.ndarray:
        return np.exp(self.ci95)

    @property
    def deviance(self) -> float:
        return -2 * self.loglik

    @property
    def aic(self) -> float:
        return -2 * self.loglik + 2 * len(self.terms)

    def summary(self, intercept: bool = True) -> pd.DataFrame:
        """One row per term: coef, se, z, p, odds ratio and its CI; ``is_intercept`` flagged."""
        frame = pd.DataFrame({
            "term": list(self.terms), "coef": self.coef, "se": self.se, "z": self.z, "p": self.p,
            "odds_ratio": self.odds_ratio, "or_lower": self.or_ci95[:, 0],
            "or_upper": self.or_ci95[:, 1], "is_intercept": [t == INTERCEPT for t in self.terms],
        })
        return frame if intercept else frame[~frame["is_intercept"]].reset_index(drop=True)


def _outcome(y) -> np.ndarray:
    try:
        return check_event(y, "y").astype(float)
    except SurvivalDataError as err:
        raise SurvivalDataError("y", "must be 0 or 1 (or booleans)", err.rows) from None


def _design(X, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    if X is None:
        mat, names = np.empty((n, 0)), ()
    else:
        mat, names = as_covariates(X, n)
    if INTERCEPT in names:
        raise ValueError(f"X: a column is named {INTERCEPT!r}; the intercept is added for you")
    return np.column_stack([np.ones(n), mat]), (INTERCEPT, *names)


def _check_rank(X: np.ndarray, names) -> None:
    # numpy's rank decision without a copy of the whole design (stats/rank.py, issue 17)
    if matrix_rank(X) == X.shape[1]:
        return
    aliased, kept = [], [0]
    for j in range(1, X.shape[1]):
        if matrix_rank(X, kept + [j]) == len(kept) + 1:
            kept.append(j)
        else:
            aliased.append(names[j])
    raise ValueError(f"X: collinear columns (R would report NA coefficients): {', '.join(aliased)}")


def _check_separation(X, y, names) -> None:
    terms = separating_terms(X, y, names)
    if terms:
        named = [t for t in terms if t != INTERCEPT] or terms
        raise SeparationError(named)


def wald(coef: np.ndarray, information: np.ndarray | None, conf_level: float = 0.95, var=None):
    """(se, z, p, limits) from the information matrix (or a covariance ``var``), as R
    ``summary.glm`` and ``confint.default``."""
    se = np.sqrt(np.diag(np.linalg.inv(information) if var is None else var))
    z = coef / se
    half = float(ndtri(1 - (1 - conf_level) / 2)) * se
    return se, z, 2 * ndtr(-np.abs(z)), np.column_stack([coef - half, coef + half])


def logistic(y, X=None, *, ci: str | None = None, firth: bool = False,
             conf_level: float = 0.95) -> Logistic:
    """Fit a logistic model of 0/1 ``y`` on the columns of ``X`` (plus an intercept);
    ``ci`` None = "profile" with Firth (as logistf), "wald" without."""
    ci = ("profile" if firth else "wald") if ci is None else ci
    if ci not in CI_METHODS:
        raise ValueError(f"ci must be one of {CI_METHODS}, got {ci!r}")
    yy = _outcome(y)
    if yy.size == 0 or yy.min() == yy.max():
        raise ValueError(f"y: every value is {int(yy[0]) if yy.size else '-'}; a logistic model "
                         "needs both outcomes")
    D, names = _design(X, yy.shape[0])
    _check_rank(D, names)
    if firth:
        from prrt_rwe.stats.firth import firth_logistic

        return firth_logistic(D, yy, names, ci=ci, conf_level=conf_level)
    _check_separation(D, yy, names)
    fit = binomial_fit(D, yy)
    se, z, pvals, limits = wald(fit.coef, fit.information, conf_level)
    if ci == "profile":
        limits = profile_ci(D, yy, fit.coef, se, fit.deviance, conf_level)
    null = binomial_fit(D[:, :1], yy)
    return Logistic(names, fit.coef, se, z, pvals, limits, -fit.deviance / 2, -null.deviance / 2,
                    int(yy.size), int(yy.sum()), ci, float(conf_level), False, fit.iterations)

