"""Kaplan-Meier, Fleming-Harrington and Nelson-Aalen against R survival 3.5 (1e-6 relative):
times equal up to rounding (aeqSurv / timefix), (start, stop] data, zero case weights.

Expected numbers: tests/validation/fixtures/r_km_extras*.csv, written by
tests/validation/r/km_logrank_extras.R from the inputs surv_neartie.csv, surv_delayed.csv,
surv_zerow.csv and data_heart.csv (R's ``heart``) that it writes with 17 digits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
RTOL = 1e-6
CURVES = pd.read_csv(FIXTURES / "r_km_extras.csv")
QUANTILES = pd.read_csv(FIXTURES / "r_km_extras_quantiles.csv")


def data(name):
    return pd.read_csv(FIXTURES / name)


def inputs(case: str) -> dict:
    """Our keyword arguments for each R case (``survfit`` call in the R script)."""
    if case.startswith("neartie"):
        d = data("surv_neartie.csv")
        return {"time": d["time"], "event": d["event"], "timefix": not case.endswith("_notimefix")}
    if case.startswith("delayed"):
        d = data("surv_delayed.csv")
        kw = {"time": d["time"], "event": d["event"], "entry": d["entry"]}
        return kw | ({"weights": d["weight"]} if case.endswith("_weighted") else {})
    if case.startswith("heart"):
        d = data("data_heart.csv")
        return {"time": d["stop"], "event": d["event"], "entry": d["start"]}
    if case.startswith("zerow"):
        d = data("surv_zerow.csv")
        if case.endswith("_dropped"):
            d = d[d["weight"] > 0]
        return {"time": d["time"], "event": d["event"], "weights": d["weight"]}
    if case.startswith("lung"):
        d = data("data_lung.csv")
        return {"time": d["time"], "event": d["status"] == 2}
    raise KeyError(case)


def estimator(case: str) -> str:
    return "fleming_harrington" if "_fh" in case else "km"


def r_curve(case):
    return CURVES[CURVES["case"] == case].reset_index(drop=True)


def close(ours, theirs, what, rtol=RTOL):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), rtol=rtol, atol=1e-12,
                               equal_nan=True, err_msg=what)


EXACT_CASES = [c for c in CURVES["case"].unique() if c not in ("zerow_km", "zerow_fh")]


@pytest.mark.parametrize("case", EXACT_CASES)
def test_curve_equals_survfit(case):
    r = r_curve(case)
    for conf_type, suffix in (("log-log", "loglog"), ("log", "log")):
        km = stats.kaplan_meier(**inputs(case), estimator=estimator(case), conf_type=conf_type)
        close(km.time, r["time"], "time", rtol=1e-12)
        close(km.n_risk, r["n_risk"], "n_risk")
        close(km.n_event, r["n_event"], "n_event")
        close(km.n_censor, r["n_censor"], "n_censor")
        close(km.survival, r["surv"], "surv")
        close(km.std_err_log, r["std_err"], "std_err")
        close(km.cumhaz, r["cumhaz"], "cumhaz")
        close(km.std_err_cumhaz, r["std_chaz"], "std_chaz")
        close(km.lower, r[f"lower_{suffix}"], f"lower {conf_type}")
        close(km.upper, r[f"upper_{suffix}"], f"upper {conf_type}")


@pytest.mark.parametrize("case", sorted(QUANTILES["case"].unique()))
def test_quantiles_equal_quantile_survfit(case):
    km = stats.kaplan_meier(**inputs(case), estimator=estimator(case))
    r = QUANTILES[QUANTILES["case"] == case]
    for _, row in r.iterrows():
        q = km.quantile(row["p"])
        for ours, theirs in ((q.estimate, row["quantile"]), (q.lower, row["lower"]), (q.upper, row["upper"])):
            close(np.nan if ours is None else ours, theirs, f"{case} p={row['p']}")


@pytest.mark.parametrize("case", EXACT_CASES)
def test_nelson_aalen_equals_survfit_cumhaz(case):
    r = r_curve(case)
    na = stats.nelson_aalen(**inputs(case))
    close(na.time, r["time"], "time", rtol=1e-12)
    close(na.cumhaz, r["cumhaz"], "cumhaz")
    close(na.se, r["std_chaz"], "std.chaz")
    close(na.n_risk, r["n_risk"], "n_risk")


@pytest.mark.parametrize("case", ["zerow_km", "zerow_fh"])
def test_zero_weight_rows_are_ignored_as_survfit(case):
    """R lists the times of zero-weight rows too (the curve does not move there); at every
    one of R's times our step function has R's value, and our rows are R's other rows."""
    r = r_curve(case)
    km = stats.kaplan_meier(**inputs(case), estimator=estimator(case))
    ours_times = set(km.time.tolist())
    mine = r[r["time"].isin(ours_times)]
    close(km.time, mine["time"], "time", rtol=1e-12)
    close(km.survival, mine["surv"], "surv")
    close(km.std_err_log, mine["std_err"], "std_err")
    close(km.lower, mine["lower_loglog"], "lower")
    for _, row in r.iterrows():
        at = km.survival_at(row["time"])
        if at is not None:
            close(at.estimate, row["surv"], f"S({row['time']})")
    d = data("surv_zerow.csv")
    assert km.n == int((d["weight"] > 0).sum())


def test_near_ties_change_the_curve_only_with_timefix_off():
    d = data("surv_neartie.csv")
    fixed = stats.kaplan_meier(d["time"], d["event"])
    raw = stats.kaplan_meier(d["time"], d["event"], timefix=False)
    assert fixed.time.size < raw.time.size == np.unique(d["time"]).size
    assert fixed.time.size == r_curve("neartie_km")["time"].size


def test_delayed_entry_needs_entry_before_time():
    with pytest.raises(stats.SurvivalDataError) as err:
        stats.kaplan_meier([2.0, 3.0, 4.0], [1, 0, 1], entry=[0.0, 3.0, 5.0])
    assert err.value.column == "entry" and err.value.rows == [1, 2]
    with pytest.raises(stats.SurvivalDataError, match="weights: are all 0"):
        stats.kaplan_meier([2.0, 3.0], [1, 0], weights=[0, 0])
    with pytest.raises(ValueError, match="estimator must be"):
        stats.kaplan_meier([2.0, 3.0], [1, 0], estimator="aalen")


def test_near_ties_between_entry_and_stop_times_are_merged_as_aeqsurv():
    # R aeqSurv merges start and stop times on one scale: the event at 0.1 * 3 (=
    # 0.30000000000000004) and an entry at 0.3 are the same time, so the row entering then is
    # not at risk at that event (entry < t fails once the times are tied)
    time, event = [0.1 * 3, 1.0, 2.0], [1, 1, 0]
    merged = stats.kaplan_meier(time, event, entry=[0.0, 0.3, 0.0])
    exact = stats.kaplan_meier([0.3, 1.0, 2.0], event, entry=[0.0, 0.3, 0.0])
    np.testing.assert_array_equal(merged.n_risk, exact.n_risk)
    assert merged.n_risk[0] == 2  # rows 0 and 2
    raw = stats.kaplan_meier(time, event, entry=[0.0, 0.3, 0.0], timefix=False)
    assert raw.n_risk[0] == 3  # 0.3 < 0.30000000000000004: row 1 counts without the time fix
    with pytest.raises(stats.SurvivalDataError, match="interval \\(entry, time\\] has length 0") as err:
        stats.cox_ph([0.3, 1.0, 2.0], [1, 1, 0], [[0.1], [0.4], [0.2]], entry=[0.0, 1.0 - 1e-12, 0.0])
    assert err.value.rows == [1]
