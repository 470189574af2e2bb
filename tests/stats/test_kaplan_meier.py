"""Kaplan-Meier: a hand-worked example, then agreement with R survival (fixtures made by
tests/validation/r/km_logrank.R; see tests/validation/README.md)."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
RTOL = 1e-6
Z = 1.959963984540054  # qnorm(0.975)
WEIGHTED = {"ties", "wtd"}
CONF_TYPES = ["plain", "log", "log-log"]


# ---- hand calculation -----------------------------------------------------------------------
# times 1 2 2+ 3 4+ 5, events at 1, 2, 3, 5 (n = 6):
#   t=1: 6 at risk, 1 event -> S = 5/6,          Greenwood term 1/(6*5)
#   t=2: 5 at risk, 1 event, 1 censored -> 2/3,  term 1/(5*4)
#   t=3: 3 at risk, 1 event -> S = 4/9,          term 1/(3*2); var(log S) = 1/30+1/20+1/6 = 1/4
#   t=4: 2 at risk, censored -> 4/9
#   t=5: 1 at risk, 1 event -> S = 0 (se infinite, CI undefined as in R)
HAND_T = [1, 2, 2, 3, 4, 5]
HAND_E = [1, 1, 0, 1, 0, 1]


def test_hand_example_curve_and_greenwood():
    km = stats.kaplan_meier(HAND_T, HAND_E)
    assert km.time.tolist() == [1, 2, 3, 4, 5]
    assert km.n_risk.tolist() == [6, 5, 3, 2, 1]
    assert km.n_event.tolist() == [1, 1, 1, 0, 1]
    assert km.n_censor.tolist() == [0, 1, 0, 1, 0]
    np.testing.assert_allclose(km.survival, [5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0], rtol=1e-15)
    assert km.std_err_log[2] == pytest.approx(0.5, rel=1e-15)
    assert math.isinf(km.std_err_log[4])
    assert np.isnan(km.lower[4]) and np.isnan(km.upper[4])


def test_hand_example_loglog_interval_and_median():
    km = stats.kaplan_meier(HAND_T, HAND_E)
    s, se = 4 / 9, 0.5
    lower = math.exp(-math.exp(math.log(-math.log(s)) - Z * se / math.log(s)))
    upper = math.exp(-math.exp(math.log(-math.log(s)) + Z * se / math.log(s)))
    assert (km.lower[2], km.upper[2]) == (pytest.approx(lower, rel=1e-12), pytest.approx(upper, rel=1e-12))
    assert km.median == 3.0  # first time S <= 1/2
    assert km.survival_at(3.5).estimate == pytest.approx(4 / 9)
    assert km.survival_at(5.0).estimate == 0.0
    assert km.survival_at(5.01) is None  # beyond the last follow-up (R extend = FALSE)
    assert km.survival_at(0.5).estimate == 1.0 and km.survival_at(0.5).n_risk == 6


def test_plain_and_log_types_by_their_formulas():
    s, se = 4 / 9, 0.5
    plain = stats.kaplan_meier(HAND_T, HAND_E, conf_type="plain")
    assert plain.lower[2] == pytest.approx(s - Z * se * s) and plain.upper[2] == pytest.approx(s + Z * se * s)
    log = stats.kaplan_meier(HAND_T, HAND_E, conf_type="log", conf_level=0.9)
    z90 = 1.6448536269514722
    assert log.lower[2] == pytest.approx(math.exp(math.log(s) - z90 * se))
    assert log.conf_type == "log" and log.conf_level == 0.9


def test_median_on_a_flat_stretch_is_its_midpoint():
    # S = 3/4, 1/2, 1/4, 0 at 1..4: S equals 1/2 on [2, 3) -> median (2 + 3) / 2 (R quantile.survfit)
    assert stats.kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).median == 2.5
    # flat at 1/2 until the last follow-up time 4 -> (2 + 4) / 2
    assert stats.kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0]).median == 3.0
    # never below 1/2 -> not reached
    km = stats.kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    assert km.median is None and km.quantile(0.1).estimate == 1.0


def test_n_at_risk_table_and_summary():
    km = stats.kaplan_meier(HAND_T, HAND_E)
    assert km.n_at_risk([0, 2, 2.5, 5, 6]).tolist() == [6, 5, 3, 1, 0]
    table = km.summary()
    assert table["time"].tolist() == [1, 2, 3, 5]  # event times only, as R summary(fit)
    assert list(table.columns) == ["time", "n_risk", "n_event", "n_censor", "survival", "std_err",
                                   "lower", "upper"]


def test_case_weights_equal_replicated_rows():
    t, e, w = [2, 3, 3, 5, 8], [1, 0, 1, 1, 0], [2, 1, 3, 1, 2]
    weighted = stats.kaplan_meier(t, e, weights=w)
    expanded = stats.kaplan_meier(np.repeat(t, w), np.repeat(e, w))
    np.testing.assert_allclose(weighted.survival, expanded.survival, rtol=1e-15)
    np.testing.assert_allclose(weighted.lower, expanded.lower, rtol=1e-13)
    np.testing.assert_allclose(weighted.n_risk, expanded.n_risk)
    assert weighted.weighted and weighted.variance == "greenwood"


def test_reverse_km_swaps_events_and_censoring():
    rev = stats.reverse_km(HAND_T, HAND_E)
    assert rev.n_event.tolist() == [0, 1, 0, 1, 0]
    assert stats.reverse_km_median(HAND_T, HAND_E).estimate == 4.0  # S_c: 1, 1, 2/3 at 2, 1/3 at 4


def test_invalid_conf_type_and_level():
    with pytest.raises(ValueError, match="conf_type must be one of"):
        stats.kaplan_meier(HAND_T, HAND_E, conf_type="logit")
    with pytest.raises(ValueError, match="conf_level"):
        stats.kaplan_meier(HAND_T, HAND_E, conf_level=95)


# ---- agreement with R ----------------------------------------------------------------------
def _data(name):
    return pd.read_csv(FIXTURES / f"surv_{name}.csv")


def _fit(name, conf_type):
    d = _data(name)
    weights = d["weight"] if name in WEIGHTED else None
    return stats.kaplan_meier(d["time"], d["event"], weights=weights, conf_type=conf_type)


def _close(ours, theirs):
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    ok = ~np.isnan(theirs)
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=RTOL, atol=1e-12)


CURVES = pd.read_csv(FIXTURES / "r_km_curves.csv")
QUANTILES = pd.read_csv(FIXTURES / "r_km_quantiles.csv")
LANDMARKS = pd.read_csv(FIXTURES / "r_km_landmarks.csv")


@pytest.mark.parametrize("name", sorted(CURVES["dataset"].unique()))
@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_curve_equals_r_survfit(name, conf_type):
    r = CURVES[CURVES["dataset"] == name]
    km = _fit(name, conf_type)
    for ours, col in [(km.time, "time"), (km.n_risk, "n_risk"), (km.n_event, "n_event"),
                      (km.n_censor, "n_censor"), (km.survival, "surv"),
                      (np.where(np.isinf(km.std_err_log), np.nan, km.std_err_log), "std_err_log"),
                      (km.lower, f"lower_{conf_type}"), (km.upper, f"upper_{conf_type}")]:
        _close(ours, r[col].replace([np.inf], np.nan))


@pytest.mark.parametrize("name", sorted(QUANTILES["dataset"].unique()))
@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_quantiles_equal_r_quantile_survfit(name, conf_type):
    r = QUANTILES[(QUANTILES["dataset"] == name) & (QUANTILES["conf_type"] == conf_type)]
    km = _fit(name, conf_type)
    got = [km.quantile(p) for p in r["p"]]
    for attr in ("estimate", "lower", "upper"):
        col = "quantile" if attr == "estimate" else attr
        _close([np.nan if getattr(q, attr) is None else getattr(q, attr) for q in got], r[col])


@pytest.mark.parametrize("name", sorted(LANDMARKS["dataset"].unique()))
@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_landmarks_equal_r_summary_extend_false(name, conf_type):
    r = LANDMARKS[(LANDMARKS["dataset"] == name) & (LANDMARKS["conf_type"] == conf_type)]
    km = _fit(name, conf_type)
    at = [km.survival_at(t) for t in r["time"]]
    assert all(a is not None for a in at)
    for attr, col in [("estimate", "surv"), ("std_err", "std_err"), ("lower", "lower"),
                      ("upper", "upper"), ("n_risk", "n_risk")]:
        _close([np.nan if getattr(a, attr) is None else getattr(a, attr) for a in at], r[col])
    # the script asked R for max(time) + 1 as well; R (extend = FALSE) returned no row for it
    last = _data(name)["time"].max()
    assert r["time"].max() <= last and km.survival_at(last + 1) is None


def test_reverse_km_median_equals_r():
    r = pd.read_csv(FIXTURES / "r_reverse_km.csv")
    for row in r.itertuples():
        d = _data(row.dataset)
        q = stats.reverse_km_median(d["time"], d["event"])
        _close([q.estimate, q.lower, q.upper], [row.median, row.lower, row.upper])


@pytest.mark.parametrize("name", ["lung", "veteran", "ties"])
def test_non_integer_times_take_the_sorting_path_with_the_same_r_numbers(name):
    # R fixtures hold whole-day times (counting path); shifting every time by 0.37 keeps the
    # order, so R's survival and CIs must come out unchanged through the sorting path.
    r = CURVES[CURVES["dataset"] == name]
    d = _data(name)
    weights = d["weight"] if name in WEIGHTED else None
    km = stats.kaplan_meier(d["time"] + 0.37, d["event"], weights=weights)
    _close(km.time, r["time"] + 0.37)
    _close(km.survival, r["surv"])
    _close(km.lower, r["lower_log-log"])
