"""Logistic regression with cluster-robust (sandwich) standard errors, as R
``sandwich::vcovCL(glm(y ~ X, family = binomial), cluster = ~g, type = "HC0")`` with its
default ``cadjust = TRUE`` (Zeileis, Köll & Graham, J Stat Softw 2020, eq. 5).

The coefficients are those of :func:`prrt_rwe.stats.logistic.logistic` (maximum likelihood,
R ``glm``). With mu_i = expit(x_i'b), the score of subject i is U_i = (y_i - mu_i) x_i
(``estfun.glm``, dispersion 1) and the information is I = X' diag(mu (1 - mu)) X. Summing the
scores within each of the G clusters, U_g = sum_(i in g) U_i,

    V = G / (G - 1) * I^-1 (sum_g U_g U_g') I^-1,

which is ``vcovCL``'s bread (n I^-1) times its meat ((G / (G - 1)) sum_g U_g U_g' / n) times the
bread, over n. Wald z, p and CIs use the robust SE, as ``lmtest::coeftest(fit, vcov = V)`` and
``coefci`` with the normal quantile.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, ndtr, ndtri

from prrt_rwe.stats.logistic import Logistic, _design, _outcome, logistic   # the fit's own design
from prrt_rwe.stats.survival_data import as_labels

__all__ = ["RobustLogistic", "logistic_cluster", "cluster_robust_vcov"]


@dataclass(frozen=True)
class RobustLogistic(Logistic):
    """A :class:`Logistic` fit whose z, p and CIs use the cluster-robust SE (``robust_se``;
    ``se`` stays model-based, as R ``summary(coxph(..., cluster =))`` lays them out)."""

    robust_se: np.ndarray | None = None
    var: np.ndarray | None = None       # the robust covariance (intercept first)
    n_clusters: int = 0
    variance: str = "HC0, cluster-adjusted G/(G-1)"

    def summary(self, intercept: bool = True) -> pd.DataFrame:
        frame = super().summary(intercept=True)
        frame.insert(frame.columns.get_loc("se") + 1, "robust_se", self.robust_se)
        return frame if intercept else frame[~frame["is_intercept"]].reset_index(drop=True)


def cluster_robust_vcov(D: np.ndarray, y: np.ndarray, coef: np.ndarray, cluster_codes: np.ndarray,
                        n_clusters: int) -> np.ndarray:
    """V of the module doc for design ``D`` (intercept included), 0/1 ``y`` and codes 0..G-1."""
    mu = expit(D @ coef)
    info = (D * (mu * (1 - mu))[:, None]).T @ D
    bread = np.linalg.inv(info)
    scores = D * (y - mu)[:, None]
    per_cluster = np.zeros((n_clusters, D.shape[1]))
    np.add.at(per_cluster, cluster_codes, scores)
    meat = per_cluster.T @ per_cluster * (n_clusters / (n_clusters - 1))
    return bread @ meat @ bread


def logistic_cluster(y, X, cluster, *, conf_level: float = 0.95) -> RobustLogistic:
    """Fit ``logistic(y, X)`` and replace its variance by the cluster-robust one (module doc)."""
    fit = logistic(y, X, conf_level=conf_level)
    n = fit.n
    codes, levels = as_labels(cluster, n, "cluster")
    if len(levels) < 2:
        raise ValueError("cluster: needs at least two clusters for a cluster-robust variance")
    D, _ = _design(X, n)
    yy = _outcome(y)
    var = cluster_robust_vcov(D, yy, fit.coef, codes, len(levels))
    robust_se = np.sqrt(np.diag(var))
    z = fit.coef / robust_se
    half = float(ndtri((1 + conf_level) / 2)) * robust_se
    fields = {f.name: getattr(fit, f.name) for f in dataclasses.fields(Logistic)}
    fields.update(z=z, p=2 * ndtr(-np.abs(z)), ci95=np.column_stack([fit.coef - half, fit.coef + half]))
    return RobustLogistic(**fields, robust_se=robust_se, var=var, n_clusters=len(levels))
