"""escalc_plo / rma equal metafor 3.8 escalc(measure = "PLO") and rma(method = "REML" | "DL")
to 1e-6 (they agree to ~1e-13).

Expected numbers: tests/validation/fixtures/r_escalc.csv and r_rma.csv, written by
tests/validation/r/meta_analysis.R (threshold = 1e-12): metafor's dat.pritz1997, registry-like
site response counts with a site of 0 and one of all responders (0.5 added), and a set of
identical proportions (tau2 = 0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from prrt_rwe.stats import escalc_plo, rma

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
CASES = ("pritz", "sites", "homogeneous")


def _counts(case):
    d = pd.read_csv(FIXTURES / f"meta_{case}.csv")
    return d["xi"].to_numpy(), d["ni"].to_numpy()


@pytest.mark.parametrize("case", CASES)
def test_escalc_plo(case):
    r = pd.read_csv(FIXTURES / "r_escalc.csv").query("case == @case")
    yi, vi = escalc_plo(*_counts(case))
    np.testing.assert_allclose(yi, r["yi"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(vi, r["vi"], rtol=1e-10)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method", ["REML", "DL"])
def test_rma(case, method):
    r = pd.read_csv(FIXTURES / "r_rma.csv").query("case == @case and method == @method").iloc[0]
    fit = rma(*escalc_plo(*_counts(case)), method)
    ours = {"k": fit.k, "estimate": fit.estimate, "se": fit.se, "ci_lb": fit.ci[0], "ci_ub": fit.ci[1],
            "tau2": fit.tau2, "I2": fit.i2, "H2": fit.h2, "QE": fit.q, "QEp": fit.q_p,
            "pi_lb": fit.prediction_interval[0], "pi_ub": fit.prediction_interval[1],
            "pooled": expit(fit.estimate), "pooled_lb": expit(fit.ci[0]), "pooled_ub": expit(fit.ci[1]),
            "pooled_pi_lb": expit(fit.prediction_interval[0]), "pooled_pi_ub": expit(fit.prediction_interval[1])}
    for key, value in ours.items():
        assert value == pytest.approx(r[key], rel=1e-6, abs=1e-9), key


def test_hand_dl_two_studies():
    # y = (0, 1), v = (0.1, 0.1): w = 10 each, ybar = 0.5, Q = 10 (0.25 + 0.25) = 5,
    # tau2 = (5 - 1) / (20 - 200/20) = 0.4; I2 = 0.4 / (0.4 + 0.1) = 80 %
    fit = rma([0.0, 1.0], [0.1, 0.1], "DL")
    assert fit.q == pytest.approx(5.0)
    assert fit.tau2 == pytest.approx(0.4)
    assert fit.i2 == pytest.approx(80.0)
    assert fit.estimate == pytest.approx(0.5)


def test_bad_input():
    with pytest.raises(ValueError, match="at least two"):
        rma([0.1], [0.2])
    with pytest.raises(ValueError, match="0 <= x <= n"):
        escalc_plo([3], [2])
