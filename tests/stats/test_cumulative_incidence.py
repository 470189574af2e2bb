"""Aalen–Johansen cumulative incidence against a hand calculation and R survival's multi-state
survfit (fixtures from tests/validation/r/competing_risks.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prrt_rwe import stats
from prrt_rwe.stats.survival_data import SurvivalDataError

FIX = Path(__file__).parents[1] / "validation" / "fixtures"
RTOL = 1e-6

# Ten patients: (time, status) with 0 censored, 1 cause of interest, 2 competing.
HAND_T = [1, 2, 2, 3, 4, 5, 5, 6, 7, 8]
HAND_S = [1, 0, 2, 1, 0, 1, 2, 0, 1, 0]


def test_hand_computed_aalen_johansen():
    fit = stats.cumulative_incidence(HAND_T, HAND_S)
    # F1(t) = sum over event times s <= t of S(s-) d1(s) / n(s), S the overall Kaplan-Meier:
    #  t=1: n=10, d1=1            -> F1 = 1/10 = 0.1,               S = 9/10
    #  t=2: n=9, d2=1, 1 censored -> F2 = 0.9 * 1/9 = 0.1,          S = 0.9 * 8/9 = 0.8
    #  t=3: n=7, d1=1             -> F1 = 0.1 + 0.8/7,              S = 0.8 * 6/7
    #  t=4: n=6, censored only    -> nothing changes
    #  t=5: n=5, d1=1, d2=1       -> F1 += S(5-)/5, F2 += S(5-)/5,  S *= 3/5
    #  t=6: censored; t=7: n=2, d1=1 -> F1 += S(7-)/2, S /= 2;  t=8: censored
    s3 = 0.8 * 6 / 7
    f1 = [0.1, 0.1, 0.1 + 0.8 / 7, 0.1 + 0.8 / 7, 0.1 + 0.8 / 7 + s3 / 5, 0.1 + 0.8 / 7 + s3 / 5,
          0.1 + 0.8 / 7 + s3 / 5 + s3 * 3 / 5 / 2, 0.1 + 0.8 / 7 + s3 / 5 + s3 * 3 / 5 / 2]
    f2 = [0.0, 0.1, 0.1, 0.1, 0.1 + s3 / 5, 0.1 + s3 / 5, 0.1 + s3 / 5, 0.1 + s3 / 5]
    np.testing.assert_allclose(fit.time, [1, 2, 3, 4, 5, 6, 7, 8])
    np.testing.assert_allclose(fit.cif, f1, rtol=1e-12)
    np.testing.assert_allclose(fit.pstate[:, 2], f2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(fit.pstate.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(fit.n_risk, [10, 9, 7, 6, 5, 3, 2, 1])
    # Infinitesimal jackknife at t=1: the subject with the event moves F1 by (1/10)(1 - 1/10),
    # each of the nine others by -(1/10)(1/10): se = sqrt(0.09^2 + 9 * 0.01^2) = sqrt(0.009).
    assert fit.std_err[0] == pytest.approx(np.sqrt(0.009), rel=1e-12)
    # log CI: exp(log F -+ 1.96 se / F)
    z = 1.959963984540054
    assert fit.lower[0] == pytest.approx(0.1 * np.exp(-z * np.sqrt(0.009) / 0.1), rel=1e-12)
    assert fit.upper[0] == pytest.approx(min(1.0, 0.1 * np.exp(z * np.sqrt(0.009) / 0.1)), rel=1e-12)
    # F2 = 0 at t=1: R gives no interval (NA)
    assert np.isnan(fit.pstate_lower[0, 2]) and np.isnan(fit.pstate_upper[0, 2])


def test_cif_at_follows_summary_extend_false():
    fit = stats.cumulative_incidence(HAND_T, HAND_S)
    before = fit.cif_at(0.5)
    assert (before.estimate, before.lower, before.upper, before.std_err, before.n_risk) == (0, 0, 0, 0, 10)
    assert fit.cif_at(2.5).estimate == pytest.approx(0.1) and fit.cif_at(2.5).n_risk == 7
    assert fit.cif_at(8).estimate == pytest.approx(fit.cif[-1])
    assert fit.cif_at(8.01) is None
    assert fit.cif_at(5, cause=2).estimate == pytest.approx(fit.pstate[4, 2])


def _fit(name):
    d = pd.read_csv(FIX / f"cr_{name.removesuffix('_weighted')}.csv")
    weights = d["weight"] if name.endswith("_weighted") else None
    return d, weights


@pytest.mark.parametrize("dataset", ["hand", "ties", "ties_weighted", "cont"])
@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_curves_equal_r_survfit(dataset, conf_type):
    ref = pd.read_csv(FIX / "r_aj_curves.csv")
    ref = ref[ref["dataset"] == dataset]
    d, w = _fit(dataset)
    fit = stats.cumulative_incidence(d["time"], d["status"], weights=w, conf_type=conf_type)
    suffix = conf_type
    for state in (0, 1, 2):
        r = ref[ref["state"] == state]
        np.testing.assert_allclose(fit.time, r["time"], rtol=1e-12)
        np.testing.assert_allclose(fit.n_risk, r["n_risk"])
        np.testing.assert_allclose(fit.pstate[:, state], r["pstate"], rtol=RTOL, atol=1e-12)
        np.testing.assert_allclose(fit.pstate_std_err[:, state], r["std_err"], rtol=RTOL, atol=1e-12)
        np.testing.assert_allclose(fit.pstate_lower[:, state], r[f"lower_{suffix}"], rtol=RTOL, atol=1e-12)
        np.testing.assert_allclose(fit.pstate_upper[:, state], r[f"upper_{suffix}"], rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("dataset", ["hand", "ties", "ties_weighted", "cont"])
def test_landmarks_equal_r_summary(dataset):
    ref = pd.read_csv(FIX / "r_aj_landmarks.csv")
    d, w = _fit(dataset)
    for conf_type in ("log", "log-log", "plain"):
        fit = stats.cumulative_incidence(d["time"], d["status"], weights=w, conf_type=conf_type)
        rows = ref[(ref["dataset"] == dataset) & (ref["conf_type"] == conf_type)]
        for row in rows.itertuples():
            at = fit.cif_at(row.time, cause=int(row.state))
            assert at is not None
            assert at.estimate == pytest.approx(row.pstate, rel=RTOL, abs=1e-12)
            assert at.std_err == pytest.approx(row.std_err, rel=RTOL, abs=1e-12)
            assert at.n_risk == row.n_risk
            for ours, theirs in ((at.lower, row.lower), (at.upper, row.upper)):
                assert (ours is None) == np.isnan(theirs)
                if ours is not None:
                    assert ours == pytest.approx(theirs, rel=RTOL, abs=1e-12)
        # R drops times beyond the last follow-up (extend = FALSE)
        assert fit.cif_at(d["time"].max() + 1) is None


def test_by_group_is_one_fit_per_level():
    d = pd.read_csv(FIX / "cr_ties.csv")
    by = stats.cumulative_incidence(d["time"], d["status"], group=d["group"])
    assert by.levels == ("g1", "g2", "g3")
    one = d[d["group"] == "g2"]
    alone = stats.cumulative_incidence(one["time"], one["status"])
    np.testing.assert_array_equal(by["g2"].cif, alone.cif)


def test_without_competing_events_cif_is_one_minus_km():
    d = pd.read_csv(FIX / "cr_cont.csv")
    event = (d["status"] == 1).astype(int)
    fit = stats.cumulative_incidence(d["time"], event)
    km = stats.kaplan_meier(d["time"], event)
    np.testing.assert_allclose(fit.cif, 1 - km.survival, rtol=1e-12, atol=1e-15)


def test_bad_status_names_rows():
    with pytest.raises(SurvivalDataError, match=r"status: .*offending rows \[1, 3\]"):
        stats.cumulative_incidence([1, 2, 3, 4], [0, -1, 1, 1.5])
    with pytest.raises(SurvivalDataError, match="time"):
        stats.cumulative_incidence([1, -2], [0, 1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 2)), min_size=1, max_size=60))
def test_invariants(rows):
    t = np.array([r[0] for r in rows], float)
    s = np.array([r[1] for r in rows])
    fit = stats.cumulative_incidence(t, s)
    np.testing.assert_allclose(fit.pstate.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.diff(fit.cif) >= -1e-15)
    assert np.all(fit.pstate_std_err >= 0)
    ok = ~np.isnan(fit.lower)
    assert np.all(fit.lower[ok] <= fit.cif[ok] + 1e-12) and np.all(fit.cif[ok] <= fit.upper[ok] + 1e-12)
    perm = np.random.default_rng(0).permutation(t.size)
    again = stats.cumulative_incidence(t[perm], s[perm])
    np.testing.assert_allclose(again.pstate, fit.pstate, rtol=1e-12)
    np.testing.assert_allclose(again.pstate_std_err, fit.pstate_std_err, rtol=1e-9, atol=1e-15)
