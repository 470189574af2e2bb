"""One imputation draw for one variable, as R mice 3.15's elementary methods.

* ``pmm`` (``mice.impute.pmm``, matchtype 1, 5 donors): least squares on the observed rows
  (``estimice``; a ridge of 1e-5·diag(X'X) when X'X is singular), a Bayesian draw of the
  coefficients (``.norm.draw``: σ* = √(RSS / χ²_df), β* = β̂ + σ* chol((X'X)⁻¹)' z), predictions
  ŷ_obs = X_obs β̂ and ŷ_mis = X_mis β*, and for each missing row a value drawn from the
  ``donors`` observed rows with the nearest ŷ_obs (``matchindex``).
* ``logreg`` (``mice.impute.logreg``): logistic regression on the observed rows plus mice's
  ``augment`` rows (2·p·k pseudo-observations at the predictor means ± sd/2, weight
  (p + 1) / (2pk), which keep the fit finite under separation), β* drawn from N(β̂, (X'WX)⁻¹),
  then y = 1 with probability expit(X_mis β*).
* ``polyreg`` (``mice.impute.polyreg``): multinomial logistic regression (``nnet::multinom``,
  reference = the first level, no decay) on the augmented observed rows; each missing row's
  category drawn from its fitted probabilities (mice does not draw the coefficients here).

Predictor matrices come without the intercept; columns constant on the observed rows are
dropped first (part of mice's ``remove.lindep``). ``rng`` is a numpy Generator.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_softmax

__all__ = ["draw_pmm", "draw_logreg", "draw_polyreg", "augment"]

RIDGE = 1e-5
DONORS = 5
NEWTON_MAX_ITER = 50
NEWTON_TOL = 1e-8  # largest coefficient step; the draws add noise of the posterior SE (~1e-1)
GLM_MAXIT, GLM_EPSILON = 25, 1e-8  # R glm.control()
MAX_HALVINGS = 30
ETA_LIMIT = 30.0


def usable_columns(x_obs: np.ndarray) -> np.ndarray:
    """Predictor columns that vary on the observed rows."""
    if x_obs.shape[0] == 0:
        return np.zeros(x_obs.shape[1], dtype=bool)
    return np.ptp(x_obs, axis=0) > 0


def _with_intercept(x):
    return np.column_stack([np.ones(x.shape[0]), x])


def _inverse(xtx: np.ndarray) -> np.ndarray:
    """(X'X)⁻¹, with mice's ridge when X'X is (nearly) singular."""
    try:
        inv = np.linalg.inv(xtx)
        np.linalg.cholesky(inv)
        return inv
    except np.linalg.LinAlgError:
        return np.linalg.inv(xtx + np.diag(np.diag(xtx) * RIDGE))


def _chol_lower(v: np.ndarray) -> np.ndarray:
    v = (v + v.T) / 2
    try:
        return np.linalg.cholesky(v)
    except np.linalg.LinAlgError:
        return np.linalg.cholesky(v + np.eye(len(v)) * RIDGE * max(np.abs(np.diag(v)).max(), 1e-12))


def nearest_donors(yhat_obs: np.ndarray, yhat_mis: np.ndarray, donors: int, rng) -> np.ndarray:
    """For each ŷ_mis the index of one of the ``donors`` nearest ŷ_obs, drawn uniformly
    (ties among donors broken at random, as mice's ``matchindex`` shuffles first)."""
    n_obs = len(yhat_obs)
    k = max(1, min(donors, n_obs))
    shuffle = rng.permutation(n_obs)
    order = shuffle[np.argsort(yhat_obs[shuffle], kind="stable")]
    sorted_obs = yhat_obs[order]
    pos = np.searchsorted(sorted_obs, yhat_mis)
    offsets = np.arange(-k, k)
    cand = np.clip(pos[:, None] + offsets[None, :], 0, n_obs - 1)
    dist = np.abs(sorted_obs[cand] - yhat_mis[:, None])
    # duplicates from clipping at the ends: push them out of the k nearest
    dup = np.zeros_like(dist, dtype=bool)
    dup[:, 1:] = cand[:, 1:] == cand[:, :-1]
    dist[dup] = np.inf
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    pick = nearest[np.arange(len(yhat_mis)), rng.integers(0, k, size=len(yhat_mis))]
    return order[cand[np.arange(len(yhat_mis)), pick]]


def draw_pmm(y_obs, x_obs, x_mis, rng, donors: int = DONORS) -> np.ndarray:
    """Imputed values for the rows of ``x_mis`` (predictive mean matching, see module doc)."""
    keep = usable_columns(x_obs)
    X, Xm = _with_intercept(x_obs[:, keep]), _with_intercept(x_mis[:, keep])
    xtx = X.T @ X
    v = _inverse(xtx)
    coef = v @ (X.T @ y_obs)
    resid = y_obs - X @ coef
    df = max(len(y_obs) - X.shape[1], 1)
    sigma = np.sqrt(resid @ resid / rng.chisquare(df))
    beta = coef + (_chol_lower(v) @ rng.standard_normal(X.shape[1])) * sigma
    idx = nearest_donors(X @ coef, Xm @ beta, donors, rng)
    return y_obs[idx]


def augment(y_codes: np.ndarray, x: np.ndarray, n_categories: int):
    """mice ``augment``: pseudo-rows (x, y, weight) appended to the fit of a categorical
    variable; ``x`` is the predictor matrix of every row (observed and missing)."""
    p = x.shape[1]
    if p == 0:
        return np.empty((0, 0)), np.empty(0, dtype=int), np.empty(0)
    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=1) if x.shape[0] > 1 else np.zeros(p)
    nr = 2 * p * n_categories
    rows = np.repeat(mean[None, :], nr, axis=0)
    sign = np.tile([0.5, -0.5], n_categories)
    for j in range(p):
        rows[2 * n_categories * j:2 * n_categories * (j + 1), j] += sign * sd[j]
    rows = np.clip(rows, x.min(axis=0), x.max(axis=0))
    y_aug = np.tile(np.repeat(np.arange(n_categories), 2), p)
    return rows, y_aug, np.full(nr, (p + 1) / nr)


