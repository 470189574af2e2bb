"""Shared gamma frailty Cox model, as R survival 3.5 ``coxph(Surv(t, e) ~ x + frailty(g))``
with its default ``method = "em"`` (R/frailty.gamma.R, R/frailty.controlgam.R,
R/coxpenal.fit.R, R/frailty.brent.R).

The frailty variance theta is chosen by maximizing the marginal ("I-") log-likelihood
    L(theta) = PPL(theta) + Σ_g [d_g + nu log(nu / (nu + d_g)) + Σ_{j=1..d_g} log((nu + j − 1) / (nu + d_g))]
(nu = 1/theta, d_g = events of group g; ``frailty.gammacon``), PPL being the penalized partial
likelihood maximized at that theta (:mod:`prrt_rwe.stats.frailty_newton`). The search is R's,
step for step, so it stops where R stops:

1. theta = 0 (an ordinary Cox fit), then theta = 1;
2. third: the mean of the two when L(1) < L(0) + 1, else 2;
3. then ``frailty.brent`` on sqrt(theta) (a parabola through the best point and its
   neighbours, 2·max when the largest theta is also the best), until
   |1 − L_k / L_(k−1)| < ``eps`` (``frailty(..., eps)``, default 1e-5) or ``outer_max`` fits
   (``coxph.control(outer.max)``, default 10);
4. each fit starts from the earlier fit whose theta is nearest.

theta, the coefficients and their variance are those of the last fit (R prints that theta as
"Variance of random effect"); SEs sqrt(diag(var)), Wald chi-square p and CIs
exp(coef ± z·se) as ``summary(coxph)``. Efron ties, the sparse diagonal information when
there are more than 5 groups (R's ``sparse`` default).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import chdtrc, ndtri
from threadpoolctl import threadpool_limits

from prrt_rwe.stats.frailty_newton import FrailtyData, frailty_data, inner_fit
from prrt_rwe.stats.survival_data import SurvivalDataError, survival_data

__all__ = ["FrailtyCox", "cox_frailty", "gamma_correction"]


@dataclass(frozen=True)
class FrailtyCox:
    terms: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    var: np.ndarray
    hazard_ratio: np.ndarray
    ci95: np.ndarray
    p: np.ndarray
    theta: float
    frailty: np.ndarray  # per group, in group-label order
    groups: tuple
    loglik: float  # partial log-likelihood at the fit (R fit$loglik[2])
    i_loglik: float  # marginal log-likelihood the theta search maximized
    history: tuple  # (theta, loglik + penalty, I-likelihood) of every outer fit
    n: int
    n_events: int
    outer_iterations: int
    converged: bool  # the theta search stopped by its eps rule (not by outer_max)
    inner_converged: bool  # the Newton iterations of the last fit met inner_eps
    sparse: bool
    conf_level: float

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"coef": self.coef, "hazard_ratio": self.hazard_ratio, "se": self.se,
                             "p": self.p, "lower": self.ci95[:, 0], "upper": self.ci95[:, 1]},
                            index=pd.Index(self.terms, name="term"))


def gamma_correction(events_per_group, nu: float) -> float:
    """R ``frailty.gammacon(d, nu)``: the gamma-frailty term added to the penalized loglik."""
    d = np.asarray(events_per_group, dtype=float)
    maxd = d.max()
    if nu > 1e7 * maxd:
        term1 = float((d * d).sum() / nu)
    else:
        term1 = float((d + nu * np.log(nu / (nu + d))).sum())
    term2 = 0.0
    for dg in d[d > 0].astype(int):
        j = np.arange(1, dg + 1)
        term2 += float(np.log((nu + j - 1) / (nu + dg)).sum())
    return term1 + term2


def brent_step(x, y, lower=None) -> float:
    """R ``frailty.brent(x, y, lower)``: the next x to try for a maximum of y."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if n < 3:
        return float(x.mean())
    order = np.argsort(x, kind="stable")
    xx, yy = x[order], y[order]
    best = np.flatnonzero(yy == y.max())
    if len(best) > 1:
        raise ArithmeticError("frailty theta search: ties for the best likelihood (R: 'I surrender')")
    best = int(best[0])
    if best == 0:
        new = xx[0] - 3 * (xx[1] - xx[0])
        if lower is not None and new < lower:
            new = lower + (xx[xx > lower].min() - lower) / 10
        return float(new)
    if best == n - 1:
        return float(xx[n - 1] + 3 * (xx[n - 1] - xx[n - 2]))
    xx, yy = xx[best - 1:best + 2], yy[best - 1:best + 2]
    temp1 = (xx[1] - xx[0]) ** 2 * (yy[1] - yy[2]) - (xx[1] - xx[2]) ** 2 * (yy[1] - yy[0])
    temp2 = (xx[1] - xx[0]) * (yy[1] - yy[2]) - (xx[1] - xx[2]) * (yy[1] - yy[0])
    new = xx[1] - 0.5 * temp1 / temp2
    if new < xx[0] or new > xx[2] or (n > 4 and (new - x[n - 1]) > 0.5 * abs(x[n - 2] - x[n - 3])):
        if (xx[1] - xx[0]) > (xx[2] - xx[1]):
            return float(xx[1] - 0.38 * (xx[1] - xx[0]))
        return float(xx[1] + 0.32 * (xx[2] - xx[1]))
    return float(new)


