"""cox_frailty equals R survival 3.5 coxph(... + frailty(group)) (gamma, method "em") to 1e-6:
coefficients, SEs, p, the frailty variance theta, the partial log-likelihood and the whole theta
search (they agree to ~1e-10).

Expected numbers: tests/validation/fixtures/r_frailty*.csv, written by
tests/validation/r/frailty.R: survival's rats (rx, 100 litters) and kidney (age, sex, 38
patients: R's inner loop stops unconverged at theta = 2), a registry-like cohort (5 binary
covariates, 20 sites of unequal size) and the same with 5 groups (R's non-sparse branch);
each with R's default controls and with the tightened ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.stats import cox_frailty
from prrt_rwe.stats.frailty import brent_step, gamma_correction

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
CONTROLS = {"default": {}, "tight": {"eps": 1e-10, "inner_eps": 1e-12, "outer_max": 30}}
CASES = [(c, k) for c in ("rats", "kidney", "registry", "registry_few") for k in CONTROLS]


def _fit(case, control):
    r = pd.read_csv(FIXTURES / "r_frailty.csv").query("case == @case and control == @control")
    d = pd.read_csv(FIXTURES / f"frailty_{case}.csv")
    fit = cox_frailty(d["time"], d["status"], d[list(r["term"])], d["group"].astype(str),
                      **CONTROLS[control])
    return fit, r.reset_index(drop=True)


@pytest.mark.parametrize("case,control", CASES)
def test_frailty_fit_equals_r(case, control):
    fit, r = _fit(case, control)
    np.testing.assert_allclose(fit.coef, r["coef"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(fit.se, r["se"], rtol=1e-6)
    np.testing.assert_allclose(fit.p, r["p"], rtol=1e-6)
    np.testing.assert_allclose(fit.ci95, r[["lower", "upper"]], rtol=1e-6)
    assert fit.theta == pytest.approx(r["theta"][0], rel=1e-6)
    assert fit.loglik == pytest.approx(r["loglik"][0], rel=1e-8)
    assert fit.i_loglik == pytest.approx(r["c_loglik"][0], rel=1e-8)
    assert fit.outer_iterations == r["outer"][0]
    assert (fit.n, fit.n_events) == (r["n"][0], r["events"][0])
    assert fit.sparse == (case != "registry_few")


@pytest.mark.parametrize("case,control", CASES)
def test_theta_search_follows_r_step_for_step(case, control):
    fit, _ = _fit(case, control)
    h = pd.read_csv(FIXTURES / "r_frailty_history.csv").query("case == @case and control == @control")
    np.testing.assert_allclose(np.array(fit.history), h[["theta", "loglik", "c_loglik"]], rtol=1e-8, atol=1e-12)


def test_gamma_correction_by_hand():
    # d = (2, 0), nu = 1: term1 = 2 + log(1/3) + 0; term2 = log(1/3) + log(2/3) (groups with
    # d >= 1: nu + 0 over nu + 2; d >= 2: nu + 1 over nu + 2)
    assert gamma_correction([2, 0], 1.0) == pytest.approx(2 + np.log(1 / 3) + np.log(1 / 3) + np.log(2 / 3))


def test_brent_step_parabola_vertex():
    # y = -(x - 1.2)^2 through 0.8, 1.5, 2 (best in the middle): the parabola's vertex, 1.2
    x = np.array([0.8, 1.5, 2.0])
    assert brent_step(x, -(x - 1.2) ** 2) == pytest.approx(1.2)
    # best at the smallest x: step 3 widths left, or a tenth of the way to the lower bound
    assert brent_step(np.array([1.0, 1.5, 2.0]), np.array([0.0, -1.0, -2.0])) == pytest.approx(-0.5)
    assert brent_step(np.array([1.0, 1.5, 2.0]), np.array([0.0, -1.0, -2.0]), lower=0.0) == pytest.approx(0.1)


def test_needs_two_groups():
    with pytest.raises(ValueError, match="two groups"):
        cox_frailty([1, 2, 3], [1, 1, 0], np.array([[0.0], [1.0], [0.0]]), ["a", "a", "a"])
