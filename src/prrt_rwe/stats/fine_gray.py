"""Fine–Gray proportional subdistribution hazards regression (Fine & Gray 1999, JASA
94:496-509), as R ``cmprsk::crr(ftime, fstatus, cov1, failcode = cause, cencode = 0)``.

Estimating equation (cmprsk 2.2-11, Fortran ``crrfsv``/``crrvv``): at each time t of an event
of the cause of interest, the risk set holds every subject with time >= t (weight 1) and every
subject who had a competing event before t, with weight G(t−)/G(t_j−), G the Kaplan–Meier of
the censoring times evaluated just before each time (R: at ``ftime * (1 − 100 eps)``). Ties
count each event (Breslow). The variance is crr's sandwich H⁻¹ (Σ (η_i + ψ_i)(η_i + ψ_i)') H⁻¹:
η_i the subject's score residual, ψ_i the correction for estimating G (one censoring group).
crr computes these with loops over all pairs (O(n²), its q(u) even O(n³)); here every sum is
a cumulative sum over the sorted times, O(n p²) per Newton step, the same numbers.

Newton–Raphson as crr: start at 0, Armijo backtracking on the pseudo log-likelihood (factor
1/2, at most 20 halvings), stop when max|score| max(|b|, 1) < max(|loglik|, 1) gtol; our
default gtol (1e-10, crr's 1e-6) iterates to full precision. Covariates are centred before
fitting (the estimates, the log-likelihood and the variance do not change).
Wald intervals exp(b ± z se), p = 2 (1 − Φ(|b|/se)), as ``summary.crr``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from prrt_rwe.stats.competing_data import competing_data
from prrt_rwe.stats.kaplan_meier import kaplan_meier
from prrt_rwe.stats.survival_data import SurvivalDataError, as_covariates

__all__ = ["FineGray", "fine_gray"]

R_TIME_SHRINK = 1 - 100 * np.finfo(float).eps  # crr evaluates G at ftime * (1 - 100 eps)


@dataclass(frozen=True)
class FineGray:
    terms: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    var: np.ndarray          # crr's $var (sandwich)
    information: np.ndarray  # crr's $inf
    z: np.ndarray
    p: np.ndarray
    shr: np.ndarray          # subdistribution hazard ratios exp(coef)
    ci95: np.ndarray         # (p, 2) limits of the shr at conf_level
    loglik: float
    loglik_null: float
    n: int
    n_events: int
    n_competing: int
    iterations: int
    converged: bool
    cause: int
    conf_level: float
    method: str = "Fine-Gray (cmprsk::crr)"

    def summary(self) -> pd.DataFrame:
        pct = f"{100 * self.conf_level:g}"
        return pd.DataFrame({"coef": self.coef, "shr": self.shr, "se": self.se, "z": self.z, "p": self.p,
                             f"ci{pct}_lower": self.ci95[:, 0], f"ci{pct}_upper": self.ci95[:, 1]},
                            index=pd.Index(self.terms, name="term"))


@dataclass(frozen=True)
class _Sorted:
    """Rows sorted by time with the block structure of tied times."""

    x: np.ndarray        # centred covariates (n, p)
    fail: np.ndarray     # cause of interest
    comp: np.ndarray     # competing cause
    cens: np.ndarray
    g: np.ndarray        # G(t_i−) as crr evaluates it
    start: np.ndarray    # per row: first row of its block of tied times
    end: np.ndarray      # per row: last row of its block


def _censoring_weights(t: np.ndarray, cens: np.ndarray) -> np.ndarray:
    """G(t_i−): censoring Kaplan–Meier at t_i (1 − 100 eps), 1 before its first time."""
    km = kaplan_meier(t, cens.astype(np.int8), conf_type="plain")
    i = np.searchsorted(km.time, t * R_TIME_SHRINK, side="right") - 1
    return np.where(i >= 0, km.survival[np.maximum(i, 0)], 1.0)


def _prepare(t, eps, X) -> _Sorted:
    order = np.argsort(t, kind="stable")
    t, eps, X = t[order], eps[order], X[order]
    new = np.empty(t.size, dtype=bool)
    new[:1] = True
    np.not_equal(t[1:], t[:-1], out=new[1:])
    start = np.maximum.accumulate(np.where(new, np.arange(t.size), 0))
    last = np.append(new[1:], True)
    end = np.minimum.accumulate(np.where(last, np.arange(t.size), t.size)[::-1])[::-1]
    cens = eps == 0
    return _Sorted(X - X.mean(axis=0), eps == 1, eps == 2, cens, _censoring_weights(t, cens), start, end)


def _exclusive_cumsum(a: np.ndarray) -> np.ndarray:
    out = np.zeros((a.shape[0] + 1,) + a.shape[1:])
    np.cumsum(a, axis=0, out=out[1:])
    return out


@dataclass(frozen=True)
class _RiskSums:
    s0: np.ndarray    # per failure row
    xbar: np.ndarray  # per failure row, (k, p)
    e: np.ndarray     # exp(x b) per row


def _risk_sums(d: _Sorted, b: np.ndarray, with_mean: bool = True) -> _RiskSums:
    """S0 and S1/S0 at each failure row: rows with time >= t, plus competing rows before t
    weighted G(t−)/G(t_j−). Both parts come from one forward cumulative sum over the sorted
    rows (the part at or after t is the total minus the part before t's block)."""
    e = np.exp(d.x @ b)
    f = np.flatnonzero(d.fail)
    s = d.start[f]
    cw = np.where(d.comp, e / d.g, 0.0)
    gf = d.g[f]
    if not with_mean:
        pre = _exclusive_cumsum(np.column_stack([e, cw]))[s]
        return _RiskSums(e.sum() - pre[:, 0] + gf * pre[:, 1], np.empty((0, 0)), e)
    p = d.x.shape[1]
    parts = np.empty((e.size, 2 * (p + 1)))
    parts[:, 0], parts[:, 1:p + 1] = e, e[:, None] * d.x
    parts[:, p + 1], parts[:, p + 2:] = cw, cw[:, None] * d.x
    total = parts[:, :p + 1].sum(axis=0)
    pre = _exclusive_cumsum(parts)[s]
    at_or_after = total - pre[:, :p + 1]
    s0 = at_or_after[:, 0] + gf * pre[:, p + 1]
    s1 = at_or_after[:, 1:] + gf[:, None] * pre[:, p + 2:]
    return _RiskSums(s0, s1 / s0[:, None], e)


def _failure_cumsum(d: _Sorted, values: np.ndarray) -> np.ndarray:
    """Per row i: sum of ``values`` (one per failure row) over failure rows up to the end of
    i's block of tied times (failures with time <= t_i)."""
    full = np.zeros((d.fail.size,) + values.shape[1:])
    full[d.fail] = values
    return np.cumsum(full, axis=0)[d.end]


def _objective(d: _Sorted, b: np.ndarray):
    """crr's minimised function (minus the pseudo log-likelihood), its gradient and Hessian."""
    rs = _risk_sums(d, b)
    xf = d.x[d.fail]
    f = float(-(xf @ b).sum() + np.log(rs.s0).sum())
    score = -xf.sum(axis=0) + rs.xbar.sum(axis=0)
    inv = 1.0 / rs.s0
    a = _failure_cumsum(d, inv)                      # sum over failures t <= t_j of 1/S0
    gs = d.g[d.fail] * inv
    bq = gs.sum() - _failure_cumsum(d, gs)           # sum over failures t > t_j of G/S0
    c = rs.e * a + np.where(d.comp, rs.e / d.g * bq, 0.0)
    hess = (d.x * c[:, None]).T @ d.x - rs.xbar.T @ rs.xbar
    return f, score, hess, rs


def _value(d: _Sorted, b: np.ndarray) -> float:
    rs = _risk_sums(d, b, with_mean=False)
    return float(-(d.x[d.fail] @ b).sum() + np.log(rs.s0).sum())


def _newton(d: _Sorted, p: int, gtol: float, maxiter: int):
    b = np.zeros(p)
    converged = False
    for it in range(maxiter + 1):
        f, score, hess, rs = _objective(d, b)
        if np.max(np.abs(score) * np.maximum(np.abs(b), 1)) < max(abs(f), 1) * gtol:
            return b, f, hess, rs, it, True
        if it == maxiter:
            break
        step = -np.linalg.solve(hess, score)
        bn = b + step
        fbn, halvings = _value(d, bn), 0
        while not np.isfinite(fbn) or fbn > f + 1e-4 * float(step @ score):
            halvings += 1
            step = step * 0.5
            bn = b + step
            fbn = _value(d, bn)
            if halvings > 20:
                break
        if halvings > 20:
            break
        b = bn
    f, score, hess, rs = _objective(d, b)
    return b, f, hess, rs, it, converged


def _sandwich_meat(d: _Sorted, rs: _RiskSums) -> np.ndarray:
    """Σ (η_i + ψ_i)(η_i + ψ_i)' of crr's ``crrvv`` (module doc)."""
    x, e, g = d.x, rs.e, d.g
    n = x.shape[0]
    inv = 1.0 / rs.s0
    gf = g[d.fail]
    p0 = _failure_cumsum(d, inv)
    p1 = _failure_cumsum(d, rs.xbar * inv[:, None])
    q0 = (gf * inv).sum() - _failure_cumsum(d, gf * inv)
    q1 = (rs.xbar * (gf * inv)[:, None]).sum(axis=0) - _failure_cumsum(d, rs.xbar * (gf * inv)[:, None])
    eta = -e[:, None] * (x * p0[:, None] - p1)
    eta[d.fail] += x[d.fail] - rs.xbar
    comp = d.comp
    eta[comp] -= (e[comp] / g[comp])[:, None] * (x[comp] * q0[comp, None] - q1[comp])
    # psi: censoring martingale part, at the start row of each block of tied times
    cw = np.where(comp, e / g, 0.0)
    c0 = _exclusive_cumsum(cw)[d.start]
    c1 = _exclusive_cumsum(cw[:, None] * x)[d.start]
    r0 = (gf * inv).sum() - _failure_cumsum_before(d, gf * inv)
    r1 = (rs.xbar * (gf * inv)[:, None]).sum(axis=0) - _failure_cumsum_before(d, rs.xbar * (gf * inv)[:, None])
    q = c1 * r0[:, None] - c0[:, None] * r1                    # q(t_i), per row
    y = (n - d.start).astype(float)                            # at risk (time >= t_i)
    n_cens = np.bincount(d.start, weights=d.cens, minlength=n)[d.start]
    block_first = d.start == np.arange(n)
    jump = np.where((block_first & (n_cens > 0))[:, None], -(n_cens / y**2)[:, None] * q, 0.0)
    psi = np.cumsum(jump, axis=0)[d.end]
    psi[d.cens] += q[d.cens] / y[d.cens, None]
    u = eta + psi
    return u.T @ u


def _failure_cumsum_before(d: _Sorted, values: np.ndarray) -> np.ndarray:
    """Per row i: sum of ``values`` over failure rows strictly before i's block (time < t_i)."""
    full = np.zeros((d.fail.size,) + values.shape[1:])
    full[d.fail] = values
    return _exclusive_cumsum(full)[d.start]


def fine_gray(time, status, X, *, cause: int = 1, conf_level: float = 0.95, gtol: float = 1e-10,
              maxiter: int = 50) -> FineGray:
    """Fine–Gray model for ``cause`` (status: 0 censored, k >= 1 cause k); see the module doc."""
    t, s = competing_data(time, status)
    mat, names = as_covariates(X, t.shape[0])
    if mat.shape[1] == 0:
        raise SurvivalDataError("X", "needs at least one covariate column")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    eps = np.where(s == cause, 1, np.where(s > 0, 2, 0))
    if not (eps == 1).any():
        raise SurvivalDataError("status", f"has no event of cause {cause}; a Fine-Gray model needs one")
    d = _prepare(t, eps, mat)
    b, f, hess, rs, iterations, converged = _newton(d, mat.shape[1], gtol, maxiter)
    hinv = np.linalg.inv(hess)
    var = hinv @ _sandwich_meat(d, rs) @ hinv.T
    se = np.sqrt(np.diag(var))
    z = b / se
    zq = float(ndtri(1 - (1 - conf_level) / 2))
    ci = np.exp(np.column_stack([b - zq * se, b + zq * se]))
    null = _value(d, np.zeros(mat.shape[1]))
    return FineGray(tuple(names), b, se, var, hess, z, 2 * ndtr(-np.abs(z)), np.exp(b), ci, -f, -null,
                    int(t.size), int((eps == 1).sum()), int((eps == 2).sum()), iterations, converged,
                    int(cause), float(conf_level))
