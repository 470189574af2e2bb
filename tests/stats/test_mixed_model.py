"""Linear mixed model (random intercept and slope, REML) against R nlme::lme and
nlme::intervals (fixtures from tests/validation/r/mixed_model.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats

FIX = Path(__file__).parents[1] / "validation" / "fixtures"
REF = pd.read_csv(FIX / "r_lme.csv")
RTOL = 1e-4  # the bar for the mixed model; agreement is ~1e-6 in practice


@pytest.mark.parametrize("key", sorted({(r.dataset, r.model) for r in REF.itertuples()}))
def test_lme_equals_nlme(key):
    dataset, model = key
    ref = REF[(REF["dataset"] == dataset) & (REF["model"] == model)]
    d = pd.read_csv(FIX / f"lme_{dataset}.csv")
    X = pd.DataFrame({"(Intercept)": 1.0, "time": d["time"]})
    if model == "slope_female":
        X["female"] = d["female"]
    fit = stats.linear_mixed_model(d["y"], X, d["group"], Z=X[["(Intercept)", "time"]])
    assert fit.terms == tuple(ref["term"])
    np.testing.assert_allclose(fit.coef, ref["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.se, ref["se"], rtol=RTOL)
    np.testing.assert_array_equal(fit.df, ref["df"])   # nlme's denominator df rule
    np.testing.assert_allclose(fit.ci, ref[["lower", "upper"]], rtol=RTOL)
    assert fit.sigma == pytest.approx(ref["sigma"].iloc[0], rel=RTOL)
    assert fit.loglik == pytest.approx(ref["loglik"].iloc[0], rel=1e-9)
    np.testing.assert_allclose(fit.random_cov.ravel(),
                               ref[["var_intercept", "cov_intercept_slope", "cov_intercept_slope",
                                    "var_slope"]].iloc[0], rtol=1e-3)


def test_row_order_does_not_matter():
    d = pd.read_csv(FIX / "lme_egfr.csv")
    X = pd.DataFrame({"(Intercept)": 1.0, "time": d["time"]})
    a = stats.linear_mixed_model(d["y"], X, d["group"])
    perm = np.random.default_rng(5).permutation(len(d))
    b = stats.linear_mixed_model(d["y"].to_numpy()[perm], X.to_numpy()[perm], d["group"].to_numpy()[perm])
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-7)
