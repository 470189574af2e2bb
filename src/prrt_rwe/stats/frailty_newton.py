"""The inner loop of R survival's gamma-frailty Cox fit at a fixed theta: ``coxfit5_b``
(src/coxfit5.c, survival 3.5) with the ``frailty.gamma`` penalty, step for step.

Parameters are the fixed coefficients beta (p) and one frailty b_g per group (G). The
objective is the penalized partial likelihood PL(beta, b) + nu·Σ_g b_g (nu = 1/theta), the
frailties recentred after every evaluation so that mean(exp(b)) = 1 (``pfun``: recenter =
log(mean(exp(b))); first derivative nu(1 − e^b), second nu·e^b).

* Efron ties as coxfit5: at a death time with d deaths, for k = 0..d−1 the risk-set sums
  lose k/d of the deaths' sums; ``wtave`` = mean weight of the deaths.
* "sparse" (R's default when there are more than 5 groups): the group-by-group block of the
  information is its diagonal only, Σ m_g (1 − m_g) over the Efron steps (no weight factor,
  as coxfit5); the beta-by-group block is exact. Otherwise the block is the exact one.
* Newton–Raphson from the given start; convergence when |1 − L_old / L_new| <= eps (not
  while halving); a step that lowers L is halved (both beta and b), as coxfit5; at most
  ``max_iter`` iterations.
* theta = 0: the frailties are held at 0 (``zflag``): an ordinary Cox fit.

The variance of beta is the beta block of the inverse of that (approximate) information, R's
``fit$var`` (coxpenal.df).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LARGE, SMALL = 22.0, -200.0  # survival's coxsafe() limits for the linear predictor


@dataclass(frozen=True)
class FrailtyData:
    """Rows in R's order (time descending, censored before deaths at a tie) and the death-time
    blocks; built once per data set (:func:`frailty_data`)."""

    X: np.ndarray  # (n, p) centred as coxfit5_a (columns not all in {-1, 0, 1})
    group: np.ndarray  # (n,) codes 0..G-1
    n_groups: int
    weight: np.ndarray
    status: np.ndarray
    block_end: np.ndarray  # per death time: index of its last row
    block_deaths: np.ndarray  # per death time: number of deaths d
    wtave: np.ndarray  # per death time: mean weight of its deaths
    death_block: np.ndarray  # per death row: its block
    death_rows: np.ndarray  # indices of the death rows
    efron: bool


@dataclass(frozen=True)
class InnerFit:
    beta: np.ndarray
    frail: np.ndarray
    loglik: float  # PL + nu·Σb (coxfit5's loglik, what the theta search uses)
    penalty: float  # nu·Σb (0 when theta = 0)
    information: np.ndarray  # (G + p) square, frailties first
    iterations: int
    converged: bool


def frailty_data(time, status, X, group, n_groups, weight, efron=True) -> FrailtyData:
    order = np.lexsort((status, -time))  # R: order(-time, status)
    t, s, w = time[order], status[order].astype(np.int8), weight[order]
    Xs = X[order].astype(float)
    centre = np.array([not np.all(np.isin(col, (-1.0, 0.0, 1.0))) for col in Xs.T], dtype=bool)
    if Xs.shape[1]:
        Xs[:, centre] -= Xs[:, centre].mean(axis=0)
    deaths = np.flatnonzero(s == 1)
    # a tied block of deaths is contiguous (censored rows of that time come first)
    new_block = np.ones(deaths.size, dtype=bool)
    new_block[1:] = (t[deaths][1:] != t[deaths][:-1]) | (deaths[1:] != deaths[:-1] + 1)
    death_block = np.cumsum(new_block) - 1
    starts = np.flatnonzero(new_block)
    ends = np.append(starts[1:], deaths.size) - 1
    counts = ends - starts + 1
    wt = np.add.reduceat(w[deaths], starts) / counts if deaths.size else np.empty(0)
    return FrailtyData(Xs, group[order].astype(np.intp), int(n_groups), w, s, deaths[ends],
                       counts.astype(float), wt, death_block, deaths, bool(efron))


def _sums(d: FrailtyData, beta, frail, sparse: bool):
    """Partial log-likelihood, score and information at (beta, frail), frailties first."""
    G, p = d.n_groups, d.X.shape[1]
    lp = np.clip(d.X @ beta + frail[d.group], SMALL, LARGE)
    risk = np.exp(lp) * d.weight
    onehot = np.zeros((len(risk), G))
    onehot[np.arange(len(risk)), d.group] = 1.0
    Z = np.hstack([onehot, d.X])  # (n, q)
    rZ = risk[:, None] * Z
    # running sums over rows in R's order, read at the end of each death block
    S0 = np.cumsum(risk)[d.block_end]
    S1 = np.cumsum(rZ, axis=0)[d.block_end]
    S2x = np.cumsum(rZ[:, :, None] * d.X[:, None, :], axis=0)[d.block_end]  # (B, q, p): Z x X
    dr, db = d.death_rows, d.death_block
    E0 = np.bincount(db, weights=risk[dr], minlength=len(S0))
    E1 = np.zeros_like(S1)
    np.add.at(E1, db, rZ[dr])
    E2x = np.zeros_like(S2x)
    np.add.at(E2x, db, rZ[dr][:, :, None] * d.X[dr][:, None, :])
    # one virtual step per death (Efron: k = 0..d-1 of its block)
    blocks = np.repeat(np.arange(len(S0)), d.block_deaths.astype(int))
    k = np.arange(len(blocks)) - np.repeat(np.cumsum(d.block_deaths) - d.block_deaths,
                                           d.block_deaths.astype(int))
    frac = k / d.block_deaths[blocks] if d.efron else np.zeros(len(blocks))
    wv = d.wtave[blocks]
    d2 = S0[blocks] - frac * E0[blocks]
    mean = (S1[blocks] - frac[:, None] * E1[blocks]) / d2[:, None]  # (V, q)
    w_dead = d.weight[dr]
    loglik = float(w_dead @ lp[dr] - wv @ np.log(d2))
    score = w_dead @ Z[dr] - wv @ mean
    info = np.zeros((G + p, G + p))
    cross = (S2x[blocks] - frac[:, None, None] * E2x[blocks]) / d2[:, None, None]  # (V, q, p)
    cols = np.einsum("v,vqp->qp", wv, cross) - np.einsum("v,vq,vp->qp", wv, mean, mean[:, G:])
    info[:, G:] = cols
    info[G:, :G] = cols[:G].T
    mg = mean[:, :G]
    if sparse:
        info[:G, :G] = np.diag((mg * (1 - mg)).sum(axis=0))
    else:
        info[:G, :G] = np.diag(wv @ mg) - np.einsum("v,vg,vh->gh", wv, mg, mg)
    return loglik, score, info


def _penalize(frail, theta, score, info, G):
    """Add the gamma penalty (recentring ``frail`` in place); returns nu·Σb."""
    if theta == 0:
        score[:G] = 0.0
        info[:G, :] = 0.0
        info[:, :G] = 0.0
        info[np.arange(G), np.arange(G)] = 1.0
        return 0.0
    frail -= np.log(np.mean(np.exp(frail)))
    nu = 1.0 / theta
    score[:G] += nu * (1 - np.exp(frail))
    info[np.arange(G), np.arange(G)] += nu * np.exp(frail)
    return float(nu * frail.sum())


def inner_fit(d: FrailtyData, theta: float, beta0, frail0, *, sparse: bool, eps: float = 1e-9,
              max_iter: int = 20) -> InnerFit:
    """coxfit5_b at a fixed theta from (beta0, frail0); see the module doc."""
    G = d.n_groups
    beta, frail = np.array(beta0, dtype=float), np.array(frail0, dtype=float)
    old_beta, old_frail = beta.copy(), frail.copy()
    loglik_old, halving = 0.0, False
    for iteration in range(max_iter + 1):
        newlk, score, info = _sums(d, beta, frail, sparse)
        pen = _penalize(frail, theta, score, info, G)
        newlk += pen
        if abs(newlk) < eps or (abs(1 - loglik_old / newlk) <= eps and not halving):
            return InnerFit(beta, frail, newlk, pen, info, iteration, True)
        if iteration == max_iter:
            break
        if iteration > 0 and newlk < loglik_old:
            halving = True
            beta = (old_beta + beta) / 2
            frail = (old_frail + frail) / 2
        else:
            halving = False
            loglik_old = newlk
            step = np.linalg.solve(info, score)
            old_beta, old_frail = beta.copy(), frail.copy()
            beta = beta + step[G:]
            frail = frail + step[:G]
    return InnerFit(beta, frail, newlk, pen, info, max_iter, False)
