"""Matching-adjusted indirect comparison weights (Signorovitch et al. 2010; NICE DSU TSD 18,
Phillippo et al. 2016, appendix D).

Method of moments: with z_i = x_i − targets (the matching variables centred at the
published means/proportions), the weights are w_i = exp(z_i'a) where a minimises the
convex function Q(a) = Σ_i exp(z_i'a).  At the minimum ∇Q = Σ_i w_i z_i = 0, i.e. the
weighted means of x equal the targets exactly.

* Solved exactly by Newton's method on Q (gradient Z'w, Hessian Z'diag(w)Z) with a
  backtracking line search, in standardised coordinates (each column of Z divided by its
  SD; the weights are unchanged by that rescaling), until max |weighted mean − target|
  ≤ 1e-13 × (1 + scale) — far inside the 1e-8 the issue asks for.
* Weights exist iff the targets lie in the interior of the convex hull of the patients'
  x (Q is then coercive); checked first by a linear programme (the largest s with
  Σλ_i z_i = 0, Σλ_i = 1, λ_i ≥ s must be > 0), so a target outside the hull raises
  :class:`MaicError` naming the variables, never a silent non-convergence.
* Linearly dependent columns (e.g. every level of a factor) are dropped before solving
  and the dropped moments checked afterwards (they hold automatically when the targets
  are consistent; otherwise :class:`MaicError`).
* ESS = (Σw)² / Σw² (Kish), as TSD 18.

:func:`maic_weights_batch` solves many problems with the same Z at once — the bootstrap
of TSD 18 that re-estimates the weights in every resample (case-frequency counts c_bi:
Q_b(a) = Σ_i c_bi exp(z_i'a)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from prrt_rwe.stats.separation import distinct_rows

__all__ = ["MaicError", "MaicWeights", "effective_sample_size", "maic_weights", "maic_weights_batch", "newton_moments"]

TOLERANCE = 1e-13
MAX_ITERATIONS = 100
HULL_MARGIN = 1e-9
LOG_SLACK = 1e-12  # a step may leave log Q unchanged to rounding (near the minimum)


class MaicError(ValueError):
    """MAIC weights cannot be computed for these data; the message says why."""


@dataclass(frozen=True)
class MaicWeights:
    weights: np.ndarray  # w_i = exp(z_i'a), one per patient (row of X)
    coef: np.ndarray  # a, on the scale of the matching variables as given
    names: tuple[str, ...]
    ess: float
    max_abs_diff: float  # largest |weighted mean - target| over all columns
    iterations: int
    dropped: tuple[str, ...] = ()  # columns linearly dependent on the others

    @property
    def rescaled(self) -> np.ndarray:
        """Weights scaled to sum to n (mean 1), as TSD 18 plots them."""
        return self.weights * (self.weights.size / self.weights.sum())


def effective_sample_size(weights) -> float:
    """Kish's effective sample size (Σw)² / Σw²."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.square(w).sum())


def _matrix(X, targets) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    if isinstance(X, pd.DataFrame):
        names = tuple(str(c) for c in X.columns)
        X = X.to_numpy(dtype=float)
    else:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        names = tuple(f"x{j}" for j in range(X.shape[1]))
    t = np.asarray(targets.to_numpy() if hasattr(targets, "to_numpy") else targets, dtype=float).reshape(-1)
    if X.ndim != 2 or X.shape[1] != t.size:
        raise MaicError(f"targets: {t.size} values for {X.shape[1]} matching variables")
    if X.shape[0] < 2:
        raise MaicError(f"need at least 2 patients, got {X.shape[0]}")
    if not np.all(np.isfinite(X)):
        bad = sorted({names[j] for j in np.argwhere(~np.isfinite(X))[:, 1]})
        raise MaicError(f"matching variables must be complete and finite: {', '.join(bad)}")
    if not np.all(np.isfinite(t)):
        raise MaicError("targets must be finite numbers")
    return X, t, names


def _independent_columns(Z: np.ndarray) -> np.ndarray:
    """Indices of a maximal set of linearly independent (non-constant-zero) columns."""
    keep: list[int] = []
    for j in range(Z.shape[1]):
        trial = Z[:, keep + [j]]
        if np.linalg.matrix_rank(trial, tol=1e-10 * max(1.0, np.abs(trial).max())) == len(keep) + 1:
            keep.append(j)
    return np.array(keep, dtype=int)


