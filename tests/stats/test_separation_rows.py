"""The separation check's first pass on distinct rows (issue 17): the rows and counts are
np.unique's, and the answer is the single full linear programme's."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from prrt_rwe.stats.separation import distinct_rows, separating_terms


def _full_lp_terms(X, y, names):
    """The programme of the module doc on every row (the check before issue 17)."""
    A = X * np.where(y == 1, 1.0, -1.0)[:, None]
    A = A / np.maximum(np.abs(A).max(axis=0), 1e-300)
    res = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(len(y)), bounds=[(-1, 1)] * X.shape[1], method="highs")
    if res.status != 0 or -res.fun <= 1e-7 * len(y):
        return []
    return [n for n, b in zip(names, res.x) if abs(b) > 1e-6]


def testdistinct_rows_and_counts_are_np_uniques():
    rng = np.random.default_rng(7)
    A = rng.integers(-1, 2, size=(500, 3)).astype(float)
    rows, counts = distinct_rows(A)
    want_rows, want_counts = np.unique(A, axis=0, return_counts=True)
    got = sorted(zip(map(tuple, rows), counts))
    assert got == sorted(zip(map(tuple, want_rows), want_counts)) and counts.sum() == 500


def test_same_answer_as_the_full_programme():
    rng = np.random.default_rng(3)
    n = 400
    X = np.column_stack([np.ones(n), rng.integers(0, 2, (n, 3))]).astype(float)
    names = ["(Intercept)", "a", "b", "c"]
    overlap = (rng.random(n) < 0.4).astype(int)
    separated = (X[:, 2] == 1).astype(int)                  # b predicts y exactly
    quasi = np.where(X[:, 3] == 1, 1, overlap)              # c = 1: always an event
    for y in (overlap, separated, quasi):
        assert separating_terms(X, y, names) == _full_lp_terms(X, y, names)
    assert separating_terms(X, overlap, names) == []
    assert "b" in separating_terms(X, separated, names) and "c" in separating_terms(X, quasi, names)
