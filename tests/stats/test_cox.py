"""cox_ph: hand-calculated values, errors that name the cause, and invariances.

Agreement with R on real and synthetic data sets is in test_cox_r.py; here every expected
number is computed by hand in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prrt_rwe.stats.concordance import concordance
from prrt_rwe.stats.cox import CoxConvergenceError, CoxDesignError, cox_ph
from prrt_rwe.stats.survival_data import SurvivalDataError

# five subjects: two tied deaths at t=1, a death at 2, a censoring at 3, a death at 4
TIME = np.array([1.0, 1.0, 2.0, 3.0, 4.0])
EVENT = np.array([1, 1, 1, 0, 1])
X1 = np.array([0.0, 1.0, 0.0, 1.0, 1.0])


def test_null_loglik_by_hand_efron_and_breslow():
    # beta = 0: every risk score is 1.  Efron at t=1 (risk set 5, two deaths): log 5 + log(5 - 2/2);
    # t=2: log 3; t=4: log 1.  Breslow at t=1: 2 log 5.
    efron = cox_ph(TIME, EVENT, X1, ties="efron")
    breslow = cox_ph(TIME, EVENT, X1, ties="breslow")
    assert efron.loglik[0] == pytest.approx(-math.log(5 * 4 * 3), rel=1e-12)
    assert breslow.loglik[0] == pytest.approx(-math.log(5 * 5 * 3), rel=1e-12)


def test_score_test_by_hand_breslow():
    # beta = 0, Breslow: U = sum over deaths (x - mean x of risk set), I = sum d * var(x in risk set).
    # t=1: risk set x = {0,1,0,1,1}, mean 3/5, var 6/25, two deaths x = 0, 1 -> U 1 - 6/5, I 12/25
    # t=2: risk set {0,1,1}, mean 2/3, var 2/9, death x = 0 -> U -2/3, I 2/9
    # t=4: risk set {1}: U 0, I 0
    u = (1 - 6 / 5) - 2 / 3
    info = 12 / 25 + 2 / 9
    fit = cox_ph(TIME, EVENT, X1, ties="breslow")
    assert fit.score_test.statistic == pytest.approx(u * u / info, rel=1e-12)
    assert fit.score_test.df == 1


def test_single_binary_covariate_two_deaths_closed_form():
    # Two subjects, both die, x = (1, 0), times 1 < 2: L(b) = e^b / (e^b + 1); maximised at
    # b -> infinity: monotone likelihood, which must be an error naming the covariate.
    with pytest.raises(CoxConvergenceError, match="'x0'.*infinity"):
        cox_ph([1.0, 2.0], [1, 1], np.array([[1.0], [0.0]]))


def test_closed_form_mle_three_subjects():
    # times 1, 2, 3 all deaths, x = (1, 0, 1): L(b) = e^b / (2 e^b + 1) * 1 / (e^b + 1).
    # d/db log L = 1 - 2e^b/(2e^b+1) - e^b/(e^b+1) = 0  ->  2 e^{2b} = 1  ->  b = -log(2)/2.
    fit = cox_ph([1.0, 2.0, 3.0], [1, 1, 1], np.array([[1.0], [0.0], [1.0]]))
    b = -math.log(2) / 2
    assert fit.coef[0] == pytest.approx(b, abs=1e-8)
    # information at b: variance of x in each risk set, p(1 - p) with p the risk share of x = 1:
    # 2e^b/(2e^b+1)^2 + e^b/(e^b+1)^2
    e = math.exp(b)
    info = 2 * e / (2 * e + 1) ** 2 + e / (e + 1) ** 2
    assert fit.se[0] == pytest.approx(1 / math.sqrt(info), rel=1e-6)
    assert fit.hazard_ratio[0] == pytest.approx(math.exp(b), rel=1e-8)


def test_concordance_by_hand():
    # all events, times 1..4; risk scores 4, 3, 2, 2 (higher risk, shorter time):
    # 6 comparable pairs, 5 concordant, the pair (3, 4) tied on the score -> (5 + 1/2) / 6
    c = concordance([1.0, 2, 3, 4], [1, 1, 1, 1], [4.0, 3, 2, 2])
    assert (c.concordant, c.discordant, c.tied_x) == (5, 0, 1)
    assert c.concordance == pytest.approx(5.5 / 6, rel=1e-15)


def test_concordance_censoring_and_tied_times_by_hand():
    # times 1(event) 1(censored) 2(event) 2(event); censored at 1 counts as longer than the event
    # at 1; the two events at 2 are tied on time (tied.y) and not comparable.
    # comparable: (1e vs 1c), (1e vs 2e), (1e vs 2e') -> scores 3 vs 1, 2, 0: all concordant
    c = concordance([1.0, 1, 2, 2], [1, 0, 1, 1], [3.0, 1, 2, 0])
    assert (c.concordant, c.discordant, c.tied_x, c.tied_y) == (3, 0, 0, 1)
    assert c.concordance == 1.0


def test_concordance_compares_only_within_strata_by_hand():
    # stratum A: t=1 (score 1) and t=2 (score 2), both events -> one discordant pair;
    # stratum B: t=1.5 event (score 5), t=3 censored (score 0) -> one concordant pair.
    # Pooled there would be 4 concordant and 2 discordant pairs.
    args = ([1.0, 2, 1.5, 3], [1, 1, 1, 0], [1.0, 2, 5, 0])
    c = concordance(*args, strata=["A", "A", "B", "B"])
    assert (c.concordant, c.discordant, c.concordance) == (1, 1, 0.5)
    pooled = concordance(*args)
    assert (pooled.concordant, pooled.discordant) == (4, 2)


def test_summary_and_recorded_methods():
    X = pd.DataFrame({"age": [50.0, 60, 70, 40, 55, 65], "male": [1.0, 0, 1, 0, 1, 0]})
    fit = cox_ph([5.0, 3, 2, 8, 4, 6], [1, 1, 0, 1, 1, 0], X)
    s = fit.summary()
    assert list(s.index) == ["age", "male"]
    assert list(s.columns) == ["coef", "hazard_ratio", "se", "z", "p", "ci95_lower", "ci95_upper"]
    assert (fit.ties, fit.variance, fit.ci_method, fit.conf_level) == ("efron", "model", "wald", 0.95)
    assert np.all(s["ci95_lower"] < s["hazard_ratio"]) and np.all(s["hazard_ratio"] < s["ci95_upper"])


def test_conf_level_changes_ci_width():
    X = np.array([[0.1], [0.5], [0.9], [0.2], [0.7], [0.4], [0.3]])
    t, e = [5.0, 3, 2, 8, 4, 6, 1], [1, 1, 1, 1, 0, 1, 1]
    f95, f80 = cox_ph(t, e, X), cox_ph(t, e, X, conf_level=0.80)
    w = lambda f: np.log(f.ci95[0, 1]) - np.log(f.ci95[0, 0])  # noqa: E731
    assert w(f80) / w(f95) == pytest.approx(1.2815515655446004 / 1.959963984540054, rel=1e-12)


# ---- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [1.0, 0.1, 1e6 / 3])
def test_constant_column_is_named(value):
    X = pd.DataFrame({"age": [50.0, 60, 70, 40, 55, 65, 45], "site_flag": [value] * 7})
    with pytest.raises(CoxDesignError, match="'site_flag'.*no variation"):
        cox_ph([5.0, 3, 2, 8, 4, 6, 7], [1, 1, 0, 1, 1, 1, 0], X, weights=[1, 2, 1, 3, 1, 1, 2])


def test_covariate_constant_within_every_stratum_is_named():
    X = pd.DataFrame({"age": [50.0, 60, 70, 40, 55, 65], "site_size": [0.3, 0.3, 0.3, 0.7, 0.7, 0.7]})
    with pytest.raises(CoxDesignError, match="'site_size'.*no variation"):
        cox_ph([5.0, 3, 2, 8, 4, 6], [1, 1, 0, 1, 1, 1], X, strata=["a", "a", "a", "b", "b", "b"])


def test_collinear_columns_are_named():
    a = np.array([1.0, 2, 3, 4, 5, 6])
    X = pd.DataFrame({"a": a, "b": [0.0, 1, 0, 1, 1, 0], "a_twice": 2 * a + 1})
    with pytest.raises(CoxDesignError, match="'a_twice' is collinear with 'a'"):
        cox_ph([5.0, 3, 2, 8, 4, 6], [1, 1, 0, 1, 1, 1], X)


def test_monotone_likelihood_is_named():
    # every event has treated = 1, every censoring treated = 0: the hazard ratio is infinite
    X = pd.DataFrame({"age": [50.0, 61, 70, 42, 55, 66, 58, 47],
                      "treated": [1.0, 1, 1, 1, 0, 0, 0, 0]})
    with pytest.raises(CoxConvergenceError, match="'treated'.*infinity"):
        cox_ph([1.0, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 0, 0, 0, 0], X)


def test_no_events_and_bad_inputs():
    with pytest.raises(SurvivalDataError, match="event: has no events"):
        cox_ph([1.0, 2], [0, 0], [[1.0], [2.0]])
    with pytest.raises(SurvivalDataError, match=r"time: must be finite and >= 0; offending rows \[1\]"):
        cox_ph([1.0, -2], [1, 0], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="ties must be one of"):
        cox_ph([1.0, 2], [1, 0], [[1.0], [2.0]], ties="discrete")


# ---- invariances (hypothesis) -------------------------------------------------------------
def _data(seed: int, n: int = 60):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.uniform(0, 5, n)])
    t = np.ceil(rng.exponential(10 * np.exp(-0.5 * X[:, 0]), n))
    e = (rng.random(n) < 0.75).astype(int)
    return t, e, X, rng.integers(0, 3, n), rng.uniform(0.5, 2, n)


SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 10_000), ties=st.sampled_from(["efron", "breslow"]))
def test_row_order_changes_nothing(seed, ties):
    t, e, X, s, w = _data(seed)
    perm = np.random.default_rng(seed + 1).permutation(len(t))
    a = cox_ph(t, e, X, ties=ties, strata=s, weights=w)
    b = cox_ph(t[perm], e[perm], X[perm], ties=ties, strata=s[perm], weights=w[perm])
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.robust_se, a.robust_se, rtol=1e-9)
    assert b.concordance == pytest.approx(a.concordance, rel=1e-12)
    assert b.loglik[1] == pytest.approx(a.loglik[1], rel=1e-12)
    np.testing.assert_allclose(b.ph_test().chisq, a.ph_test().chisq, rtol=1e-8)


@SETTINGS
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100))
def test_scaling_time_leaves_hazard_ratios_unchanged(seed, scale):
    t, e, X, _, _ = _data(seed)
    a, b = cox_ph(t, e, X), cox_ph(t * scale, e, X)
    np.testing.assert_allclose(b.hazard_ratio, a.hazard_ratio, rtol=1e-9)
    np.testing.assert_allclose(b.se, a.se, rtol=1e-9)


@SETTINGS
@given(seed=st.integers(0, 10_000), shift=st.floats(-1000, 1000))
def test_shifting_a_covariate_leaves_its_hazard_ratio_unchanged(seed, shift):
    t, e, X, _, _ = _data(seed)
    Y = X.copy()
    Y[:, 2] += shift
    a, b = cox_ph(t, e, X), cox_ph(t, e, Y)
    np.testing.assert_allclose(b.hazard_ratio, a.hazard_ratio, rtol=1e-7)
    np.testing.assert_allclose(b.se, a.se, rtol=1e-7)
    assert b.concordance == pytest.approx(a.concordance, abs=1e-12)


def test_times_equal_up_to_rounding_are_ties():
    # R coxph(timefix = TRUE) / aeqSurv: 0.1 + 0.2 and 0.3 are the same time
    X = np.array([[0.2], [1.4], [0.3], [2.0], [0.9], [1.1]])
    exact = cox_ph([0.3, 0.3, 0.5, 0.7, 0.9, 1.1], [1, 1, 1, 0, 1, 1], X)
    rounded = cox_ph([0.1 + 0.2, 0.3, 0.5, 0.7, 0.9, 1.1], [1, 1, 1, 0, 1, 1], X)
    np.testing.assert_allclose(rounded.coef, exact.coef, rtol=1e-12)
    assert rounded.loglik == pytest.approx(exact.loglik, rel=1e-12)
    assert rounded.ph_test().global_p == pytest.approx(exact.ph_test().global_p, rel=1e-10)