def _deviance(X, y, w, beta) -> float:
    eta = np.clip(X @ beta, -ETA_LIMIT, ETA_LIMIT)
    return float(-2 * w @ (y * eta - np.logaddexp(0, eta)))


def _weighted_logistic(X, y, w, start=None):
    """Weighted logistic ML by IRLS as R glm.fit (quasibinomial): step halving while the
    deviance rises, stop when |dev − dev_old| / (|dev| + 0.1) < 1e-8, at most 25 steps (a
    quasi-separated predictor ends large and uncertain, never divergent); returns the
    coefficients and (X'WX)⁻¹."""
    beta = np.zeros(X.shape[1]) if start is None or start.shape != (X.shape[1],) else start.copy()
    dev = _deviance(X, y, w, beta)
    for _ in range(GLM_MAXIT):
        mu = expit(np.clip(X @ beta, -ETA_LIMIT, ETA_LIMIT))
        info = (X * (w * mu * (1 - mu))[:, None]).T @ X
        step = np.linalg.solve(info + np.eye(len(beta)) * 1e-10, X.T @ (w * (y - mu)))
        for _ in range(MAX_HALVINGS):
            new_dev = _deviance(X, y, w, beta + step)
            if new_dev <= dev + 1e-10:
                break
            step = step / 2
        beta, old = beta + step, dev
        dev = new_dev
        if abs(old - dev) / (abs(dev) + 0.1) < GLM_EPSILON:
            break
    mu = expit(np.clip(X @ beta, -ETA_LIMIT, ETA_LIMIT))
    info = (X * (w * mu * (1 - mu))[:, None]).T @ X
    return beta, np.linalg.pinv(info)


