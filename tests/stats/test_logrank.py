"""Log-rank test: hand calculation and agreement with R survdiff (tests/validation/r/km_logrank.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from prrt_rwe import stats

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
R = pd.read_csv(FIXTURES / "r_logrank.csv")


def test_hand_calculation_two_groups():
    # group A: deaths at 1 and 3; group B: death at 2, censored at 4.
    # t=1: n=4 (A 2, B 2), d=1: E_A = 1/2, V = 1*3/(4*3) * 2*2/4 = 1/4
    # t=2: n=3 (A 1, B 2), d=1: E_A = 1/3, V = 1*2/(3*2) * 1*2/3 = 2/9
    # t=3: n=2 (A 1, B 1), d=1: E_A = 1/2, V = 1*1/(2*1) * 1*1/2 = 1/4
    # O_A = 2, E_A = 4/3, V = 13/18, chisq = (2/3)^2 / (13/18) = 8/13
    res = stats.logrank([1, 3, 2, 4], [1, 1, 1, 0], ["A", "A", "B", "B"])
    assert res.groups == ("A", "B")
    assert res.observed.tolist() == [2, 1]
    np.testing.assert_allclose(res.expected, [4 / 3, 5 / 3], rtol=1e-15)
    assert res.chisq == pytest.approx(8 / 13, rel=1e-14)
    assert res.df == 1 and res.p == pytest.approx(chi2.sf(8 / 13, 1), rel=1e-14)


def test_summary_has_one_row_per_group():
    res = stats.logrank([1, 3, 2, 4], [1, 1, 1, 0], ["A", "A", "B", "B"])
    table = res.summary()
    assert table["group"].tolist() == ["A", "B"] and table["n"].tolist() == [2, 2]


@pytest.mark.parametrize("case", sorted({(d, s) for d, s in zip(R["dataset"], R["stratified"])}))
def test_equals_r_survdiff(case):
    name, stratified = case
    r = R[(R["dataset"] == name) & (R["stratified"] == stratified)]
    d = pd.read_csv(FIXTURES / f"surv_{name}.csv")
    res = stats.logrank(d["time"], d["event"], d["group"], strata=d["strata"] if stratified else None)
    assert [str(g) for g in res.groups] == [str(g) for g in r["group"]]
    np.testing.assert_array_equal(res.n, r["n"])
    np.testing.assert_allclose(res.observed, r["observed"], rtol=1e-6)
    np.testing.assert_allclose(res.expected, r["expected"], rtol=1e-6)
    np.testing.assert_allclose(np.diag(res.variance), r["var_diag"], rtol=1e-6)
    assert res.chisq == pytest.approx(r["chisq"].iloc[0], rel=1e-6)
    assert res.df == r["df"].iloc[0]
    assert res.p == pytest.approx(r["p"].iloc[0], rel=1e-6)


def test_strata_labels_must_be_complete():
    with pytest.raises(stats.SurvivalDataError, match="strata: has missing labels"):
        stats.logrank([1, 2, 3], [1, 1, 0], [0, 1, 1], strata=["a", None, "b"])


@pytest.mark.parametrize("name", ["lung", "veteran", "ties"])
def test_non_integer_times_take_the_search_path_with_the_same_r_numbers(name):
    r = R[(R["dataset"] == name) & (~R["stratified"])]
    d = pd.read_csv(FIXTURES / f"surv_{name}.csv")
    res = stats.logrank(d["time"] + 0.37, d["event"], d["group"])
    assert res.chisq == pytest.approx(r["chisq"].iloc[0], rel=1e-6)
    np.testing.assert_allclose(res.expected, r["expected"], rtol=1e-6)


def test_sorted_search_path_for_huge_grids_gives_the_same_r_numbers(monkeypatch):
    # with the grid budget set to 0 every stratum takes the sorted-search path
    import importlib

    module = importlib.import_module("prrt_rwe.stats.logrank")  # the module, not the function
    monkeypatch.setattr(module, "_MAX_GRID", 0)
    r = R[(R["dataset"] == "veteran") & (R["stratified"])]
    d = pd.read_csv(FIXTURES / "surv_veteran.csv")
    res = stats.logrank(d["time"], d["event"], d["group"], strata=d["strata"])
    assert res.chisq == pytest.approx(r["chisq"].iloc[0], rel=1e-6)
    np.testing.assert_allclose(np.diag(res.variance), r["var_diag"], rtol=1e-6)
