"""stats/rank.py: the blocked-QR rank gives numpy.linalg.matrix_rank's decision on tall
matrices. R 4 agreed on every case of test_the_decision_is_numpys but all_zero_rows
(``qr(X, tol = 1e-11)$rank``, glm.fit's tolerance, and ``qr(X)$rank``: 12 or 11 as expected
here; checked once on these matrices written to CSV, 2026-12-03)."""

import numpy as np
import pytest

from prrt_rwe.stats.rank import matrix_rank

N, P, BLOCK = 50_000, 12, 4_096   # several blocks and a ragged last one


def _design(rng):
    X = np.column_stack([np.ones(N), rng.normal(size=(N, P - 1))])
    X[:, 3] = rng.integers(0, 2, N)   # a binary factor column, as the propensity designs have
    return X


@pytest.mark.parametrize("case", ["full", "duplicate", "sum", "constant", "zero", "complement",
                                  "near_collinear_1e-6", "collinear_1e-14", "all_zero_rows"])
def test_the_decision_is_numpys(case):
    rng = np.random.default_rng(17)
    X = _design(rng)
    if case == "duplicate":
        X[:, 5] = X[:, 2]
    elif case == "sum":
        X[:, 7] = X[:, 1] - 2.5 * X[:, 4]
    elif case == "constant":
        X[:, 6] = 3.0             # collinear with the intercept
    elif case == "zero":
        X[:, 8] = 0.0
    elif case == "complement":
        X[:, 9] = 1.0 - X[:, 3]   # the other level of a factor beside the intercept
    elif case == "near_collinear_1e-6":   # far above numpy's tolerance (max(n, p)·eps ≈ 1e-11)
        X[:, 5] = X[:, 2] + 1e-6 * rng.normal(size=N)
    elif case == "collinear_1e-14":   # far below it: rounding-level differences
        X[:, 5] = X[:, 2] * (1 + 1e-14 * rng.normal(size=N))
    elif case == "all_zero_rows":
        X[: N // 2] = 0.0
    expected = {"full": P, "near_collinear_1e-6": P, "all_zero_rows": P}.get(case, P - 1)
    assert np.linalg.matrix_rank(X) == expected
    assert matrix_rank(X, block_rows=BLOCK) == expected
    assert matrix_rank(X[:, :4], block_rows=BLOCK) == np.linalg.matrix_rank(X[:, :4])


def test_several_collinear_columns_and_a_fortran_view():
    rng = np.random.default_rng(3)
    X = _design(rng)
    X[:, 4], X[:, 10] = X[:, 1] + X[:, 2], 0.5 * X[:, 0]
    assert matrix_rank(X, block_rows=BLOCK) == np.linalg.matrix_rank(X) == P - 2
    F = np.asfortranarray(X)
    assert matrix_rank(F[:, [0, 1, 2, 4]], block_rows=BLOCK) == 3
    for columns in ([0, 1, 2, 4], [0, 1, 2, 3], [0, 10], [3, 10, 2]):   # the subset, one block at a time
        assert matrix_rank(X, columns, block_rows=BLOCK) == np.linalg.matrix_rank(X[:, columns])
        assert matrix_rank(F, columns, block_rows=BLOCK) == np.linalg.matrix_rank(X[:, columns])


def test_small_matrices_go_to_numpy_unchanged():
    X = np.array([[1.0, 2.0, 4.0], [1.0, 3.0, 6.0], [1.0, 5.0, 10.0]])
    assert matrix_rank(X) == np.linalg.matrix_rank(X) == 2
    assert matrix_rank(np.empty((10, 0))) == 0
    wide = np.random.default_rng(0).normal(size=(5, 20))
    assert matrix_rank(wide, block_rows=2) == np.linalg.matrix_rank(wide) == 5


def test_a_tall_design_without_blocks_argument():
    """The default block size, past it (two blocks): the decision numpy makes."""
    rng = np.random.default_rng(5)
    X = np.column_stack([np.ones(70_000), rng.normal(size=(70_000, 3))])
    X[:, 3] = X[:, 1]
    assert matrix_rank(X) == np.linalg.matrix_rank(X) == 3


def test_aliased_columns_of_a_tall_design_are_numpys():
    """results.design.aliased (the models' NA columns, in column order) on more rows than one
    block: the columns numpy's rank names, one trial at a time, beside an intercept."""
    import pandas as pd

    from prrt_rwe.results.design import aliased

    rng, n = np.random.default_rng(1), 40_000
    X = pd.DataFrame({"a": rng.integers(0, 2, n), "b": rng.normal(size=n), "c": 3.0,
                      "d": rng.integers(0, 3, n)})
    X["e"], X["f"], X["g"] = 1 - X["a"], X["b"] * 2 + X["d"], rng.normal(size=n)
    kept, expected = np.ones((n, 1)), []
    for name in X.columns:
        trial = np.column_stack([kept, X[name].to_numpy(dtype=float)])
        if np.linalg.matrix_rank(trial) == trial.shape[1]:
            kept = trial
        else:
            expected.append(name)
    assert aliased(X) == expected == ["c", "e", "f"]
    assert aliased(X.iloc[:100]) == ["c", "e", "f"] and aliased(X[[]]) == []
