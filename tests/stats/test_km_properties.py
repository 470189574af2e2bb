"""Invariants of the Kaplan-Meier estimator (hypothesis property tests)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from prrt_rwe import stats

CONF_TYPES = ["plain", "log", "log-log"]


@st.composite
def survival_samples(draw):
    n = draw(st.integers(1, 60))
    # few distinct values so ties between events and censorings are common
    time = draw(st.lists(st.integers(0, 15), min_size=n, max_size=n))
    event = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    return np.array(time, float), np.array(event)


@settings(max_examples=150, deadline=None)
@given(survival_samples(), st.sampled_from(CONF_TYPES))
def test_survival_is_monotone_non_increasing_within_unit_interval(data, conf_type):
    km = stats.kaplan_meier(*data, conf_type=conf_type)
    assert np.all(np.diff(km.survival) <= 0)
    assert np.all((km.survival >= 0) & (km.survival <= 1))


@settings(max_examples=150, deadline=None)
@given(survival_samples(), st.sampled_from(CONF_TYPES))
def test_interval_contains_the_estimate(data, conf_type):
    km = stats.kaplan_meier(*data, conf_type=conf_type)
    ok = ~np.isnan(km.lower)
    assert np.all(km.lower[ok] <= km.survival[ok] * (1 + 1e-12))
    assert np.all(km.upper[ok] >= km.survival[ok] * (1 - 1e-12))
    q = km.quantile(0.5)
    if q.estimate is not None and q.lower is not None:
        assert q.lower <= q.estimate
    if q.estimate is not None and q.upper is not None:
        assert q.upper >= q.estimate


@settings(max_examples=100, deadline=None)
@given(survival_samples(), st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(data, rnd):
    time, event = data
    order = list(range(time.size))
    rnd.shuffle(order)
    a = stats.kaplan_meier(time, event)
    b = stats.kaplan_meier(time[order], event[order])
    for field in ("time", "survival", "lower", "upper", "n_risk", "n_event"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert a.median == b.median


@settings(max_examples=100, deadline=None)
@given(survival_samples(), st.sampled_from([0.5, 7.0, 30.4375, 1e4]))
def test_scaling_time_scales_times_and_keeps_survival(data, scale):
    time, event = data
    a = stats.kaplan_meier(time, event)
    b = stats.kaplan_meier(time * scale, event)
    np.testing.assert_array_equal(a.survival, b.survival)
    np.testing.assert_allclose(b.time, a.time * scale)
    if a.median is not None:
        assert b.median == a.median * scale or np.isclose(b.median, a.median * scale)


@settings(max_examples=60, deadline=None)
@given(survival_samples(), st.lists(st.integers(1, 4), min_size=60, max_size=60))
def test_integer_weights_equal_replicated_rows(data, w):
    time, event = data
    w = np.array(w[: time.size])
    a = stats.kaplan_meier(time, event, weights=w)
    b = stats.kaplan_meier(np.repeat(time, w), np.repeat(event, w))
    np.testing.assert_allclose(a.survival, b.survival, rtol=1e-12)
    np.testing.assert_allclose(a.lower, b.lower, rtol=1e-10)
