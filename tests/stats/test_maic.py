"""MAIC weights against R (tests/validation/r/maic.R: optim on the same objective, polished by
Newton steps), the moment conditions, the convex-hull check and the bootstrap batch solver."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prrt_rwe import stats
from prrt_rwe.stats.bootstrap import frequencies, resample_indices
from prrt_rwe.stats.maic import MaicError, effective_sample_size, maic_weights, maic_weights_batch

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
R_WEIGHTS = pd.read_csv(FIXTURES / "r_maic_weights.csv")
R_SUMMARY = pd.read_csv(FIXTURES / "r_maic_summary.csv").set_index("case")
TARGETS = pd.read_csv(FIXTURES / "maic_targets.csv")
CASES = ("cohort", "small", "grade")


def _case(name):
    data = pd.read_csv(FIXTURES / f"maic_{name}.csv")
    tg = TARGETS.loc[TARGETS["case"] == name]
    return data, list(tg["variable"]), tg["target"].to_numpy()


@pytest.mark.parametrize("name", CASES)
def test_weights_ess_orr_and_weighted_km_equal_r(name):
    data, variables, targets = _case(name)
    fit = stats.maic_weights(data[variables], targets)
    r_w = R_WEIGHTS.loc[R_WEIGHTS["case"] == name, "weight"].to_numpy()
    np.testing.assert_allclose(fit.weights, r_w, rtol=1e-6)
    r = R_SUMMARY.loc[name]
    assert fit.ess == pytest.approx(r["ess"], rel=1e-6)
    orr = float(fit.weights @ data["response"] / fit.weights.sum())
    assert orr == pytest.approx(r["weighted_orr"], rel=1e-6)
    km = stats.kaplan_meier(data["pfs_months"], data["pfs_event"], weights=fit.weights)
    assert km.survival_at(r["landmark_months"]).estimate == pytest.approx(r["weighted_pfs_rate"], rel=1e-6)
    assert fit.max_abs_diff < 1e-8 and r["max_abs_diff"] < 1e-8


def test_a_dependent_level_is_dropped_and_still_matched():
    # grade_G1 + grade_G2 + grade_G3 = 1: given all three (targets summing to 1) the third is
    # dropped, the weights are R's (fitted on two levels) and the third mean holds (0.15).
    data, variables, targets = _case("grade")
    fit = maic_weights(data[variables + ["grade_G3"]], np.append(targets, 1 - targets[1] - targets[2]))
    assert fit.dropped == ("grade_G3",)
    r_w = R_WEIGHTS.loc[R_WEIGHTS["case"] == "grade", "weight"].to_numpy()
    np.testing.assert_allclose(fit.weights, r_w, rtol=1e-6)
    assert float(fit.weights @ data["grade_G3"] / fit.weights.sum()) == pytest.approx(0.15, abs=1e-10)


def test_level_targets_summing_past_one_lie_outside_the_hull():
    data, variables, targets = _case("grade")
    with pytest.raises(MaicError, match="jointly outside"):
        maic_weights(data[["grade_G1", "grade_G2", "grade_G3"]], [0.3, 0.55, 0.3])  # sums to 1.15


def test_targets_outside_the_range_name_the_variable():
    data, _, _ = _case("small")
    with pytest.raises(MaicError, match=r"age target 99 outside the patients' range"):
        maic_weights(data[["age", "male"]], [99, 0.5])


def test_targets_jointly_outside_the_hull():
    # Hand-made: two patients (0, 0) and (1, 1); target (0.5, 0.2) is inside each range
    # but not on the segment between them.
    X = pd.DataFrame({"a": [0.0, 1.0, 0.0, 1.0], "b": [0.0, 1.0, 0.0, 1.0]})
    with pytest.raises(MaicError, match="jointly outside"):
        maic_weights(X, [0.5, 0.2])


def test_hand_checked_two_patient_weights():
    # x = (0, 1), target 0.25: w1 (0 - .25) + w2 (1 - .25) = 0 -> w2 / w1 = 1/3;
    # w = exp(z a): a = ln(1/3), w1 = exp(-.25 a) = 3^0.25, w2 = exp(.75 a) = 3^-0.75.
    fit = maic_weights(np.array([[0.0], [1.0]]), [0.25])
    np.testing.assert_allclose(fit.weights, [3 ** 0.25, 3 ** -0.75], rtol=1e-12)
    assert fit.ess == pytest.approx((1 + 1 / 3) ** 2 / (1 + 1 / 9), rel=1e-12)  # 1.6


def test_targets_at_the_sample_means_give_equal_weights():
    data, variables, _ = _case("cohort")
    fit = maic_weights(data[variables], data[variables].mean().to_numpy())
    np.testing.assert_allclose(fit.weights, 1.0, atol=1e-12)
    assert fit.ess == pytest.approx(len(data))


@given(st.integers(min_value=0, max_value=10_000))
def test_weighted_means_equal_targets_to_1e8(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(12, 150))
    X = np.column_stack([rng.normal(60, 10, n), rng.random(n) < 0.5, rng.poisson(1.0, n)])
    # a target strictly inside the hull: a random convex combination of the patients
    lam = rng.dirichlet(np.ones(n))
    targets = lam @ X
    fit = maic_weights(X, targets)
    np.testing.assert_allclose(fit.weights @ X / fit.weights.sum(), targets, atol=1e-8, rtol=0)
    assert fit.max_abs_diff < 1e-8
    assert 1 <= fit.ess <= n + 1e-9
    assert fit.rescaled.sum() == pytest.approx(n)


def test_batch_equals_one_fit_per_resample():
    data, variables, targets = _case("cohort")
    X = data[variables].to_numpy(float)
    idx = resample_indices(len(data), 200, seed=11)
    W, ok = maic_weights_batch(X, targets, frequencies(idx, len(data)))
    assert ok.all()
    for b in (0, 57, 199):
        single = maic_weights(X[idx[b]], targets).weights
        expected = np.bincount(idx[b], weights=single, minlength=len(data))
        np.testing.assert_allclose(W[b] / W[b].sum(), expected / expected.sum(), rtol=1e-9)


def test_batch_flags_resamples_without_weights():
    # patients 0 and 1 alone carry x = 1; a resample without them cannot reach 0.4.
    X = np.array([[1.0], [1.0], [0.0], [0.0], [0.0]])
    counts = np.array([[1, 1, 1, 1, 1], [0, 0, 2, 2, 1]])
    W, ok = maic_weights_batch(X, [0.4], counts)
    assert ok.tolist() == [True, False]
    assert np.isnan(W[1]).all()


def test_effective_sample_size_is_kish():
    assert effective_sample_size([1, 1, 2]) == pytest.approx(16 / 6)


def _per_patient_hull_s(Z):
    """The hull programme with one μ_i per patient (the form before issue 17)."""
    from scipy.optimize import linprog

    n, p = Z.shape
    scale = np.abs(Z).max(axis=0)
    scale[scale == 0] = 1.0
    Zs = Z / scale
    c = np.zeros(n + 1)
    c[-1] = -1.0
    A_eq = np.vstack([np.hstack([Zs.T, Zs.sum(axis=0)[:, None]]), np.hstack([np.ones((1, n)), [[n]]])])
    res = linprog(c, A_eq=A_eq, b_eq=np.concatenate([np.zeros(p), [1.0]]),
                  bounds=[(0, None)] * n + [(None, 1.0 / n)], method="highs")
    return -res.fun if res.status == 0 else None


@pytest.mark.parametrize("targets", [[0.5, 0.3, 0.2], [0.05, 0.9, 0.5], [0.0, 0.3, 0.2], [0.6, 0.6, 1.0],
                                     [1.2, 0.3, 0.2], [0.5, 0.5, 0.5]])
def test_hull_programme_on_distinct_rows_equals_the_per_patient_one(targets):
    # Yes/no matching variables (few distinct rows, as at registry scale): inside, near a
    # face, on a face (a target 0 of a 0/1 variable), outside: the same s* and decision.
    from prrt_rwe.stats.maic import HULL_MARGIN, _hull_programme, _inside_hull

    rng = np.random.default_rng(3)
    X = (rng.random((400, 3)) < [0.4, 0.5, 0.6]).astype(float)
    X[:5, 2] = 0.0
    Z = X - np.asarray(targets)
    full, grouped = _per_patient_hull_s(Z), _hull_programme(Z)
    assert (full is None) == (grouped is None)
    if full is not None:
        assert grouped == pytest.approx(full, abs=1e-12 / Z.shape[0])
    assert _inside_hull(Z) == (full is not None and full > HULL_MARGIN / Z.shape[0])


def test_hull_programme_with_a_continuous_variable_equals_the_per_patient_one():
    from prrt_rwe.stats.maic import _hull_programme

    rng = np.random.default_rng(4)
    X = np.column_stack([rng.normal(60, 10, 300), rng.random(300) < 0.5])
    for t in ([60.0, 0.5], [80.0, 0.9], [200.0, 0.5]):
        Z = X - np.asarray(t)
        full, grouped = _per_patient_hull_s(Z), _hull_programme(Z)
        assert (full is None) == (grouped is None)
        if full is not None:
            assert grouped == pytest.approx(full, abs=1e-12 / Z.shape[0])
