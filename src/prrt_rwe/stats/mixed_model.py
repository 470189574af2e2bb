"""Linear mixed model with one grouping level, fitted by REML, as R ``nlme::lme(y ~ x,
random = ~ z | group, method = "REML")`` with an unstructured (``pdSymm``) random-effects
covariance (Laird & Ware 1982; Pinheiro & Bates 2000, ch. 2).

Model: y_i = X_i β + Z_i b_i + e_i per group i, b_i ~ N(0, σ² Ψ), e_i ~ N(0, σ² I), Ψ = L L'.
With W_i = (I + Z_i Ψ Z_i')⁻¹ the profiled REML criterion is

    −2 l_R(Ψ) = (N − p)(1 + log(2π σ̂²)) + Σ log|I + L' Z_i'Z_i L| + log|X'WX|,

σ̂² = r'W r / (N − p) at β̂ = (X'WX)⁻¹ X'W y (nlme's REML ``logLik``). Every term needs only the per-group cross-products Z_i'Z_i, Z_i'X_i, Z_i'y_i
(Woodbury), so one evaluation is one compiled pass over the groups, O(groups q³). The criterion is minimised over the
log-Cholesky parameters of L (BFGS, then Newton steps on a numerical Hessian until the
step is below 1e-10). Var(β̂) = σ̂² (X'WX)⁻¹; t-based intervals with nlme's denominator df
(``getFixDF``): N − groups − (number of non-intercept columns that vary within groups) for the
intercept and those columns, groups − 1 − (number of the others) for group-level columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit
from scipy import optimize, stats as sps

from prrt_rwe.stats.survival_data import SurvivalDataError, as_covariates, as_labels

__all__ = ["MixedModel", "linear_mixed_model"]


@dataclass(frozen=True)
class MixedModel:
    terms: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    df: np.ndarray
    t: np.ndarray
    p: np.ndarray
    ci: np.ndarray              # (p, 2) at conf_level
    sigma: float                # residual standard deviation
    random_cov: np.ndarray      # σ² Ψ, covariance of the random effects (q, q)
    random_terms: tuple[str, ...]
    loglik: float               # REML log-likelihood (nlme's logLik)
    n: int
    n_groups: int
    conf_level: float
    method: str = "REML"

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"coef": self.coef, "se": self.se, "df": self.df, "t": self.t, "p": self.p,
                             "lower": self.ci[:, 0], "upper": self.ci[:, 1]},
                            index=pd.Index(self.terms, name="term"))


@dataclass(frozen=True)
class _Crossproducts:
    ztz: np.ndarray   # (m, q, q)
    ztx: np.ndarray   # (m, q, p)
    zty: np.ndarray   # (m, q)
    xtx: np.ndarray
    xty: np.ndarray
    yty: float
    n: int


def _crossproducts(y, X, Z, g, m) -> _Crossproducts:
    """Per-group cross-products by one weighted bincount per entry (contiguous arrays)."""
    q, p = Z.shape[1], X.shape[1]

    def per_group(w):
        return np.bincount(g, weights=w, minlength=m)

    ztz = np.empty((m, q, q))
    ztx = np.empty((m, q, p))
    for a in range(q):
        for b in range(q):
            ztz[:, a, b] = per_group(Z[:, a] * Z[:, b])
        for b in range(p):
            ztx[:, a, b] = per_group(Z[:, a] * X[:, b])
    zty = np.column_stack([per_group(Z[:, a] * y) for a in range(q)])
    return _Crossproducts(ztz, ztx, np.ascontiguousarray(zty), X.T @ X, X.T @ y, float(y @ y), y.size)


def _cholesky(theta: np.ndarray, q: int) -> np.ndarray:
    """Lower-triangular L from log-Cholesky parameters (diagonal on the log scale)."""
    L = np.zeros((q, q))
    L[np.tril_indices(q)] = theta
    L[np.diag_indices(q)] = np.exp(np.diag(L))
    return L


@dataclass(frozen=True)
class _Profile:
    criterion: float  # −2 l_R
    beta: np.ndarray
    sigma2: float
    xtwx: np.ndarray


@njit(cache=CACHE)
def _group_sums(L, ztz, ztx, zty):
    """Over groups: sum log|M_i|, sum B_i' K_i B_i, sum B_i' K_i c_i, sum c_i' K_i c_i with
    M_i = I + L' Z_i'Z_i L, K_i = L M_i⁻¹ L', B_i = Z_i'X_i, c_i = Z_i'y_i: one pass, small
    matrices in preallocated buffers, M_i inverted by Gauss-Jordan (it is positive definite)."""
    m, q, p = ztx.shape
    logdet = 0.0
    bkb = np.zeros((p, p))
    bkc = np.zeros(p)
    ckc = 0.0
    t = np.empty((q, q))
    aug = np.empty((q, 2 * q))
    k = np.empty((q, q))
    kb = np.empty((q, p))
    kc = np.empty(q)
    for i in range(m):
        a = ztz[i]
        for r in range(q):                      # t = A L
            for c in range(q):
                acc = 0.0
                for j in range(q):
                    acc += a[r, j] * L[j, c]
                t[r, c] = acc
        for r in range(q):                      # aug = [I + L' t | I]
            for c in range(q):
                acc = 1.0 if r == c else 0.0
                for j in range(q):
                    acc += L[j, r] * t[j, c]
                aug[r, c] = acc
                aug[r, q + c] = 1.0 if r == c else 0.0
        det = 1.0
        for r in range(q):                      # Gauss-Jordan, no pivoting needed (M > 0)
            piv = aug[r, r]
            det *= piv
            for c in range(2 * q):
                aug[r, c] /= piv
            for rr in range(q):
                if rr != r:
                    f = aug[rr, r]
                    for c in range(2 * q):
                        aug[rr, c] -= f * aug[r, c]
        logdet += np.log(det)
        for r in range(q):                      # k = L Minv L'
            for c in range(q):
                acc = 0.0
                for j in range(q):
                    for l in range(q):
                        acc += L[r, j] * aug[j, q + l] * L[c, l]
                k[r, c] = acc
        b, y = ztx[i], zty[i]
        for r in range(q):
            acc = 0.0
            for j in range(q):
                acc += k[r, j] * y[j]
            kc[r] = acc
            for c in range(p):
                acc = 0.0
                for j in range(q):
                    acc += k[r, j] * b[j, c]
                kb[r, c] = acc
        for r in range(p):
            acc = 0.0
            for j in range(q):
                acc += b[j, r] * kc[j]
            bkc[r] += acc
            for c in range(p):
                acc = 0.0
                for j in range(q):
                    acc += b[j, r] * kb[j, c]
                bkb[r, c] += acc
        for j in range(q):
            ckc += y[j] * kc[j]
    return logdet, bkb, bkc, ckc


def _profile(theta: np.ndarray, cp: _Crossproducts, q: int) -> _Profile:
    L = _cholesky(theta, q)
    p = cp.xtx.shape[0]
    logdet_m, bkb, bkc, ckc = _group_sums(L, cp.ztz, cp.ztx, cp.zty)
    xtwx = cp.xtx - bkb
    xtwy = cp.xty - bkc
    ytwy = cp.yty - ckc
    beta = np.linalg.solve(xtwx, xtwy)
    dof = cp.n - p
    sigma2 = (ytwy - beta @ xtwy) / dof
    crit = dof * (1 + np.log(2 * np.pi * sigma2)) + logdet_m + np.linalg.slogdet(xtwx)[1]
    return _Profile(float(crit), beta, float(sigma2), xtwx)


def _minimise(cp: _Crossproducts, q: int) -> np.ndarray:
    fun = lambda th: _profile(th, cp, q).criterion  # noqa: E731
    theta = optimize.minimize(fun, np.zeros(q * (q + 1) // 2), method="BFGS",
                              options={"gtol": 1e-9, "maxiter": 2000}).x
    for _ in range(4):   # Newton polish on a central-difference Hessian
        grad, hess = _derivatives(fun, theta)
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or fun(theta + step) > fun(theta) + 1e-9:
            break
        theta = theta + step
        if np.max(np.abs(step)) < 1e-8:
            break
    return theta


def _derivatives(fun, x, h_grad=1e-6, h_hess=1e-3):
    """Central-difference gradient (small step) and Hessian (larger step: the criterion is
    only known to ~1e-13, and the Hessian only steers the Newton step)."""
    k = x.size
    grad, hess = np.zeros(k), np.zeros((k, k))
    eye = np.eye(k)
    for i in range(k):
        grad[i] = (fun(x + h_grad * eye[i]) - fun(x - h_grad * eye[i])) / (2 * h_grad)
        for j in range(i + 1):
            ei, ej = h_hess * eye[i], h_hess * eye[j]
            hess[i, j] = hess[j, i] = (fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej)
                                       + fun(x - ei - ej)) / (4 * h_hess * h_hess)
    return grad, hess


def _denominator_df(X: np.ndarray, names, g: np.ndarray, m: int) -> np.ndarray:
    """nlme ``getFixDF`` for one grouping level (module doc)."""
    intercept = np.all(X == 1.0, axis=0)
    within = np.zeros(X.shape[1], dtype=bool)
    for j in range(X.shape[1]):
        lo = np.full(m, np.inf)
        hi = np.full(m, -np.inf)
        np.minimum.at(lo, g, X[:, j])
        np.maximum.at(hi, g, X[:, j])
        within[j] = bool(np.any(hi > lo))
    inner = X.shape[0] - m - int((within & ~intercept).sum())
    outer = m - 1 - int((~within & ~intercept).sum())
    return np.where(within | intercept, inner, outer).astype(float)


def linear_mixed_model(y, X, group, *, Z=None, conf_level: float = 0.95) -> MixedModel:
    """REML fit of y on the fixed design ``X`` (include the intercept column yourself) with
    random effects on the columns of ``Z`` (default ``X``) per ``group``; see the module doc."""
    yv = np.asarray(getattr(y, "to_numpy", lambda: y)(), dtype=float).reshape(-1)
    n = yv.size
    bad = np.flatnonzero(~np.isfinite(yv))
    if bad.size:
        raise SurvivalDataError("y", "must be finite (no missing values)", bad)
    mat, names = as_covariates(X, n)
    zmat, znames = (mat, names) if Z is None else as_covariates(Z, n, "Z")
    g, levels = as_labels(group, n, "group")
    m, q = len(levels), zmat.shape[1]
    if n - mat.shape[1] <= 0 or m < 2:
        raise SurvivalDataError("y", f"too few rows ({n}) or groups ({m}) for a mixed model")
    cp = _crossproducts(yv, mat, zmat, g, m)
    theta = _minimise(cp, q)
    prof = _profile(theta, cp, q)
    cov = prof.sigma2 * np.linalg.inv(prof.xtwx)
    se = np.sqrt(np.diag(cov))
    df = _denominator_df(mat, names, g, m)
    tval = prof.beta / se
    half = sps.t.ppf(1 - (1 - conf_level) / 2, df) * se
    L = _cholesky(theta, q)
    return MixedModel(tuple(names), prof.beta, se, df, tval, 2 * sps.t.sf(np.abs(tval), df),
                      np.column_stack([prof.beta - half, prof.beta + half]), float(np.sqrt(prof.sigma2)),
                      prof.sigma2 * L @ L.T, tuple(znames), -prof.criterion / 2, n, m, float(conf_level))
