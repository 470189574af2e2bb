"""Bootstrap: interval arithmetic against R boot.ci on R's own resamples
(tests/validation/r/bootstrap.R), and the fast KM-median path against the generic one."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats
from prrt_rwe.stats.bootstrap_interval import bca_interval, jackknife_influence, percentile_interval

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
    time, event = _survival(4)
    with pytest.raises(ValueError, match="use method='percentile'"):
        stats.bootstrap(stats.km_median, np.repeat(time[:3], 5), np.ones(15, int), method="bca")


def test_method_is_checked():
    with pytest.raises(ValueError, match="method must be one of"):
        stats.bootstrap(np.mean, AGE, method="basic")
