"""Restricted mean survival time: a hand-worked example, R (print(survfit, rmean = tau) and
survRM2's rmst2 difference, tests/validation/r/efficacy.R) to 1e-6, and invariants."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prrt_rwe.stats import rmst

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
RMST = pd.read_csv(FIXTURES / "r_efficacy_rmst.csv")
REL = 1e-6
Z = 1.959963984540054


def test_hand_example():
    # times 1 (event), 2 (censored), 3, 4 (events), 5 (censored); tau = 4.5.
    # KM: S = 4/5 from 1, 4/5 * 2/3 = 8/15 from 3, 8/15 * 1/2 = 4/15 from 4.
    # RMST = 1 + (2 - 1) 4/5 + (3 - 2) 4/5 + (4 - 3) 8/15 + (4.5 - 4) 4/15 = 49/15.
    # Variance: sum over event times of A_i^2 d_i / (n_i (n_i - d_i)), A_i = area from t_i to tau:
    #   t = 1: A = 49/15 - 1 = 34/15, n 5, d 1 -> (34/15)^2 / 20
    #   t = 3: A = (4 - 3) 8/15 + 0.5 * 4/15 = 10/15, n 3 -> (10/15)^2 / 6
    #   t = 4: A = 0.5 * 4/15 = 2/15, n 2 -> (2/15)^2 / 2
    r = rmst([1, 2, 3, 4, 5], [1, 0, 1, 1, 0], 4.5)
    var = (34 / 15) ** 2 / 20 + (10 / 15) ** 2 / 6 + (2 / 15) ** 2 / 2
    assert r.rmst == pytest.approx(49 / 15, rel=1e-12)
    assert r.se == pytest.approx(math.sqrt(var), rel=1e-12)
    assert r.ci95 == pytest.approx((49 / 15 - Z * r.se, 49 / 15 + Z * r.se), rel=1e-12)
    assert r.tau == 4.5 and r.levels is None and r.difference is None


def test_default_tau_is_the_smallest_last_time_of_the_groups():
    r = rmst([1, 2, 3, 4, 5, 2, 3, 6], [1, 0, 1, 1, 0, 1, 1, 0], group=list("aaaaabbb"))
    assert r.tau == 5 and r.levels == ("a", "b") and list(r.n) == [5, 3]
    # group b: 2 (event), 3 (event), 6 (censored) -> S = 2/3 from 2, 1/3 from 3; to tau = 5:
    # 2 + (3 - 2) 2/3 + (5 - 3) 1/3 = 10/3
    assert r.rmst[1] == pytest.approx(10 / 3, rel=1e-12)
    d = r.difference
    assert d.levels == ("a", "b") and d.estimate == pytest.approx(r.rmst[1] - r.rmst[0], rel=1e-12)
    assert d.se == pytest.approx(math.hypot(*r.se), rel=1e-12)


def _rmst_input(case: str):
    if case.startswith("lung"):
        d = pd.read_csv(FIXTURES / "surv_lung.csv")       # km_logrank.R: survival's lung, group = sex
        return d["time"], d["event"], d["group"]
    if case.startswith("veteran"):
        d = pd.read_csv(FIXTURES / "surv_veteran.csv")    # group = celltype
        return d["time"], d["event"], d["group"]
    d = pd.read_csv(FIXTURES / "efficacy_cohort.csv")     # efficacy.R's cohort, PFS by Krenning 4
    return d["pfs_days"], d["pfs_event"], d["krenning4"]


@pytest.mark.parametrize("case", sorted(RMST["case"].unique()))
def test_rmst_equals_print_survfit_rmean_and_survrm2(case):
    ref = RMST[RMST["case"] == case]
    time, event, group = _rmst_input(case)
    tau = None if case in ("lung_sex", "veteran_celltype", "cohort_krenning4") else ref["tau"].iloc[0]
    if ref["level"].iloc[0] == "all":
        r = rmst(time, event, tau)
        assert (r.rmst, r.se) == pytest.approx((ref["rmst"].iloc[0], ref["se"].iloc[0]), rel=REL)
        return
    r = rmst(time, event, tau, group=group)
    assert r.tau == pytest.approx(ref["tau"].iloc[0])
    assert [str(lv) for lv in r.levels] == ref["level"].astype(str).tolist()
    assert r.rmst == pytest.approx(ref["rmst"].to_numpy(), rel=REL)
    assert r.se == pytest.approx(ref["se"].to_numpy(), rel=REL)
    if len(r.levels) == 2:
        d = r.difference
        assert (d.estimate, d.se, d.p) == pytest.approx(
            (ref["diff"].iloc[0], ref["diff_se"].iloc[0], ref["diff_p"].iloc[0]), rel=REL)
    else:
        assert r.difference is None


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="tau"):
        rmst([1, 2], [1, 0], -1)
    with pytest.raises(ValueError, match="time"):
        rmst([], [], 1)
    with pytest.raises(ValueError, match="event"):
        rmst([1, 2], [1], 1)


samples = st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=30)


@given(samples, st.floats(0.5, 50), st.randoms(use_true_random=False))
def test_invariants(rows, tau, rnd):
    time = np.array([t for t, _ in rows], dtype=float)
    event = np.array([e for _, e in rows], dtype=int)
    r = rmst(time, event, tau)
    assert 0 <= r.rmst <= tau + 1e-12 and r.se >= 0
    order = list(range(len(rows)))
    rnd.shuffle(order)
    again = rmst(time[order], event[order], tau)     # row order changes nothing
    assert (again.rmst, again.se) == pytest.approx((r.rmst, r.se), rel=1e-12, abs=1e-12)
    one = rmst(time, event, tau, group=np.zeros(len(rows)))   # one group = ungrouped
    assert (one.rmst[0], one.se[0]) == pytest.approx((r.rmst, r.se), rel=1e-12, abs=1e-12)
    assert rmst(time, event, tau + 1).rmst >= r.rmst - 1e-12   # RMST grows with tau