def _outside_hull_message(X: np.ndarray, t: np.ndarray, names) -> str:
    lo, hi = X.min(axis=0), X.max(axis=0)
    out = [f"{names[j]} target {t[j]:g} outside the patients' range [{lo[j]:g}, {hi[j]:g}]"
           for j in range(t.size) if not (lo[j] < t[j] < hi[j] or lo[j] == t[j] == hi[j])]
    where = "; ".join(out) if out else "the targets are jointly outside (each lies within its range)"
    return ("targets outside the convex hull of the patients' matching variables, so no positive "
            f"weights can reproduce them: {where}")


def _hull_programme(Z: np.ndarray) -> float | None:
    """s* of the LP of :func:`_inside_hull` (None when HiGHS finds no optimum), solved on the
    distinct rows of ``Z``.

    With λ_i = s + μ_i, μ_i ≥ 0, the programme has p + 1 equality rows and no n × n
    inequality block.  Rows that are equal share one μ_g: averaging the μ_i of equal rows
    keeps every constraint (they are linear and μ_i ≥ 0 is convex) and s, so an optimum
    exists with equal μ within each group, and the programme on the K distinct rows z_g
    with counts c_g — Σ_g c_g μ_g z_g + s Σ_i z_i = 0, Σ_g c_g μ_g + n s = 1, μ_g ≥ 0,
    s ≤ 1/n — has the same optimum s* (issue 17: four yes/no matching variables give at most
    16 distinct rows for 9e5 patients, where the per-patient programme took ~0.5 GB)."""
    n, p = Z.shape
    scale = np.abs(Z).max(axis=0)
    scale[scale == 0] = 1.0
    Zs = Z / scale
    rows, counts = distinct_rows(Zs)
    k = rows.shape[0]
    cz = rows.T * counts                      # (p, K): c_g z_g
    c = np.zeros(k + 1)
    c[-1] = -1.0  # maximise s (the last variable)
    A_eq = np.vstack([np.hstack([cz, Zs.sum(axis=0)[:, None]]),
                      np.hstack([counts[None, :].astype(float), [[n]]])])
    b_eq = np.concatenate([np.zeros(p), [1.0]])
    res = linprog(c, A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * k + [(None, 1.0 / n)], method="highs")
    return -res.fun if res.status == 0 else None


def _inside_hull(Z: np.ndarray) -> bool:
    """LP: the largest s with Σλ_i z_i = 0, Σλ_i = 1, λ_i ≥ s; interior iff s* > 0 (by
    HULL_MARGIN / n); solved on the distinct rows (:func:`_hull_programme`)."""
    s = _hull_programme(Z)
    return s is not None and s > HULL_MARGIN / Z.shape[0]


def newton_moments(evaluate, p: int) -> tuple[np.ndarray, int]:
    """Minimise Q(a) = Σ_i exp(z_i'a) by Newton's method with a backtracking line search on
    log Q; ``evaluate(a)`` -> (log Q, Σ w z, Σ w z z', Σ w) at ``a`` with w = exp(z'a - m) for
    any shift m, from the rows here or from the sums of a federated network's sites (one round
    per trial point: the accepted trial's sums are the next step's).  Returns a and the number
    of Newton steps."""
    a = np.zeros(p)
    current = evaluate(a)
    for it in range(1, MAX_ITERATIONS + 1):
        logq, g, H, s = current
        if np.abs(g).max() / s <= TOLERANCE:
            return a, it - 1
        step = np.linalg.solve(H, g)
        t = 1.0
        for _ in range(60):
            trial = evaluate(a - t * step)
            if trial[0] <= logq + LOG_SLACK:
                break
            t /= 2
        else:
            trial = evaluate(a - t * step)
        a = a - t * step
        current = trial
    raise MaicError(f"Newton's method did not converge in {MAX_ITERATIONS} steps")


def _newton(Zs: np.ndarray) -> tuple[np.ndarray, int]:
    """Minimise Σ exp(Zs a) on the rows ``Zs``; returns a and the number of Newton steps."""
    def evaluate(a):
        eta = Zs @ a
        m = eta.max()
        w = np.exp(eta - m)
        s = w.sum()
        return m + np.log(s), Zs.T @ w, (Zs * w[:, None]).T @ Zs, s
    return newton_moments(evaluate, Zs.shape[1])


