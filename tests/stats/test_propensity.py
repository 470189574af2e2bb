"""IPTW: propensity, stabilized weights, truncation, ESS, balance and the weighted Cox model
with robust SE equal R (glm, quantile type 7, survey::svymean/svyvar, coxph(..., weights = w,
robust = TRUE), survfit(..., weights = w) with and without its robust variance) to 1e-6.

Expected numbers: tests/validation/fixtures/r_iptw_*.csv, written by tests/validation/r/iptw.R
on a registry-like cohort with a confounded exposure (iptw_data.csv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.stats import balance, cox_ph, iptw_weights, kaplan_meier
from prrt_rwe.stats.km_robust import robust_kaplan_meier

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
COVS = ["age", "sex_m", "pancreas", "hindgut", "g3nec", "ki67_lt10", "krenning4",
        "liver_burden_lt50", "prior_lines", "functioning"]
TRUNCATIONS = {"none": None, "p1_p99": (1, 99)}


def _weights(truncation):
    d = pd.read_csv(FIXTURES / "iptw_data.csv")
    return d, iptw_weights(d["ssa"], d[COVS], truncation=TRUNCATIONS[truncation])


@pytest.mark.parametrize("truncation", TRUNCATIONS)
def test_weights_and_ess(truncation):
    d, w = _weights(truncation)
    r = pd.read_csv(FIXTURES / "r_iptw_weights.csv").query("truncation == @truncation")
    np.testing.assert_allclose(w.propensity, r["propensity"], rtol=1e-8)
    np.testing.assert_allclose(w.weights, r["weight"], rtol=1e-8)
    s = pd.read_csv(FIXTURES / "r_iptw_summary.csv").query("truncation == @truncation").iloc[0]
    assert (w.ess, w.ess_exposed, w.ess_unexposed) == pytest.approx(
        (s["ess"], s["ess_exposed"], s["ess_unexposed"]), rel=1e-8)


@pytest.mark.parametrize("truncation", TRUNCATIONS)
def test_weighted_cox_robust(truncation):
    d, w = _weights(truncation)
    s = pd.read_csv(FIXTURES / "r_iptw_summary.csv").query("truncation == @truncation").iloc[0]
    fit = cox_ph(d["days"], d["event"], d[["ssa"]], weights=w.weights)
    assert fit.variance == "robust"
    assert fit.coef[0] == pytest.approx(s["coef"], rel=1e-6)
    assert fit.se[0] == pytest.approx(s["se"], rel=1e-6)
    assert fit.robust_se[0] == pytest.approx(s["robust_se"], rel=1e-6)
    assert fit.p[0] == pytest.approx(s["p"], rel=1e-6)
    np.testing.assert_allclose(fit.ci95[0], [s["lower"], s["upper"]], rtol=1e-6)


@pytest.mark.parametrize("truncation", TRUNCATIONS)
def test_balance_before_and_after(truncation):
    d, w = _weights(truncation)
    r = pd.read_csv(FIXTURES / "r_iptw_balance.csv").query("truncation == @truncation")
    b = balance(d[COVS], d["ssa"], w.weights)
    assert list(b.names) == list(r["covariate"])
    np.testing.assert_array_equal(b.binary, r["binary"].astype(bool))
    np.testing.assert_allclose(b.wmean_exposed, r["wmean_exposed"], rtol=1e-10)
    np.testing.assert_allclose(b.smd_before, r["smd_before"], rtol=1e-8)
    np.testing.assert_allclose(b.smd_after, r["smd_after"], rtol=1e-6, atol=1e-10)
    assert np.max(np.abs(b.smd_after)) < 0.1 < np.max(np.abs(b.smd_before))


@pytest.mark.parametrize("truncation", TRUNCATIONS)
@pytest.mark.parametrize("variance", ["greenwood", "robust"])
def test_weighted_km(truncation, variance):
    """Greenwood on the weighted counts (survfit robust = FALSE) and R's default for these
    weights, the infinitesimal jackknife (survfit(..., weights = w))."""
    d, w = _weights(truncation)
    r = pd.read_csv(FIXTURES / "r_iptw_km.csv").query("truncation == @truncation and variance == @variance")
    fit = kaplan_meier if variance == "greenwood" else robust_kaplan_meier
    for _, row in r.iterrows():
        arm = d["ssa"].to_numpy() == row["arm"]
        km = fit(d["days"][arm], d["event"][arm], weights=w.weights[arm])
        med = km.quantile(0.5)
        for ours, ref in ((med.estimate, row["median"]), (med.lower, row["median_lower"]),
                          (med.upper, row["median_upper"])):
            assert (ours is None and np.isnan(ref)) or ours == pytest.approx(ref, rel=1e-9)
        for t, col in ((365.25, "s12"), (730.5, "s24")):
            at = km.survival_at(t)
            assert (at.estimate, at.lower, at.upper) == pytest.approx(
                (row[col], row[f"{col}_lower"], row[f"{col}_upper"]), rel=1e-8)


def test_no_variation_in_exposure():
    with pytest.raises(ValueError, match="same value"):
        iptw_weights([1, 1, 1], np.array([[0.0], [1.0], [2.0]]))
