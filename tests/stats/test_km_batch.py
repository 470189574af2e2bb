"""Batched case-weighted KM (the MAIC bootstrap's PFS rate and median) equals the KM engine
(itself equal to R survfit(weights = w)) row by row."""

import numpy as np
import pytest

from prrt_rwe import stats
from prrt_rwe.stats.km_batch import median_batch, survival_at_batch


def _data(seed=3, n=40):
    rng = np.random.default_rng(seed)
    time = np.round(rng.exponential(12, n), 1)
    event = (rng.random(n) < 0.7).astype(int)
    W = rng.gamma(2.0, 1.0, size=(25, n)) * (rng.random((25, n)) < 0.8)  # some zero weights
    return time, event, W


@pytest.mark.parametrize("t", [0.0, 5.0, 10.0, 20.0])
def test_survival_at_equals_weighted_kaplan_meier(t):
    time, event, W = _data()
    got = survival_at_batch(time, event, W, t)
    for b, w in enumerate(W):
        keep = w > 0
        at = stats.kaplan_meier(time[keep], event[keep], weights=w[keep]).survival_at(t)
        assert (at is None and np.isnan(got[b])) or got[b] == pytest.approx(at.estimate, rel=1e-12)


def test_median_equals_weighted_kaplan_meier():
    time, event, W = _data(seed=5)
    got = median_batch(time, event, W)
    for b, w in enumerate(W):
        keep = w > 0
        med = stats.kaplan_meier(time[keep], event[keep], weights=w[keep]).median
        assert (med is None and np.isnan(got[b])) or got[b] == pytest.approx(med)


def test_nan_rows_and_beyond_follow_up():
    time, event = np.array([1.0, 2.0, 3.0]), np.array([1, 0, 1])
    W = np.array([[1, 1, 1], [np.nan, 1, 1], [1, 1, 0]])
    # row 0: S(2.5) = 1 - 1/3; row 1: NaN weights; row 2: last positive-weight time is 2 < 2.5
    np.testing.assert_allclose(survival_at_batch(time, event, W, 2.5), [2 / 3, np.nan, np.nan])
