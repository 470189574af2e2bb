"""Bootstrap: interval arithmetic against R boot.ci on R's own resamples
(tests/validation/r/bootstrap.R), and the fast KM-median path against the generic one."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats
from prrt_rwe.stats.bootstrap_interval import (
    bca_interval,
    jackknife_influence,
    percentile_interval,
    regression_influence,
)

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
R_T = pd.read_csv(FIXTURES / "r_boot_t.csv")
R_CI = pd.read_csv(FIXTURES / "r_boot_ci.csv")
AGE = pd.read_csv(FIXTURES / "boot_data.csv")["age"].to_numpy()
STATISTICS = {"mean_age": lambda x: np.mean(x), "sd_age": lambda x: np.std(x, ddof=1)}


@pytest.mark.parametrize("row", list(R_CI.itertuples(index=False)), ids=lambda r: f"{r.statistic}@{r.conf}")
def test_intervals_equal_r_boot_ci_on_the_same_resamples(row):
    t = R_T.loc[R_T["statistic"] == row.statistic, "t"].to_numpy()
    stat = STATISTICS[row.statistic]
    assert stat(AGE) == pytest.approx(row.t0, rel=1e-12)
    lo, hi = percentile_interval(t, row.conf)
    assert (lo, hi) == (pytest.approx(row.perc_lower, rel=1e-9), pytest.approx(row.perc_upper, rel=1e-9))
    loo = [stat(np.delete(AGE, i)) for i in range(AGE.size)]
    lo, hi = bca_interval(t, row.t0, jackknife_influence(loo, stat(AGE)), row.conf)
    assert (lo, hi) == (pytest.approx(row.bca_lower, rel=1e-9), pytest.approx(row.bca_upper, rel=1e-9))


def test_bca_with_regression_influence_equals_r_default_boot_ci():
    # boot.ci(type = "bca") without L: influence by regression on R's own boot.array
    freq = pd.read_csv(FIXTURES / "r_boot_freq_sd_age.csv").to_numpy()
    t = R_T.loc[R_T["statistic"] == "sd_age", "t"].to_numpy()
    L = regression_influence(freq, t)
    for row in R_CI[R_CI["statistic"] == "sd_age"].itertuples(index=False):
        lo, hi = bca_interval(t, row.t0, L, row.conf)
        assert lo == pytest.approx(row.bca_reg_lower, rel=1e-9)
        assert hi == pytest.approx(row.bca_reg_upper, rel=1e-9)


def test_frequencies_are_the_counts_of_each_row():
    idx = np.array([[0, 0, 2], [1, 2, 2]])
    np.testing.assert_array_equal(stats.bootstrap_frequencies(idx, 3), [[2, 0, 1], [0, 1, 2]])


def _survival(seed, n=120):
    rng = np.random.default_rng(seed)
    time = np.ceil(rng.exponential(300, n) / 7) * 7  # weekly visits: many ties
    return time, (rng.random(n) < 0.7).astype(int)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_km_median_path_equals_refitting_every_resample(seed):
    time, event = _survival(seed)
    fast = stats.bootstrap(stats.km_median, time, event, n_resamples=300, seed=seed)
    slow = stats.bootstrap(lambda t, e: stats.km_median(t, e), time, event, n_resamples=300, seed=seed)
    np.testing.assert_array_equal(fast.resamples, slow.resamples)
    assert fast.ci == slow.ci and fast.estimate == slow.estimate


def test_fast_path_handles_medians_not_reached():
    time = np.arange(1.0, 41.0)
    event = (np.arange(40) < 12).astype(int)  # S stays above 1/2 in most resamples
    fast = stats.bootstrap_km_median(time, event, n_resamples=200, seed=5)
    slow = stats.bootstrap(lambda t, e: stats.km_median(t, e), time, event, n_resamples=200, seed=5)
    np.testing.assert_array_equal(fast.resamples, slow.resamples)
    assert fast.n_nonfinite == int(np.isnan(slow.resamples).sum()) > 0


def test_batched_statistic_equals_looped_and_seed_fixes_resamples():
    x = AGE
    looped = stats.bootstrap(np.mean, x, n_resamples=500, seed=11)
    batched = stats.bootstrap(lambda a: a.mean(axis=-1), x, n_resamples=500, seed=11, batch=True,
                              batch_size=64)
    np.testing.assert_allclose(batched.resamples, looped.resamples, rtol=1e-14)
    assert looped.resamples.shape == (500,) and looped.estimate == pytest.approx(x.mean())
    again = stats.bootstrap(np.mean, x, n_resamples=500, seed=11)
    np.testing.assert_array_equal(again.resamples, looped.resamples)
    other = stats.bootstrap(np.mean, x, n_resamples=500, seed=12)
    assert not np.array_equal(other.resamples, looped.resamples)


def test_paired_arrays_are_resampled_together():
    x = np.arange(50.0)
    res = stats.bootstrap(lambda a, b: np.max(np.abs(a - b)), x, x.copy(), n_resamples=100)
    assert np.all(res.resamples == 0)


def test_bca_of_a_median_with_flat_jackknife_is_refused_with_advice():
    time, _ = _survival(4)
    with pytest.raises(ValueError, match="use influence='regression' or method='percentile'"):
        stats.bootstrap(stats.km_median, np.repeat(time[:3], 5), np.ones(15, int), method="bca",
                        influence="jackknife")


def test_bca_of_km_median_fast_path_equals_generic_path():
    time, event = _survival(6)
    fast = stats.bootstrap(stats.km_median, time, event, n_resamples=400, method="bca")
    slow = stats.bootstrap(lambda t, e: stats.km_median(t, e), time, event, n_resamples=400,
                           method="bca")
    assert fast.influence == "regression" and fast.ci == pytest.approx(slow.ci, rel=1e-12)
    assert fast.ci[0] <= fast.estimate <= fast.ci[1]


def test_method_is_checked():
    with pytest.raises(ValueError, match="method must be one of"):
        stats.bootstrap(np.mean, AGE, method="basic")
