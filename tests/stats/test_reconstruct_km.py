"""Guyot et al. (2012) reconstruction on three curves worked by hand (the algorithm's steps
written out in each test), its input checks, and a round trip through the KM engine."""

import numpy as np
import pytest

from prrt_rwe import stats
from prrt_rwe.stats.reconstruct_km import ReconstructionError, reconstruct_km


def _sorted(time, event):
    order = np.lexsort((-np.asarray(event), np.asarray(time, float)))
    return np.asarray(time, float)[order].tolist(), np.asarray(event)[order].tolist()


def test_curve_without_censoring():
    # n = 10; at risk 10 at 0, 7 at 5.  Interval [0, 5): first guess of the censored
    # round(10 * S(6) / S(0) - 7) = round(7 - 7) = 0.  Events: t=2: round(10 (1 - .9)) = 1,
    # n̂ = 9; t=4: round(9 (1 - .7/.9)) = 2, n̂ = 7 = published 7.  Last interval: average
    # censoring 0; t=6: round(7 (1 - .7/.7)) = 0; t=8: round(7 (1 - .4/.7)) = 3.
    # Left: 10 - 6 = 4 censored at the last time, 8.
    ipd = reconstruct_km([0, 2, 4, 6, 8], [1, .9, .7, .7, .4], [0, 5], [10, 7])
    assert (ipd.time.tolist(), ipd.event.tolist()) == _sorted(
        [2, 4, 4, 8, 8, 8, 8, 8, 8, 8], [1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
    km = stats.kaplan_meier(ipd.time, ipd.event)
    np.testing.assert_allclose(km.survival, [0.9, 0.7, 0.4])  # the digitised curve, exactly


def test_curve_with_censoring_in_both_intervals():
    # n = 10; at risk 10 at 0, 6 at 6.  [0, 6): censored round(10 * .8 - 6) = 2, spread at
    # times 2 and 4 -> one in bin [0, 2] (placed at its mid-point 1), one in (2, 6] (at 4).
    # t=0: n̂ = 10 - 1 = 9; t=2: events round(9 * .2) = round(1.8) = 2, Ŝ = 7/9, n̂ = 9 - 2 - 1 = 6
    # = published 6.  Last interval: censoring rate of the first, round(2 * (8 - 6) / (2 - 0)) = 2,
    # spread over (6, 8) -> both in the bin (6, 8] (at 7); t=6: round(6 (1 - .8/(7/9))) =
    # round(-0.17) = 0, n̂ = 4; t=8: round(4 (1 - .6/(7/9))) = round(0.91) = 1.
    # Left: 10 - 3 events - 4 censored = 3 censored at 8.
    ipd = reconstruct_km([0, 2, 6, 8], [1, .8, .8, .6], [0, 6], [10, 6])
    assert (ipd.time.tolist(), ipd.event.tolist()) == _sorted(
        [1, 2, 2, 4, 7, 7, 8, 8, 8, 8], [0, 1, 1, 0, 0, 0, 1, 0, 0, 0])


def test_total_events_adjusts_the_censoring_of_the_last_interval():
    # One interval, n = 4, total events 1.  No censoring first: t=2: round(4 * .25) = 1 event,
    # t=4: round(3 (1 - .5/.75)) = 1 -> 2 events > 1, so the censoring grows by the excess:
    # c = 1 (time 3 -> bin (2, 4]): t=2: 1 event, n̂ = 4 - 1 - 1 = 2; t=4: round(2 * 1/3) = 1 -> 2;
    # c = 2 (times 2 -> bin [0, 2], 4 -> bin (2, 4]): t=0: n̂ = 3; t=2: round(3 * .25) = 1,
    # Ŝ = .5, n̂ = 1; t=4: round(1 (1 - .5/.5)) = 0; t=6: 0 -> 1 event = total: stop.
    # IPD: event at 2; censored at 1 and 3 (bin mid-points) and 6 (left over at the end).
    ipd = reconstruct_km([0, 2, 4, 6], [1, .75, .5, .5], [0], [4], total_events=1)
    assert (ipd.time.tolist(), ipd.event.tolist()) == _sorted([1, 2, 3, 6], [0, 1, 0, 0])
    without = reconstruct_km([0, 2, 4, 6], [1, .75, .5, .5], [0], [4])
    assert (without.time.tolist(), without.event.tolist()) == _sorted([2, 4, 6, 6], [1, 1, 0, 0])


def test_curve_not_starting_at_zero_gets_s0_equal_1():
    a = reconstruct_km([2, 4, 6, 8], [.9, .7, .7, .4], [0, 5], [10, 7])
    b = reconstruct_km([0, 2, 4, 6, 8], [1, .9, .7, .7, .4], [0, 5], [10, 7])
    assert a.time.tolist() == b.time.tolist() and a.event.tolist() == b.event.tolist()


@pytest.mark.parametrize("curve_t, curve_s, risk_t, risk_n, kwargs, message", [
    ([0, 2, 1, 3], [1, .9, .8, .7], [0], [10], {}, r"curve: row 3: time 1 is before the previous point's 2"),
    ([0, 1, 2, 3], [1, .8, .85, .7], [0], [10], {}, r"curve: row 3: survival rises from 0.8 to 0.85"),
    ([0, 1, 2], [100, 80, 60], [0], [10], {}, r"outside \[0, 1\] \(give survival as a proportion"),
    ([0, 1, 2], [.9, .8, .6], [0], [10], {}, r"survival at time 0 is 0.9, must be 1"),
    ([0, 1, 2], [1, .8, .6], [0, 1, 5], [10, 8, 5], {}, r"at-risk: row 3: time 5 is outside the curve"),
    ([0, 1, 2], [1, .8, .6], [1, 2], [10, 8], {}, r"at-risk: row 1: first time is 1, must be 0"),
    ([0, 1, 2], [1, .8, .6], [0, 1], [10, 12], {}, r"number at risk rises from 10 to 12"),
    ([0, 1, 2], [1, .8, .6], [0, 1], [10, 7.5], {}, r"7.5 is not a whole number"),
    ([0, 1, 2], [1, .8, .6], [0], [10], {"total_events": 11}, r"11 events but only 10 patients"),
    ([0, 1, 4, 5], [1, .8, .6, .5], [0, 2, 3], [10, 8, 6], {}, r"no digitised curve point between time 2 and 3"),
    ([0, 1, np.nan], [1, .8, .6], [0], [10], {}, r"curve time: row 3 is not a finite number"),
])
def test_bad_input_is_a_clear_error(curve_t, curve_s, risk_t, risk_n, kwargs, message):
    with pytest.raises(ReconstructionError, match=message):
        reconstruct_km(curve_t, curve_s, risk_t, risk_n, **kwargs)


def test_round_trip_of_a_simulated_trial():
    # A KM curve read at 0.5-month steps with its at-risk table gives back nearly the same
    # KM (the accuracy study is benchmarks/bench_guyot.py; here a sanity bound).
    rng = np.random.default_rng(20260601)
    t_event, t_cens = rng.exponential(20, 200), rng.uniform(5, 40, 200)
    time, event = np.minimum(t_event, t_cens), (t_event <= t_cens).astype(int)
    km = stats.kaplan_meier(time, event)
    grid = np.arange(0, time.max(), 0.5)
    curve = np.array([km.survival_at(g).estimate if g >= km.time[0] else 1.0 for g in grid])
    at = np.arange(0, time.max(), 6.0)
    ipd = reconstruct_km(grid, curve, at, [(time >= a).sum() for a in at], total_events=int(event.sum()))
    assert ipd.time.size == 200
    back = stats.kaplan_meier(ipd.time, ipd.event)
    assert abs(back.survival_at(20).estimate - km.survival_at(20).estimate) < 0.02
    assert abs(back.median - km.median) < 1.0