def _next_theta(history: list, eps: float) -> tuple[float, bool]:
    """R ``frailty.controlgam`` after a fit: (next theta, done)."""
    h = np.asarray(history)
    it = len(h)
    if it == 1:
        return 1.0, False
    if it == 2:
        return (float(h[:2, 0].mean()) if h[1, 2] < h[0, 2] + 1 else 2 * float(h[1, 0])), False
    done = abs(1 - h[-1, 2] / h[-2, 2]) < eps
    x, y = h[:, 0], h[:, 2]
    if y[-1] == y.max() and x[-1] == x.max():
        return 2 * float(x.max()), done
    return brent_step(np.sqrt(x), y, lower=0.0) ** 2, done


def _search(data: FrailtyData, events, p, eps, inner_eps, outer_max, sparse):
    G = data.n_groups
    theta, init, finit = 0.0, np.zeros(p), np.zeros(G)
    history, thetas, starts = [], [], []
    for _ in range(outer_max):
        fit = inner_fit(data, theta, init, finit, sparse=sparse, eps=inner_eps)
        correct = 0.0 if theta == 0 else gamma_correction(events, 1 / theta)
        history.append((theta, fit.loglik, fit.loglik + correct))
        thetas.append(theta)
        starts.append((fit.beta, fit.frail))
        new, done = _next_theta(history, eps)
        if done:
            return fit, history, True
        nearest = int(np.argmin((np.asarray(thetas) - new) ** 2))
        init, finit = starts[nearest]
        theta = new
    return fit, history, False


def cox_frailty(time, event, X, group, *, eps: float = 1e-5, inner_eps: float = 1e-9,
                outer_max: int = 10, sparse: bool | None = None, ties: str = "efron",
                conf_level: float = 0.95) -> FrailtyCox:
    """Cox model with a shared gamma frailty per ``group`` (see the module doc)."""
    sd = survival_data(time, event, X=X, cluster=group)
    if ties not in ("efron", "breslow"):
        raise ValueError(f"ties must be 'efron' or 'breslow', got {ties!r}")
    if sd.X is None or sd.X.shape[1] == 0:
        raise SurvivalDataError("X", "needs at least one covariate column")
    if sd.event.sum() == 0:
        raise SurvivalDataError("event", "has no events; a Cox model needs at least one")
    G = len(sd.cluster_levels)
    if G < 2:
        raise ValueError("group: a frailty model needs at least two groups")
    sparse = G > 5 if sparse is None else bool(sparse)
    events = np.bincount(sd.cluster, weights=sd.event, minlength=G)
    data = frailty_data(sd.time, sd.event, sd.X, sd.cluster, G, np.ones(sd.n), ties == "efron")
    p = sd.X.shape[1]
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: one BLAS thread is faster
        fit, history, converged = _search(data, events, p, eps, inner_eps, outer_max, sparse)
    var = np.linalg.inv(fit.information)[G:, G:]
    se = np.sqrt(np.diag(var))
    z = float(ndtri(1 - (1 - conf_level) / 2))
    ci = np.exp(np.column_stack([fit.beta - z * se, fit.beta + z * se]))
    return FrailtyCox(sd.names, fit.beta, se, var, np.exp(fit.beta), ci, chdtrc(1, (fit.beta / se) ** 2),
                      float(history[-1][0]), fit.frail, sd.cluster_levels, fit.loglik - fit.penalty,
                      float(history[-1][2]), tuple(history), sd.n, int(sd.event.sum()), len(history),
                      converged, fit.converged, sparse, float(conf_level))
