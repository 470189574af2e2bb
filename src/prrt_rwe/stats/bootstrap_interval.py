"""Bootstrap confidence intervals from a bootstrap distribution, as R ``boot.ci``.

* ``percentile``: R ``boot.ci(type = "perc")``: order statistics at (R + 1)·α, interpolated
  on the normal-quantile scale between neighbours (boot's ``norm.inter``);
* ``bca``: R ``boot.ci(type = "bca")``, with ``L = empinf(type = "reg")`` (boot's default)
  or ``L = empinf(type = "jack")``: bias correction
  w = Φ⁻¹(#{t* < t0} / R), acceleration a = Σ L³ / (6 (Σ L²)^{3/2}) from jackknife influence
  values L_i = (n − 1)(t0 − t_(−i)) (boot's ``usual.jack``, centred on t0 rather than on
  the mean of the t_(−i)), then ``norm.inter`` at the adjusted levels
  Φ(w + (w + z_α) / (1 − a (w + z_α))) (Efron 1987; Davison & Hinkley 1997, §5.3).
Non-finite resamples are dropped first, as boot does.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = ["bca_interval", "jackknife_influence", "norm_inter", "percentile_interval",
           "regression_influence"]


def norm_inter(t: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """R ``boot:::norm.inter``: quantiles of ``t`` at levels ``alpha``."""
    t = np.sort(t[np.isfinite(t)])
    R = t.size
    alpha = np.atleast_1d(np.asarray(alpha, dtype=float))
    out = np.full(alpha.shape, np.nan)
    if R == 0:
        return out
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    for i, (ki, rki, ai) in enumerate(zip(k, rk, alpha)):
        if ki <= 0:
            out[i] = t[0]
        elif ki >= R:
            out[i] = t[R - 1]
        elif ki == rki:
            out[i] = t[ki - 1]
        else:
            z, zk, zk1 = ndtri(ai), ndtri(ki / (R + 1)), ndtri((ki + 1) / (R + 1))
            out[i] = t[ki - 1] + (z - zk) / (zk1 - zk) * (t[ki] - t[ki - 1])
    return out


def _levels(conf_level: float) -> np.ndarray:
    return np.array([(1 - conf_level) / 2, (1 + conf_level) / 2])


def percentile_interval(t: np.ndarray, conf_level: float = 0.95) -> tuple[float, float]:
    lo, hi = norm_inter(np.asarray(t, float), _levels(conf_level))
    return float(lo), float(hi)


def jackknife_influence(leave_one_out: np.ndarray, t0: float) -> np.ndarray:
    """Influence values (n − 1)(t0 − t_(−i)) from the n leave-one-out statistics
    (boot ``empinf(type = "jack")``)."""
    loo = np.asarray(leave_one_out, float)
    return (loo.size - 1) * (t0 - loo)


def regression_influence(freq: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Influence values by regression of t* on the resampling frequencies
    (boot ``empinf(type = "reg")``, the default of ``boot.ci(type = "bca")``): least squares
    of t* on an intercept and f*/n without the first row's column, l = (0, b), centred."""
    t = np.asarray(t, float)
    finite = np.isfinite(t)
    X = freq[finite].astype(float) / freq.shape[1]
    design = np.column_stack([np.ones(X.shape[0]), X[:, 1:]])
    beta, *_ = np.linalg.lstsq(design, t[finite], rcond=None)
    L = np.concatenate([[0.0], beta[1:]])
    return L - L.mean()


def bca_interval(t: np.ndarray, t0: float, influence: np.ndarray,
                 conf_level: float = 0.95) -> tuple[float, float]:
    t = np.asarray(t, float)
    t = t[np.isfinite(t)]
    w = ndtri(np.mean(t < t0))
    if not np.isfinite(w):
        raise ValueError("BCa: bias correction is infinite (t0 outside the bootstrap distribution)")
    L = np.asarray(influence, float)
    if not np.any(L != 0):
        raise ValueError("BCa: every influence value is 0, so the acceleration is undefined "
                         "(typical of a jackknifed median); use influence='regression' or "
                         "method='percentile'")
    a = np.sum(L ** 3) / (6 * np.sum(L ** 2) ** 1.5)
    z = ndtri(_levels(conf_level))
    adjusted = ndtr(w + (w + z) / (1 - a * (w + z)))
    lo, hi = norm_inter(t, adjusted)
    return float(lo), float(hi)
