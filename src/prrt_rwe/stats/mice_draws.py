"""One imputation draw for one variable, as R mice 3.15's elementary methods.

* ``pmm`` (``mice.impute.pmm``, matchtype 1, 5 donors): least squares on the observed rows
  (``estimice``; a ridge of 1e-5·diag(X'X) when X'X is singular), a Bayesian draw of the
  coefficients (``.norm.draw``: σ* = √(RSS / χ²_df), β* = β̂ + σ* chol((X'X)⁻¹)' z), predictions
  ŷ_obs = X_obs β̂ and ŷ_mis = X_mis β*, and for each missing row a value drawn from the
  ``donors`` observed rows with the nearest ŷ_obs (``matchindex``).
* ``logreg`` (``mice.impute.logreg``): logistic regression on the observed rows plus mice's
  ``augment`` rows (2·p·k pseudo-observations at the predictor means ± sd/2, weight
  (p + 1) / (2pk), which keep the fit finite under separation), fitted by IRLS as ``glm.fit``
  (step halving, its convergence rule), β* drawn from N(β̂, (X'WX)⁻¹), then y = 1 with
  probability expit(X_mis β*).
* ``polyreg`` (``mice.impute.polyreg``): multinomial logistic regression (``nnet::multinom``,
  reference = the first level, no decay) on the augmented observed rows; each missing row's
  category drawn from its fitted probabilities (mice does not draw the coefficients here).

A draw sees the chain's whole predictor matrix (:class:`Rows`: intercept first, then every
variable's columns and the auxiliary ones), the columns this variable may use, and which rows
are donors, targets and where it applies; columns constant on the donors are dropped (part of
mice's ``remove.lindep``). The fits work on the whole matrix with zero weights off the donors
(no copies of it). ``rng`` is a numpy Generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, log_softmax

__all__ = ["Rows", "draw_pmm", "draw_logreg", "draw_polyreg", "augment"]

RIDGE = 1e-5
DONORS = 5
NEWTON_MAX_ITER = 50
NEWTON_TOL = 1e-8  # largest coefficient step; the draws add noise of the posterior SE (~1e-1)
GLM_MAXIT, GLM_EPSILON = 25, 1e-8  # R glm.control()
MAX_HALVINGS = 10  # a Newton step still no better after 10 halvings: at the optimum (flat ridge)
ETA_LIMIT = 30.0


@dataclass(frozen=True)
class Rows:
    """What one draw sees (see the module doc); masks are boolean."""

    X: np.ndarray  # (n, q), column 0 the intercept
    y: np.ndarray  # (n,) current values (meaningful on the donors)
    cols: np.ndarray  # (q,) predictors this variable may use
    donor: np.ndarray  # (n,)
    target: np.ndarray  # (n,)
    where: np.ndarray  # (n,) rows where the variable applies

    def usable(self) -> np.ndarray:
        """The intercept and the allowed columns that vary on the donors."""
        d = self.donor[:, None]
        top = self.X.max(axis=0, where=d, initial=-np.inf)
        low = self.X.min(axis=0, where=d, initial=np.inf)
        keep = self.cols & (top > low)
        keep[0] = True
        return keep

    def gram(self, weights: np.ndarray, keep: np.ndarray) -> np.ndarray:
        """X'WX over the kept columns (weights zero off the donors)."""
        return ((self.X * weights[:, None]).T @ self.X)[np.ix_(keep, keep)]

    def times(self, coef: np.ndarray, keep: np.ndarray) -> np.ndarray:
        """X b for every row, b given on the kept columns."""
        full = np.zeros(self.X.shape[1])
        full[keep] = coef
        return self.X @ full


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


def draw_pmm(rows: Rows, rng, donors: int = DONORS) -> np.ndarray:
    """Imputed values for the target rows (predictive mean matching, see module doc)."""
    keep = rows.usable()
    w = rows.donor.astype(float)
    y = np.where(rows.donor, rows.y, 0.0)
    v = _inverse(rows.gram(w, keep))
    coef = v @ (rows.X.T @ y)[keep]
    fitted = rows.times(coef, keep)
    y_obs, yhat_obs = rows.y[rows.donor], fitted[rows.donor]
    resid = y_obs - yhat_obs
    df = max(len(y_obs) - int(keep.sum()), 1)
    sigma = np.sqrt(resid @ resid / rng.chisquare(df))
    beta = coef + (_chol_lower(v) @ rng.standard_normal(int(keep.sum()))) * sigma
    idx = nearest_donors(yhat_obs, rows.times(beta, keep)[rows.target], donors, rng)
    return y_obs[idx]


