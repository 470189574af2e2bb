"""pool_rubin equals R mice::pool() (mice 3.15) to 1e-8.

Expected numbers: tests/validation/fixtures/r_pool.csv and r_pool_fits.csv, written by
tests/validation/r/mice_pool.R: a mice run (m = 5) on a registry-like cohort, each completed
data set (mice_completed.csv) fitted by glm(binomial) and coxph, pooled by pool().
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.stats import cox_ph, logistic, pool_rubin
from prrt_rwe.stats.rubin import dfcom_cox, dfcom_glm

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
ORR = ["pancreas", "hindgut", "krenning4", "liver_lesion_le30"]
PFS = ["ki67_lt10", "krenning4", "liver_burden_lt50", "liver_lesion_le30", "ssa"]
POOLED = ("estimate", "ubar", "b", "t", "df", "riv", "lambda", "fmi")


def _r(model: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "r_pool.csv").query("model == @model").reset_index(drop=True)


def _our_fits():
    """Each completed data set fitted with our engines: (model -> (estimates, variances), n, events)."""
    long = pd.read_csv(FIXTURES / "mice_completed.csv")
    fits = {"glm": ([], []), "coxph": ([], [])}
    for _, d in long.groupby(".imp"):
        f = logistic(d["response"], d[ORR])
        fits["glm"][0].append(f.coef), fits["glm"][1].append(f.se ** 2)
        c = cox_ph(d["days"], d["event"], d[PFS])
        fits["coxph"][0].append(c.coef), fits["coxph"][1].append(c.se ** 2)
    return fits, len(d), c.n_events


def _compare(pooled, r: pd.DataFrame, rtol: float) -> None:
    ours = {"estimate": pooled.estimate, "ubar": pooled.ubar, "b": pooled.b, "t": pooled.t,
            "df": pooled.df, "riv": pooled.riv, "lambda": pooled.lambda_, "fmi": pooled.fmi,
            "std.error": pooled.std_error, "p.value": pooled.p,
            "conf.low": pooled.ci()[:, 0], "conf.high": pooled.ci()[:, 1]}
    for col, values in ours.items():
        np.testing.assert_allclose(values, r[col].to_numpy(), rtol=rtol, atol=0, err_msg=col)


@pytest.mark.parametrize("model", ["glm", "coxph"])
def test_pool_of_r_fits_equals_mice_pool(model):
    """R's own per-imputation estimates and variances, pooled by us."""
    fits = pd.read_csv(FIXTURES / "r_pool_fits.csv").query("model == @model")
    q = fits.pivot(index="imputation", columns="term", values="estimate")
    u = fits.pivot(index="imputation", columns="term", values="variance")
    r = _r(model)
    terms = list(r["term"])
    pooled = pool_rubin(q[terms].to_numpy(), u[terms].to_numpy(), df_complete=r["dfcom"].iloc[0])
    _compare(pooled, r, 1e-10)


def test_our_fits_pooled_equal_mice_pool():
    """The completed data sets fitted by our engines, pooled with mice's df_complete."""
    fits, n, events = _our_fits()
    glm = pool_rubin(*fits["glm"], df_complete=dfcom_glm(n, len(ORR) + 1))
    cox = pool_rubin(*fits["coxph"], df_complete=dfcom_cox(events, len(PFS)))
    assert glm.df_complete == _r("glm")["dfcom"].iloc[0] == 395
    assert cox.df_complete == _r("coxph")["dfcom"].iloc[0] == 126
    _compare(glm, _r("glm"), 1e-8)
    _compare(cox, _r("coxph"), 1e-8)


def test_hand_calculation_two_imputations():
    # Q = (1, 3), U = (0.5, 0.7): qbar 2, ubar 0.6, b = var(1, 3) = 2, t = 0.6 + 1.5 * 2 = 3.6,
    # riv = 3 / 0.6 = 5, lambda = 3 / 3.6, df_old = 1 / lambda^2 = 1.44 (dfcom infinite),
    # fmi = (5 + 2 / 4.44) / 6
    p = pool_rubin([[1.0], [3.0]], [[0.5], [0.7]])
    assert p.estimate[0] == pytest.approx(2.0)
    assert p.t[0] == pytest.approx(3.6)
    assert p.riv[0] == pytest.approx(5.0)
    assert p.df[0] == pytest.approx(1.44)
    assert p.fmi[0] == pytest.approx((5 + 2 / 4.44) / 6)


def test_lambda_floor_and_bad_input():
    # identical estimates: b = 0, lambda floored at 1e-4 -> df_old = (m - 1) / 1e-8
    p = pool_rubin(np.ones((3, 1)), np.full((3, 1), 0.2))
    assert p.b[0] == 0 and p.df[0] == pytest.approx(2e8)
    with pytest.raises(ValueError, match="at least two"):
        pool_rubin([[1.0]], [[1.0]])
    with pytest.raises(ValueError, match="finite"):
        pool_rubin([[1.0], [np.nan]], [[1.0], [1.0]])
