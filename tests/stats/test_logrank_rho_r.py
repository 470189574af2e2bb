"""G-rho log-rank tests against R ``survdiff(rho = ...)`` (survival 3.5, 1e-6 relative), plain
and stratified, with and without R's time fix; a hand calculation of the Peto-Peto weights.

Expected numbers: tests/validation/fixtures/r_logrank_extras.csv (km_logrank_extras.R).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
R = pd.read_csv(FIXTURES / "r_logrank_extras.csv")
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


CASES = sorted({tuple(k) for k in R[["dataset", "rho", "stratified", "timefix"]].itertuples(index=False)})


@pytest.mark.parametrize("case", CASES)
def test_equals_r_survdiff_rho(case):
    name, rho, stratified, timefix = case
    r = R[(R["dataset"] == name) & (R["rho"] == rho) & (R["stratified"] == stratified) & (R["timefix"] == timefix)]
    d = dataset(name)
    res = stats.logrank(d["time"], d["event"], d["group"], strata=d["strata"] if stratified else None, rho=rho,
                        timefix=bool(timefix))
    assert [str(g) for g in res.groups] == [str(g) for g in r["group"]]
    np.testing.assert_array_equal(res.n, r["n"])
    np.testing.assert_allclose(res.observed, r["observed"], rtol=1e-6)
    np.testing.assert_allclose(res.expected, r["expected"], rtol=1e-6)
    np.testing.assert_allclose(np.diag(res.variance), r["var_diag"], rtol=1e-6)
    assert res.chisq == pytest.approx(r["chisq"].iloc[0], rel=1e-6)
    assert res.df == r["df"].iloc[0]
    assert res.p == pytest.approx(r["p"].iloc[0], rel=1e-6)


def test_near_ties_matter_for_the_test():
    d = dataset("neartie")
    fixed = stats.logrank(d["time"], d["event"], d["group"])
    raw = stats.logrank(d["time"], d["event"], d["group"], timefix=False)
    assert fixed.chisq != raw.chisq


def test_peto_peto_hand_calculation():
    # group A: deaths at 1 and 3; group B: death at 2, censored at 4 (as test_logrank.py).
    # pooled KM left-continuous: w(1) = 1, w(2) = 3/4, w(3) = 3/4 * 2/3 = 1/2 (rho = 1)
    # O_A = 1 + 1/2 = 3/2; E_A = 1 * 1/2 + 3/4 * 1/3 + 1/2 * 1/2 = 1
    # V = 1 * 1/4 + 9/16 * 2/9 + 1/4 * 1/4 = 1/4 + 1/8 + 1/16 = 7/16; chisq = (1/2)^2 / (7/16) = 4/7
    res = stats.logrank([1, 3, 2, 4], [1, 1, 1, 0], ["A", "A", "B", "B"], rho=1)
    np.testing.assert_allclose(res.observed, [1.5, 0.75], rtol=1e-15)
    np.testing.assert_allclose(res.expected, [1.0, 1.25], rtol=1e-15)
    assert res.chisq == pytest.approx(4 / 7, rel=1e-14)
    assert res.test == "G-rho (rho = 1)"
