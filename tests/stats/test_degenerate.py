"""Degenerate input: every engine answers with R's value or a clear error naming the input,
never an internal exception.  R's values: tests/validation/fixtures/r_degenerate.csv
(km_logrank_extras.R, R survival 3.5)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats
from prrt_rwe.stats.concordance import concordance
from prrt_rwe.stats.cox_newton import CoxDesignError

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
R = pd.read_csv(FIXTURES / "r_degenerate.csv")


def r(case, quantity):
    return float(R[(R["case"] == case) & (R["quantity"] == quantity)]["value"].iloc[0])


def same(ours, theirs):
    assert (np.isnan(theirs) and (ours is None or np.isnan(ours))) or ours == pytest.approx(theirs, rel=1e-6)


def test_km_without_events_stays_at_one():
    km = stats.kaplan_meier([1.0, 2, 3], [0, 0, 0])
    for ours, name in ((km.survival[-1], "surv_last"), (km.std_err_log[-1], "std_err_last"),
                       (km.lower[-1], "lower_last"), (km.upper[-1], "upper_last")):
        same(ours, r("km_no_events", name))
    assert km.median is None


def test_km_of_one_subject():
    km = stats.kaplan_meier([5.0], [1])
    same(km.survival[0], r("km_one_event", "surv"))
    same(km.std_err_log[0], r("km_one_event", "std_err"))
    same(km.lower[0], r("km_one_event", "lower"))
    same(km.median, r("km_one_event", "median"))
    km = stats.kaplan_meier([5.0], [0])
    same(km.survival[0], r("km_one_censored", "surv"))
    same(km.std_err_log[0], r("km_one_censored", "std_err"))


def test_logrank_without_events_and_with_an_all_censored_stratum():
    res = stats.logrank([1.0, 2, 3, 4], [0, 0, 0, 0], [1, 1, 2, 2])
    same(res.chisq, r("logrank_no_events", "chisq"))
    same(res.p, r("logrank_no_events", "p"))
    assert res.df == -1
    res = stats.logrank([1.0, 2, 3, 4, 5, 6], [1, 0, 1, 0, 0, 0], [1, 2, 1, 2, 1, 2], strata=[1, 1, 1, 2, 2, 2])
    same(res.chisq, r("logrank_censored_stratum", "chisq"))
    same(res.p, r("logrank_censored_stratum", "p"))


def test_concordance_without_events_is_nan_as_r():
    c = concordance([1.0, 2, 3], [0, 0, 0], [0.5, 0.1, 0.9])
    same(c.concordance, r("concordance_no_events", "concordance"))
    assert np.isnan(c.std) and np.isnan(r("concordance_no_events", "var"))
    same(c.concordant, r("concordance_no_events", "concordant"))
    c = concordance([2.0, 3], [0, 0], [0.1, 0.2], entry=[0, 1])
    assert np.isnan(c.concordance)


def test_cox_with_an_all_censored_stratum():
    t = [1.0, 2, 3, 4, 5, 6, 7, 8]
    e = [1, 0, 1, 1, 0, 0, 0, 0]
    x = [[0.5], [1.2], [-0.3], [0.8], [0.1], [2.0], [-1.0], [0.4]]
    s = [1, 1, 1, 1, 2, 2, 2, 2]
    for fit in (stats.cox_ph(t, e, x, strata=s), stats.cox_ph(t, e, x, strata=s, entry=np.zeros(8))):
        same(fit.coef[0], r("cox_censored_stratum", "coef"))
        same(fit.se[0], r("cox_censored_stratum", "se"))
        same(fit.loglik[1], r("cox_censored_stratum", "loglik"))
        assert np.isfinite(fit.ph_test().global_p)
        base = fit.baseline_survival()
        assert base["cumhaz"][base["strata"] == 2].eq(0).all()


@pytest.mark.parametrize("call, column, message", [
    (lambda: stats.kaplan_meier([], []), "time", "has no rows"),
    (lambda: stats.nelson_aalen([], []), "time", "has no rows"),
    (lambda: stats.logrank([], [], []), "time", "has no rows"),
    (lambda: stats.cox_ph([], [], np.zeros((0, 1))), "time", "has no rows"),
    (lambda: stats.logrank([1, 2], [1, 1], ["a", "a"]), "group", "has only one level"),
    (lambda: stats.cox_ph([1.0, 2], [0, 0], [[1.0], [2.0]]), "event", "has no events"),
    (lambda: stats.kaplan_meier([1.0, 2], [1, 0], weights=[0, 0]), "weights", "are all 0"),
    (lambda: stats.cox_ph([1.0, 2], [1, 0], [[1.0], [2.0]], entry=[1.0, 0]), "entry", "must be < time"),
    (lambda: stats.cox_ph([1.0, 2, 3], [1, 1, 0], [[1.0], [2.0], [0.0]], ties="exact", weights=[1, 2, 1]),
     "weights", "ties='exact'"),
])
def test_clear_errors_name_the_input(call, column, message):
    with pytest.raises(stats.SurvivalDataError, match=message) as err:
        call()
    assert err.value.column == column


def test_cox_of_one_subject_is_a_design_error():
    with pytest.raises(CoxDesignError, match="covariate 'x0' has no variation"):
        stats.cox_ph([1.0], [1], [[0.5]])