def augment(y_codes: np.ndarray, x: np.ndarray, n_categories: int):
    """mice ``augment``: pseudo-rows (x, y, weight) appended to the fit of a categorical
    variable; ``x`` is the predictor matrix of every row (observed and missing), without the
    intercept."""
    stats = (x.mean(axis=0), x.std(axis=0, ddof=1) if x.shape[0] > 1 else np.zeros(x.shape[1]),
             x.min(axis=0), x.max(axis=0)) if x.shape[0] else None
    return augment_rows(stats, n_categories)


def augment_rows(stats, n_categories: int):
    """``augment`` from the predictors' (mean, sd, min, max) over the rows where the variable
    applies."""
    if stats is None or len(stats[0]) == 0:
        return np.empty((0, 0)), np.empty(0, dtype=int), np.empty(0)
    mean, sd, low, high = stats
    p = len(mean)
    nr = 2 * p * n_categories
    rows = np.repeat(mean[None, :], nr, axis=0)
    sign = np.tile([0.5, -0.5], n_categories)
    for j in range(p):
        rows[2 * n_categories * j:2 * n_categories * (j + 1), j] += sign * sd[j]
    rows = np.clip(rows, low, high)
    y_aug = np.tile(np.repeat(np.arange(n_categories), 2), p)
    return rows, y_aug, np.full(nr, (p + 1) / nr)


def _augmentation(rows: Rows, keep: np.ndarray, n_categories: int):
    """mice's augment rows on the kept columns (intercept first), outcomes and weights."""
    w = rows.where[:, None]
    X = rows.X
    n = int(rows.where.sum())
    mean = X.sum(axis=0, where=w) / n
    var = ((X - mean) ** 2).sum(axis=0, where=w) / max(n - 1, 1)
    stats = (mean, np.sqrt(var), X.min(axis=0, where=w, initial=np.inf),
             X.max(axis=0, where=w, initial=-np.inf))
    predictors = keep.copy()
    predictors[0] = False
    xa, ya, wa = augment_rows(tuple(s[predictors] for s in stats), n_categories)
    return np.column_stack([np.ones(len(ya)), xa]) if len(ya) else np.empty((0, int(keep.sum()))), ya, wa


def _logistic_deviance(eta, y, w) -> float:
    eta = np.clip(eta, -ETA_LIMIT, ETA_LIMIT)
    return float(-2 * w @ (y * eta - np.logaddexp(0, eta)))


def _weighted_logistic(rows: Rows, keep, aug, start=None):
    """Logistic ML on the donors plus the augment rows, by IRLS as R glm.fit (quasibinomial):
    step halving while the deviance rises, stop when |dev − dev_old| / (|dev| + 0.1) < 1e-8,
    at most 25 steps (a quasi-separated predictor ends large and uncertain, never divergent);
    returns the coefficients and (X'WX)⁻¹ with the weights of the last step (``summary.glm``)."""
    Xa, ya, wa = aug
    wd = rows.donor.astype(float)
    y = np.where(rows.donor, rows.y, 0.0)
    k = int(keep.sum())
    beta = np.zeros(k) if start is None or start.shape != (k,) else start.copy()

    def deviance(b):
        return _logistic_deviance(rows.times(b, keep), y, wd) + _logistic_deviance(Xa @ b, ya, wa)

    dev = deviance(beta)
    info = np.eye(k)
    for _ in range(GLM_MAXIT):
        mu = expit(np.clip(rows.times(beta, keep), -ETA_LIMIT, ETA_LIMIT))
        mua = expit(np.clip(Xa @ beta, -ETA_LIMIT, ETA_LIMIT))
        info = rows.gram(wd * mu * (1 - mu), keep) + (Xa * (wa * mua * (1 - mua))[:, None]).T @ Xa
        score = (rows.X.T @ (wd * (y - mu)))[keep] + Xa.T @ (wa * (ya - mua))
        step = np.linalg.solve(info + np.eye(k) * 1e-10, score)
        for _ in range(MAX_HALVINGS):
            new_dev = deviance(beta + step)
            if new_dev <= dev + 1e-9 * (abs(dev) + 1):  # rounding is no rise
                break
            step = step / 2
        else:
            break
        beta, old = beta + step, dev
        dev = new_dev
        if abs(old - dev) / (abs(dev) + 0.1) < GLM_EPSILON:
            break
    try:
        return beta, np.linalg.inv(info)
    except np.linalg.LinAlgError:  # an aliased column: R's NA coefficient, here a zero-variance one
        return beta, np.linalg.pinv(info)


