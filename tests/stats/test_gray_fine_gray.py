"""Gray's test and the Fine–Gray model against R cmprsk 2.2-11 (``cuminc``, ``crr``;
fixtures from tests/validation/r/competing_risks.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats
from prrt_rwe.stats.survival_data import SurvivalDataError

FIX = Path(__file__).parents[1] / "validation" / "fixtures"
RTOL = 1e-6


def _data(name):
    return pd.read_csv(FIX / f"cr_{name}.csv")


@pytest.mark.parametrize("row", pd.read_csv(FIX / "r_gray.csv").to_dict("records"),
                         ids=lambda r: f"{r['dataset']}-{r['variant']}-cause{r['cause']}")
def test_gray_test_equals_cuminc(row):
    d = _data(row["dataset"])
    kw = {"strata": d["strata"]} if row["variant"] == "strata" else {"rho": 1.0 if row["variant"] == "rho1" else 0.0}
    res = stats.gray_test(d["time"], d["status"], d["group"], cause=int(row["cause"]), **kw)
    assert res.statistic == pytest.approx(row["stat"], rel=RTOL)
    assert res.p == pytest.approx(row["p"], rel=RTOL)
    assert res.df == row["df"]


def test_gray_test_ignores_row_order_and_label_spelling():
    d = _data("ties")
    ref = stats.gray_test(d["time"], d["status"], d["group"])
    perm = np.random.default_rng(3).permutation(len(d))
    again = stats.gray_test(d["time"].to_numpy()[perm], d["status"].to_numpy()[perm],
                            d["group"].map({"g1": 1, "g2": 2, "g3": 3}).to_numpy()[perm])
    assert again.statistic == pytest.approx(ref.statistic, rel=1e-10)


def test_gray_test_needs_two_groups():
    with pytest.raises(SurvivalDataError, match="group"):
        stats.gray_test([1, 2, 3], [1, 0, 2], ["a", "a", "a"])


REF_CRR = pd.read_csv(FIX / "r_crr.csv")


@pytest.mark.parametrize("key", sorted({(r.dataset, r.cause) for r in REF_CRR.itertuples()}))
def test_fine_gray_equals_crr(key):
    dataset, cause = key
    ref = REF_CRR[(REF_CRR["dataset"] == dataset) & (REF_CRR["cause"] == cause)]
    d = _data(dataset)
    fit = stats.fine_gray(d["time"], d["status"], d[list(ref["term"])], cause=int(cause))
    assert fit.converged and fit.terms == tuple(ref["term"])
    np.testing.assert_allclose(fit.coef, ref["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.se, ref["se"], rtol=RTOL)
    np.testing.assert_allclose(fit.p, ref["p"], rtol=RTOL)
    assert fit.loglik == pytest.approx(ref["loglik"].iloc[0], rel=1e-9)
    assert fit.loglik_null == pytest.approx(ref["loglik_null"].iloc[0], rel=1e-9)
    np.testing.assert_allclose(fit.shr, np.exp(fit.coef))
    np.testing.assert_allclose(fit.ci95, np.exp(fit.coef[:, None] + np.array([-1, 1]) * 1.959963984540054
                                                * fit.se[:, None]), rtol=1e-12)
    assert list(fit.summary().index) == list(ref["term"])


def test_fine_gray_without_competing_events_is_breslow_cox():
    # No competing event and no censoring weight left to apply: crr's equation is the Cox
    # partial likelihood with Breslow ties (its sandwich variance differs, the estimate not).
    d = _data("cont")
    event = (d["status"] == 1).astype(int)
    fg = stats.fine_gray(d["time"], event, d[["x1", "x2"]])
    cox = stats.cox_ph(d["time"], event, d[["x1", "x2"]], ties="breslow")
    np.testing.assert_allclose(fg.coef, cox.coef, rtol=1e-7)


def test_fine_gray_errors_name_the_column():
    d = _data("cont")
    x = d[["x1", "x2"]].copy()
    x.loc[3, "x2"] = np.nan
    with pytest.raises(SurvivalDataError, match=r"x2: .*\[3\]"):
        stats.fine_gray(d["time"], d["status"], x)
    with pytest.raises(SurvivalDataError, match="no event of cause 3"):
        stats.fine_gray(d["time"], d["status"], d[["x1"]], cause=3)


def test_fine_gray_ignores_row_order_and_covariate_shifts():
    d = _data("ties")
    X = d[["x1", "x2", "x3"]]
    ref = stats.fine_gray(d["time"], d["status"], X)
    perm = np.random.default_rng(9).permutation(len(d))
    again = stats.fine_gray(d["time"].to_numpy()[perm], d["status"].to_numpy()[perm], X.to_numpy()[perm])
    np.testing.assert_allclose(again.coef, ref.coef, rtol=1e-9)
    np.testing.assert_allclose(again.se, ref.se, rtol=1e-9)
    shifted = stats.fine_gray(d["time"], d["status"], X + 100.0)   # a location shift changes nothing
    np.testing.assert_allclose(shifted.coef, ref.coef, rtol=1e-8)
    np.testing.assert_allclose(shifted.se, ref.se, rtol=1e-8)
