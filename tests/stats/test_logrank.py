"""Log-rank and G-rho tests: hand calculations and agreement with R survdiff (1e-6 relative;
tests/validation/r/km_logrank.R, and km_logrank_extras.R for rho = 0.5, 1, 2, timefix on/off)."""

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
    assert_equals_survdiff(res, r)


def assert_equals_survdiff(res, r):
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


# ---- G-rho family (survdiff(rho = ...)) ------------------------------------------------
R_RHO = pd.read_csv(FIXTURES / "r_logrank_extras.csv")
FILES = {"lung": None, "veteran": None, "neartie": "surv_neartie.csv", "zerow": "surv_zerow.csv"}


def dataset(name):
    if name == "lung":
        d = pd.read_csv(FIXTURES / "data_lung.csv")
        return pd.DataFrame({"time": d["time"], "event": (d["status"] == 2).astype(int), "group": d["sex"],
                             "strata": d["ph.ecog"].fillna(9)})
    if name == "veteran":
        d = pd.read_csv(FIXTURES / "data_veteran.csv")
        return pd.DataFrame({"time": d["time"], "event": d["status"], "group": d["celltype"], "strata": d["trt"]})
    return pd.read_csv(FIXTURES / FILES[name])


RHO_CASES = sorted({tuple(k) for k in R_RHO[["dataset", "rho", "stratified", "timefix"]].itertuples(index=False)})


@pytest.mark.parametrize("case", RHO_CASES)
def test_equals_r_survdiff_rho(case):
    name, rho, stratified, timefix = case
    r = R_RHO[(R_RHO["dataset"] == name) & (R_RHO["rho"] == rho) & (R_RHO["stratified"] == stratified)
              & (R_RHO["timefix"] == timefix)]
    d = dataset(name)
    res = stats.logrank(d["time"], d["event"], d["group"], strata=d["strata"] if stratified else None, rho=rho,
                        timefix=bool(timefix))
    assert_equals_survdiff(res, r)


def test_near_ties_matter_for_the_test():
    d = dataset("neartie")
    fixed = stats.logrank(d["time"], d["event"], d["group"])
    raw = stats.logrank(d["time"], d["event"], d["group"], timefix=False)
    assert fixed.chisq != raw.chisq


def test_peto_peto_hand_calculation():
    # group A: deaths at 1 and 3; group B: death at 2, censored at 4 (as the log-rank hand calculation).
    # pooled KM left-continuous: w(1) = 1, w(2) = 3/4, w(3) = 3/4 * 2/3 = 1/2 (rho = 1)
    # O_A = 1 + 1/2 = 3/2; E_A = 1 * 1/2 + 3/4 * 1/3 + 1/2 * 1/2 = 1
    # V = 1 * 1/4 + 9/16 * 2/9 + 1/4 * 1/4 = 1/4 + 1/8 + 1/16 = 7/16; chisq = (1/2)^2 / (7/16) = 4/7
    res = stats.logrank([1, 3, 2, 4], [1, 1, 1, 0], ["A", "A", "B", "B"], rho=1)
    np.testing.assert_allclose(res.observed, [1.5, 0.75], rtol=1e-15)
    np.testing.assert_allclose(res.expected, [1.0, 1.25], rtol=1e-15)
    assert res.chisq == pytest.approx(4 / 7, rel=1e-14)
    assert res.test == "G-rho (rho = 1)"