def draw_logreg(rows: Rows, rng, start=None) -> tuple[np.ndarray, np.ndarray]:
    """0/1 draws for the target rows (logistic regression, see module doc), and the fitted
    coefficients (a warm ``start`` for the chain's next visit: same optimum, fewer steps)."""
    keep = rows.usable()
    coef, cov = _weighted_logistic(rows, keep, _augmentation(rows, keep, 2), start)
    beta = coef + _chol_lower(cov) @ rng.standard_normal(len(coef))
    prob = expit(np.clip(rows.times(beta, keep)[rows.target], -ETA_LIMIT, ETA_LIMIT))
    return (rng.uniform(size=len(prob)) <= prob).astype(float), coef


def _multinomial(rows: Rows, keep, aug, K, start=None):
    """Multinomial logistic ML on the donors plus the augment rows, reference category 0;
    (p, K-1) coefficients. Newton steps halved while the log-likelihood falls."""
    Xa, ya, wa = aug
    p = int(keep.sum())
    wd = rows.donor.astype(float)
    codes = np.where(rows.donor, rows.y, 0).astype(int)
    Y = np.zeros((len(codes), K))
    Y[np.arange(len(codes)), codes] = 1.0
    Ya = np.zeros((len(ya), K))
    Ya[np.arange(len(ya)), ya] = 1.0
    Xk = np.flatnonzero(keep)
    B = np.zeros((p, K - 1)) if start is None or start.shape != (p, K - 1) else start.copy()

    def logp(Bm):
        full = np.zeros((rows.X.shape[1], K - 1))
        full[Xk] = Bm
        eta = np.column_stack([np.zeros(len(codes)), np.clip(rows.X @ full, -ETA_LIMIT, ETA_LIMIT)])
        eta_a = np.column_stack([np.zeros(len(ya)), np.clip(Xa @ Bm, -ETA_LIMIT, ETA_LIMIT)])
        return log_softmax(eta, axis=1), log_softmax(eta_a, axis=1)

    def loglik(Bm):
        lp, lpa = logp(Bm)
        return float(wd @ (Y * lp).sum(axis=1) + wa @ (Ya * lpa).sum(axis=1))

    ll = loglik(B)
    for _ in range(NEWTON_MAX_ITER):
        lp, lpa = logp(B)
        P, Pa = np.exp(lp)[:, 1:], np.exp(lpa)[:, 1:]
        grad = (rows.X.T @ (wd[:, None] * (Y[:, 1:] - P)))[Xk] + Xa.T @ (wa[:, None] * (Ya[:, 1:] - Pa))
        H = np.zeros((p * (K - 1), p * (K - 1)))
        for a in range(K - 1):
            for b in range(a, K - 1):
                blk = rows.gram(wd * P[:, a] * ((a == b) - P[:, b]), keep)
                blk += (Xa * (wa * Pa[:, a] * ((a == b) - Pa[:, b]))[:, None]).T @ Xa
                H[a * p:(a + 1) * p, b * p:(b + 1) * p] = blk
                H[b * p:(b + 1) * p, a * p:(a + 1) * p] = blk
        step = np.linalg.solve(H + np.eye(len(H)) * 1e-10, grad.T.reshape(-1)).reshape(K - 1, p).T
        for _ in range(MAX_HALVINGS):
            new_ll = loglik(B + step)
            if new_ll >= ll - 1e-9 * (abs(ll) + 1):  # rounding is no fall
                break
            step = step / 2
        else:
            break
        B, old = B + step, ll
        ll = new_ll
        if np.max(np.abs(step)) < NEWTON_TOL or abs(ll - old) / (abs(ll) + 0.1) < GLM_EPSILON:
            break
    return B


def draw_polyreg(rows: Rows, n_categories: int, rng, start=None) -> tuple[np.ndarray, np.ndarray | None]:
    """Category codes 0..K-1 for the target rows (multinomial, see module doc), and the fitted
    coefficients (a warm ``start`` for the chain's next visit)."""
    y_obs = rows.y[rows.donor].astype(int)
    counts = np.bincount(y_obs, minlength=n_categories)
    n_target = int(rows.target.sum())
    u = rng.uniform(size=n_target)
    if (counts == len(y_obs)).any():  # one category holds every observed value
        return np.full(n_target, float(np.argmax(counts))), None
    keep = rows.usable()
    B = _multinomial(rows, keep, _augmentation(rows, keep, n_categories), n_categories, start)
    full = np.zeros((rows.X.shape[1], n_categories - 1))
    full[np.flatnonzero(keep)] = B
    eta = np.column_stack([np.zeros(n_target), rows.X[rows.target] @ full])
    cum = np.cumsum(np.exp(log_softmax(eta, axis=1)), axis=1)
    return (u[:, None] > cum).sum(axis=1).astype(float), B
