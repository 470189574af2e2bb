"""Detection of (quasi-)complete separation in binary-outcome data.

Maximum-likelihood estimates of a logistic model do not exist when some direction b ≠ 0
satisfies x_i'b >= 0 for every event and x_i'b <= 0 for every non-event (Albert & Anderson
1984).  As Konis (2007) and R ``detectseparation``, we solve the linear programme
max sum_i s_i x_i'b subject to s_i x_i'b >= 0 and −1 <= b_j <= 1 (s_i = ±1 for y = 1/0);
a positive optimum proves separation, and the non-zero b_j name the covariates involved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog

__all__ = ["SeparationError", "distinct_rows", "separating_terms"]

_TOL = 1e-7


class SeparationError(ValueError):
    """The outcome is perfectly (or quasi-perfectly) predicted; ``terms`` lists the covariates."""

    def __init__(self, terms):
        self.terms = list(terms)
        super().__init__(
            "perfect or quasi-complete separation: the outcome is perfectly predicted by "
            f"{', '.join(self.terms)}; maximum-likelihood odds ratios do not exist "
            "(use firth=True, or drop/merge the covariate)")


def separating_terms(X: np.ndarray, y: np.ndarray, names) -> list[str]:
    """Names of the columns of X (intercept included) in a separating direction; [] if none."""
    s = np.where(y == 1, 1.0, -1.0)
    A = X * s[:, None]
    # column scaling keeps the LP well conditioned; signs unchanged. max |a| as max(max a,
    # -min a) and the division in place: no other copy of the n x p matrix (issue 17)
    scale = np.maximum(np.maximum(A.max(axis=0), -A.min(axis=0)), 1e-300)
    A /= scale
    bounds = [(-1, 1)] * X.shape[1]
    rows, counts = distinct_rows(A)
    if len(rows) < len(A):
        # The same programme on the distinct rows (a repeated constraint adds nothing, its
        # objective term counts once per copy): when it proves there is no separation, so
        # does the full one; otherwise the full one names the terms, as before. With coded
        # covariates a few dozen rows stand for 1e5-1e6 patients (issue 17).
        res = linprog(-(rows * counts[:, None]).sum(axis=0), A_ub=-rows, b_ub=np.zeros(len(rows)),
                      bounds=bounds, method="highs")
        if res.status == 0 and -res.fun <= _TOL * len(y):
            return []
    res = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(len(y)), bounds=bounds, method="highs")
    if res.status != 0 or -res.fun <= _TOL * len(y):
        return []
    return [str(name) for name, b in zip(names, res.x) if abs(b) > 1e-6]


def distinct_rows(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows of A, how many times each occurs), by hashing (np.unique(axis=0)
    sorts rows, seconds on 1e5 rows)."""
    size = pd.DataFrame(A).groupby(list(range(A.shape[1])), sort=False, dropna=False).size()
    return size.index.to_frame(index=False).to_numpy(dtype=float).reshape(len(size), A.shape[1]), size.to_numpy()
