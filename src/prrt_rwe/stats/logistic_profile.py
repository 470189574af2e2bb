"""Profile-likelihood confidence intervals of logistic coefficients, as R ``confint(glm)``.

A port of MASS ``profile.glm`` + ``confint.profile.glm`` (moved unchanged into stats in
R 4.4), so that our limits equal R's to ~1e-8 rather than merely approximating the exact
profile root:

1. ``alpha = (1 − level) / 4``, ``zmax = sqrt(qchisq(1 − alpha, 1))``, ``del = zmax / 5``;
2. for each coefficient b_j and each direction, up to 9 steps b_j = b̂_j ± k·del·se_j
   (stopping once |z| >= zmax), refitting the others with b_j as an offset;
   z = sign · sqrt(deviance(b_j) − deviance(b̂));
3. interpolate (b_j, z) by R's ``spline()`` (Forsythe-Malcolm-Moler cubic spline at
   3·m equally spaced points) and read b_j at z = qnorm(α/2), qnorm(1 − α/2) by linear
   ``approx()`` on the inverse.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from prrt_rwe.stats.logistic_fit import binomial_fit

__all__ = ["profile_ci", "fmm_spline", "r_spline"]

_MAXSTEPS = 10


def _profile_points(X, y, beta, se, deviance, j, zmax):
    """(b_j values, signed root deviance z) of MASS profile.glm for coefficient j."""
    others = np.arange(X.shape[1]) != j
    Xi = X[:, others]
    bs, zs = [beta[j]], [0.0]
    step_size = zmax / 5 * se[j]
    for sgn in (-1.0, 1.0):
        lp = X @ beta  # MASS: etastart = the previous linear predictor
        z, step = 0.0, 0
        while (step := step + 1) < _MAXSTEPS and abs(z) < zmax:
            bj = beta[j] + sgn * step * step_size
            fit = binomial_fit(Xi, y, offset=X[:, j] * bj, eta_start=lp)
            lp = fit.eta
            zz = fit.deviance - deviance
            if zz < -1e-3:
                raise RuntimeError("profiling found a better fit: the original fit had not converged")
            z = sgn * np.sqrt(max(zz, 0.0))
            bs.append(bj)
            zs.append(z)
    order = np.argsort(zs, kind="stable")
    return np.asarray(bs)[order], np.asarray(zs)[order]


def _regularize(x, y):
    """R ``regularize.values(ties = mean)``: sort by x, average y over tied x."""
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    ux, inverse = np.unique(x, return_inverse=True)
    if ux.size == x.size:
        return x, y
    return ux, np.bincount(inverse, weights=y) / np.bincount(inverse)


def fmm_spline(x, y):
    """Coefficients (b, c, d) of R's ``spline_coef(method = "fmm")`` (splines.c)."""
    n = x.size
    b, c, d = np.zeros(n), np.zeros(n), np.zeros(n)
    if n < 3:
        b[:] = (y[1] - y[0]) / (x[1] - x[0])
        return b, c, d
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, n - 1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0], b[n - 1] = -d[0], -d[n - 2]
    c[0] = c[n - 1] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[n - 1] = c[n - 2] / (x[n - 1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[n - 1] = -c[n - 1] * d[n - 2] * d[n - 2] / (x[n - 1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] = b[i] - t * d[i - 1]
        c[i] = c[i] - t * c[i - 1]
    c[n - 1] = c[n - 1] / b[n - 1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[n - 1] = (y[n - 1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[n - 1])
    for i in range(n - 1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3.0 * c[i]
    c[n - 1] = 3.0 * c[n - 1]
    d[n - 1] = d[n - 2]
    return b, c, d


def r_spline(x, y):
    """R ``spline(x, y)`` (method "fmm", n = 3·length(x)): (xout, yout)."""
    m = x.size
    x, y = _regularize(np.asarray(x, float), np.asarray(y, float))
    b, c, d = fmm_spline(x, y)
    u = np.linspace(x[0], x[-1], 3 * m)
    i = np.clip(np.searchsorted(x, u, side="right") - 1, 0, x.size - 1)
    dx = u - x[i]
    return u, y[i] + dx * (b[i] + dx * (c[i] + dx * d[i]))


def _approx_linear(x, y, xout):
    """R ``approx(x, y, xout)`` (linear, rule 1: NaN outside, ties averaged)."""
    x, y = _regularize(x, y)
    out = np.interp(xout, x, y)
    return np.where((xout < x[0]) | (xout > x[-1]), np.nan, out)


def profile_ci(X, y, beta, se, deviance, level: float = 0.95) -> np.ndarray:
    """(p, 2) profile-likelihood limits, as R ``confint(glm_fit, level = level)``."""
    alpha = (1 - level) / 4
    zmax = float(ndtri(1 - alpha / 2))  # = sqrt(qchisq(1 - alpha, 1))
    cutoff = ndtri(np.array([(1 - level) / 2, 1 - (1 - level) / 2]))
    out = np.full((X.shape[1], 2), np.nan)
    for j in range(X.shape[1]):
        bs, zs = _profile_points(X, y, beta, se, deviance, j, zmax)
        sx, sy = r_spline(bs, zs)
        out[j] = _approx_linear(sy, sx, cutoff)
    return out