def maic_weights(X, targets) -> MaicWeights:
    """MAIC weights of the rows of ``X`` (n, p) so that their weighted means equal ``targets``.

    ``X``: numeric matching variables (0/1 for a proportion target), a DataFrame's column
    names become ``names``; ``targets``: the p published means/proportions."""
    X, t, names = _matrix(X, targets)
    Z = X - t
    keep = _independent_columns(Z)
    if keep.size == 0:
        w = np.ones(Z.shape[0])
        return MaicWeights(w, np.zeros(t.size), names, effective_sample_size(w), 0.0, 0, names)
    if not _inside_hull(Z[:, keep]):
        raise MaicError(_outside_hull_message(X, t, names))
    sd = Z[:, keep].std(axis=0)
    sd[sd == 0] = 1.0
    a_s, iterations = _newton(Z[:, keep] / sd)
    a = np.zeros(t.size)
    a[keep] = a_s / sd
    eta = Z @ a
    w = np.exp(eta)
    diff = float(np.abs((w @ X) / w.sum() - t).max())
    if diff > 1e-8 * (1 + np.abs(t).max()):
        raise MaicError("targets are inconsistent with the linear dependence of the matching variables "
                        f"(weighted means miss them by {diff:.3g})")
    dropped = tuple(n for j, n in enumerate(names) if j not in set(keep.tolist()))
    return MaicWeights(w, a, names, effective_sample_size(w), diff, iterations, dropped)


def _solve_batch(Zs: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Damped Newton on Q_b(a) = Σ_k C_bk exp(z_k'a) for every row b; returns (A, converged)."""
    B, p = C.shape[0], Zs.shape[1]
    ZZ = (Zs[:, :, None] * Zs[:, None, :]).reshape(Zs.shape[0], p * p)
    A = np.zeros((B, p))
    ok = np.zeros(B, dtype=bool)
    active = np.arange(B)
    Ca, W, m = C, C.copy(), np.zeros(B)  # W = C·exp(Z a - m) on the active rows
    for _ in range(MAX_ITERATIONS):
        sw = W.sum(axis=1)
        g = W @ Zs
        done = np.abs(g).max(axis=1) / sw <= TOLERANCE
        ok[active[done]] = True
        if done.any():
            keep = ~done
            active, Ca, W, g, m, sw = active[keep], Ca[keep], W[keep], g[keep], m[keep], sw[keep]
        if active.size == 0:
            break
        H = (W @ ZZ).reshape(-1, p, p)
        try:
            step = np.linalg.solve(H, g[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(h, gi, rcond=None)[0] for h, gi in zip(H, g)])
        logq = m + np.log(sw)
        tstep = np.ones(active.size)
        for _ in range(60):
            trial = (A[active] - tstep[:, None] * step) @ Zs.T
            mt = trial.max(axis=1)
            Wt = Ca * np.exp(trial - mt[:, None])
            worse = mt + np.log(Wt.sum(axis=1)) > logq + LOG_SLACK
            if not worse.any():
                break
            tstep[worse] /= 2
        A[active] = A[active] - tstep[:, None] * step
        W, m = Wt, mt
    return A, ok


def maic_weights_batch(X, targets, counts) -> tuple[np.ndarray, np.ndarray]:
    """Weights for many case-frequency vectors at once (bootstrap resamples).

    ``counts``: (B, n) multiplicities.  Returns ``(W, ok)``: W (B, n) ∝ c_bi·exp(z_i'a_b)
    (rows where ``ok`` is False — weights do not exist for that resample — are NaN).  The
    same damped Newton steps as :func:`maic_weights`, for all resamples together, on the
    distinct covariate patterns only (Q depends on a resample through its count of each
    pattern), so the cost grows with the number of patterns, not of patients."""
    X, t, _ = _matrix(X, targets)
    C = np.asarray(counts, dtype=float)
    Z = X - t
    keep = _independent_columns(Z)
    B = C.shape[0]
    if keep.size == 0:
        return C.copy(), np.ones(B, dtype=bool)
    sd = Z[:, keep].std(axis=0)
    sd[sd == 0] = 1.0
    patterns, pattern_of = np.unique(Z[:, keep] / sd, axis=0, return_inverse=True)
    pattern_of = pattern_of.reshape(-1)
    order = np.argsort(pattern_of, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(pattern_of[order]) != 0])
    A, ok = _solve_batch(patterns, np.add.reduceat(C[:, order], starts, axis=1))
    eta = A @ patterns.T                                            # (B, K)
    E = np.exp(eta - eta.max(axis=1, keepdims=True))
    W = C * E[:, pattern_of]
    W[~ok] = np.nan
    with np.errstate(invalid="ignore"):
        diff = np.abs((W @ X) / W.sum(axis=1, keepdims=True) - t).max(axis=1)
    ok &= diff <= 1e-8 * (1 + np.abs(t).max())
    W[~ok] = np.nan
    return W, ok