def draw_logreg(y_obs, x_obs, x_all, x_mis, rng, start=None) -> tuple[np.ndarray, np.ndarray]:
    """0/1 draws for the rows of ``x_mis`` (logistic regression, see module doc), and the
    fitted coefficients (a warm ``start`` for the chain's next visit: same optimum, fewer steps)."""
    keep = usable_columns(x_obs)
    xa, ya, wa = augment(y_obs.astype(int), x_all[:, keep], 2)
    X = _with_intercept(np.vstack([x_obs[:, keep], xa]) if xa.size else x_obs[:, keep])
    y = np.concatenate([y_obs, ya]).astype(float)
    w = np.concatenate([np.ones(len(y_obs)), wa])
    coef, cov = _weighted_logistic(X, y, w, start)
    beta = coef + _chol_lower(cov) @ rng.standard_normal(len(coef))
    prob = expit(np.clip(_with_intercept(x_mis[:, keep]) @ beta, -ETA_LIMIT, ETA_LIMIT))
    return (rng.uniform(size=len(prob)) <= prob).astype(float), coef


def _multinomial_loglik(X, Y, w, B) -> float:
    eta = np.column_stack([np.zeros(X.shape[0]), np.clip(X @ B, -ETA_LIMIT, ETA_LIMIT)])
    return float(w @ (Y * log_softmax(eta, axis=1)).sum(axis=1))


def _multinomial(X, y, w, K, start=None):
    """Weighted multinomial logistic ML, reference category 0; (p, K-1) coefficients. Newton
    steps halved while the log-likelihood falls."""
    n, p = X.shape
    B = np.zeros((p, K - 1)) if start is None or start.shape != (p, K - 1) else start.copy()
    Y = np.zeros((n, K))
    Y[np.arange(n), y] = 1.0
    ll = _multinomial_loglik(X, Y, w, B)
    for _ in range(NEWTON_MAX_ITER):
        eta = np.column_stack([np.zeros(n), np.clip(X @ B, -ETA_LIMIT, ETA_LIMIT)])
        P = np.exp(log_softmax(eta, axis=1))[:, 1:]
        grad = X.T @ (w[:, None] * (Y[:, 1:] - P))  # (p, K-1)
        H = np.zeros((p * (K - 1), p * (K - 1)))
        for a in range(K - 1):
            for b in range(a, K - 1):
                wab = w * P[:, a] * ((a == b) - P[:, b])
                blk = (X * wab[:, None]).T @ X
                H[a * p:(a + 1) * p, b * p:(b + 1) * p] = blk
                H[b * p:(b + 1) * p, a * p:(a + 1) * p] = blk
        step = np.linalg.solve(H + np.eye(len(H)) * 1e-10, grad.T.reshape(-1)).reshape(K - 1, p).T
        for _ in range(MAX_HALVINGS):
            new_ll = _multinomial_loglik(X, Y, w, B + step)
            if new_ll >= ll - 1e-10:
                break
            step = step / 2
        B, old = B + step, ll
        ll = new_ll
        if np.max(np.abs(step)) < NEWTON_TOL or abs(ll - old) / (abs(ll) + 0.1) < GLM_EPSILON:
            break
    return B


def draw_polyreg(y_obs, x_obs, x_all, x_mis, n_categories: int, rng, start=None) -> tuple[np.ndarray, np.ndarray | None]:
    """Category codes 0..K-1 for the rows of ``x_mis`` (multinomial, see module doc), and the
    fitted coefficients (a warm ``start`` for the chain's next visit)."""
    y_obs = y_obs.astype(int)
    counts = np.bincount(y_obs, minlength=n_categories)
    u = rng.uniform(size=x_mis.shape[0])
    if (counts == len(y_obs)).any():  # one category holds every observed value
        return np.full(x_mis.shape[0], float(np.argmax(counts))), None
    keep = usable_columns(x_obs)
    xa, ya, wa = augment(y_obs, x_all[:, keep], n_categories)
    X = _with_intercept(np.vstack([x_obs[:, keep], xa]) if xa.size else x_obs[:, keep])
    y = np.concatenate([y_obs, ya]).astype(int)
    w = np.concatenate([np.ones(len(y_obs)), wa])
    B = _multinomial(X, y, w, n_categories, start)
    eta = np.column_stack([np.zeros(x_mis.shape[0]), _with_intercept(x_mis[:, keep]) @ B])
    cum = np.cumsum(np.exp(log_softmax(eta, axis=1)), axis=1)
    return (u[:, None] > cum).sum(axis=1).astype(float), B
