"""The cycle checks (W102, W103, E013) ordered by the factorized patient key give the findings
the sort of key strings gave (issue 17): the pandas forms below are the code they replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.ingest.issues import row_issues
from prrt_rwe.ingest.keys import patient_key
from prrt_rwe.ingest.order import _day, _dates, cycle_order
from prrt_rwe.ingest.parse import parse_table
from prrt_rwe.ingest.quality import MAX_CYCLE_GAP_DAYS, _days, cycle_gaps
from prrt_rwe.ingest.raw import RawTable


def _frame(cycles):
    return pd.DataFrame({"key": patient_key(cycles), "cycle": cycles.values["cycle"].astype("float64"),
                         "date": cycles.values["date"], "pos": np.arange(len(cycles.raw))})


def pandas_cycle_gaps(cycles):
    frame = _frame(cycles)
    by_date = frame.dropna(subset=["key", "date"]).sort_values(["key", "date", "pos"], kind="stable")
    gap = _days(by_date["date"].to_numpy() - by_date["date"].shift().to_numpy())
    gap[(by_date["key"] != by_date["key"].shift()).to_numpy(bool)] = np.nan
    mask = np.zeros(len(frame), bool)
    with np.errstate(invalid="ignore"):
        late = gap > MAX_CYCLE_GAP_DAYS
    mask[by_date["pos"].to_numpy()[late]] = True
    gap_at = np.zeros(len(frame))
    gap_at[by_date["pos"].to_numpy()] = gap
    issues = row_issues(cycles.raw, mask, "date", "W102",
                        lambda idx: [f"{gap_at[i]:.0f} days ({gap_at[i] / 7:.1f} weeks) after the "
                                     f"previous cycle (> 16 weeks)" for i in idx])
    by_num = frame.dropna(subset=["key", "cycle"]).drop_duplicates(["key", "cycle"])
    by_num = by_num.sort_values(["key", "cycle"], kind="stable")
    prev = by_num["cycle"].shift().to_numpy(dtype=np.float64, copy=True)
    prev[(by_num["key"] != by_num["key"].shift()).to_numpy(bool)] = 0
    jump = by_num["cycle"].to_numpy() - prev > 1
    mask = np.zeros(len(frame), bool)
    mask[by_num["pos"].to_numpy()[jump]] = True
    prev_at = np.zeros(len(frame))
    prev_at[by_num["pos"].to_numpy()] = prev
    cyc = frame["cycle"].to_numpy()
    issues += row_issues(cycles.raw, mask, "cycle", "W103",
                         lambda idx: [f"cycle {cyc[i]:.0f} follows " +
                                      (f"cycle {prev_at[i]:.0f}" if prev_at[i] else "no earlier cycle")
                                      + " (cycle numbers with gaps)" for i in idx])
    return issues


def pandas_cycle_order(cycles):
    frame = _frame(cycles).dropna()
    frame = frame.sort_values(["key", "cycle", "pos"], kind="stable")
    same = (frame["key"] == frame["key"].shift()).to_numpy(bool)
    prev = frame["date"].shift().to_numpy()
    prev_cycle = frame["cycle"].shift().to_numpy()
    bad = same & (frame["date"].to_numpy() <= prev) & (frame["cycle"].to_numpy() != prev_cycle)
    mask = np.zeros(len(cycles.raw), bool)
    mask[frame["pos"].to_numpy()[bad]] = True
    prev_at = np.empty(len(cycles.raw), dtype=object)
    prev_at[frame["pos"].to_numpy()[bad]] = list(zip(prev_cycle[bad], prev[bad]))
    d = _dates(cycles.values["date"])
    cyc = cycles.values["cycle"].astype("float64").to_numpy()
    return row_issues(cycles.raw, mask, "date", "E013",
                      lambda idx: [f"cycle {cyc[i]:.0f} on {_day(d[i])} is not after cycle "
                                   f"{prev_at[i][0]:.0f} on {_day(prev_at[i][1])}" for i in idx])


def _cycles(n: int, seed: int, faults: bool):
    """A cycles table of ``n`` rows in shuffled order; with ``faults`` also missing keys, cycles
    and dates, unreadable cells, repeated cycle numbers and long gaps."""
    rng = np.random.default_rng(seed)
    patients = rng.integers(0, max(n // 4, 1), n)
    site = np.array([f"S{p % 3}" for p in patients], dtype=object)
    patient = np.array([f"P{p}" for p in patients], dtype=object)
    cycle = rng.integers(1, 7, n).astype(str).astype(object)
    days = rng.integers(0, 400 if faults else 120, n)
    date = (np.datetime64("2020-01-01") + days.astype("timedelta64[D]")).astype(str).astype(object)
    if faults:
        for column, bad in ((site, ""), (patient, ""), (cycle, ""), (cycle, "x"), (date, ""),
                            (date, "2020-13-01")):
            column[rng.random(n) < 0.03] = bad
    cells = pd.DataFrame({"site_id": site, "patient_id": patient, "cycle": cycle, "date": date,
                          "activity_gbq": "7.4"}, dtype="str")
    raw = RawTable("cycles", "cycles.csv", cells, np.arange(n, dtype=np.int64) + 2)
    return parse_table(raw)[0]


@pytest.mark.parametrize("n", [0, 1, 7, 3000])
@pytest.mark.parametrize("faults", [False, True], ids=["clean", "faults"])
def test_cycle_checks_match_the_key_string_sort(n, faults):
    cycles = _cycles(n, seed=n, faults=faults)
    assert cycle_gaps(cycles) == pandas_cycle_gaps(cycles)
    assert cycle_order(cycles) == pandas_cycle_order(cycles)


def test_the_cases_are_found():
    cycles = _cycles(3000, seed=5, faults=True)
    codes = {i.code for i in cycle_gaps(cycles) + cycle_order(cycles)}
    assert codes == {"W102", "W103", "E013"}
