"""Data-quality warnings on cycles, assessments, follow-up and labs (registry format v1,
"What bad input gets"): the data are ingested and the findings flagged in the report.

W102 gap > 16 weeks between consecutive cycles (later cycle row); W103 cycle numbers with
gaps (first cycle number after a gap, or a first cycle other than 1); W105 no assessment
after C1 (patients row); W106 baseline scan (last assessment on or before C1) more than 90
days before C1 (that assessment row); W107 follow-up from C1 to the latest known date
shorter than 6 months, for patients not known to have died (patients row); W108 lab row
identical to an earlier one (the later row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.ingest.issues import Issue, row_issues
from prrt_rwe.ingest.keys import patient_key
from prrt_rwe.ingest.parse import ParsedTable
from prrt_rwe.ingest.timeline import first_cycle, latest_known, per_row
from prrt_rwe.schema.registry_v1 import DAYS_PER_MONTH

# Thresholds, registry format v1 "What bad input gets".
MAX_CYCLE_GAP_DAYS = 16 * 7
MAX_BASELINE_DAYS = 90
MIN_FOLLOWUP_DAYS = 6 * DAYS_PER_MONTH

DAY = np.timedelta64(1, "D")


def _days(x) -> np.ndarray:
    return (x / DAY).astype(np.float64)


def _cycle_frame(cycles: ParsedTable) -> pd.DataFrame:
    return pd.DataFrame({"key": patient_key(cycles),
                         "cycle": cycles.values["cycle"].astype("float64"),
                         "date": cycles.values["date"], "pos": np.arange(len(cycles.raw))})


def cycle_gaps(cycles: ParsedTable) -> list[Issue]:
    """W102 (date gaps) and W103 (cycle-number gaps)."""
    frame = _cycle_frame(cycles)
    issues: list[Issue] = []
    by_date = frame.dropna(subset=["key", "date"]).sort_values(["key", "date", "pos"], kind="stable")
    gap = _days(by_date["date"].to_numpy() - by_date["date"].shift().to_numpy())
    gap[(by_date["key"] != by_date["key"].shift()).to_numpy(bool)] = np.nan
    mask = np.zeros(len(frame), bool)
    with np.errstate(invalid="ignore"):
        late = gap > MAX_CYCLE_GAP_DAYS
    mask[by_date["pos"].to_numpy()[late]] = True
    gap_at = np.zeros(len(frame))
    gap_at[by_date["pos"].to_numpy()] = gap
    issues += row_issues(cycles.raw, mask, "date", "W102",
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


def assessment_timing(tables: dict[str, ParsedTable]) -> list[Issue]:
    """W105 (no post-baseline assessment) and W106 (stale baseline scan)."""
    c1 = first_cycle(tables)
    patients = tables["patients"]
    issues: list[Issue] = []
    frame = pd.DataFrame({"key": patient_key(tables["assessments"]),
                          "date": tables["assessments"].values["date"]}) if "assessments" in tables \
        else pd.DataFrame({"key": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[s]")})
    frame["c1"] = c1.astype("datetime64[s]").reindex(frame["key"].to_numpy(dtype=object)).to_numpy()
    post = set(frame.loc[frame["date"] > frame["c1"], "key"])
    pkey = patient_key(patients)
    treated = pkey.isin(c1.index).to_numpy(bool)
    none_after = treated & ~pkey.isin(post).to_numpy(bool)
    issues += row_issues(patients.raw, none_after, "patient_id", "W105",
                         "no tumour assessment after the first cycle")
    if "assessments" in tables:
        table = tables["assessments"]
        frame["pos"] = np.arange(len(frame))
        base = frame[frame["date"] <= frame["c1"]].sort_values(["key", "date", "pos"], kind="stable")
        base = base.drop_duplicates("key", keep="last")
        lag = _days(base["c1"].to_numpy() - base["date"].to_numpy())
        stale = base["pos"].to_numpy()[lag > MAX_BASELINE_DAYS]
        mask = np.zeros(len(frame), bool)
        mask[stale] = True
        lag_at = np.zeros(len(frame))
        lag_at[base["pos"].to_numpy()] = lag
        issues += row_issues(table.raw, mask, "date", "W106",
                             lambda idx: [f"baseline scan {lag_at[i]:.0f} days before the first cycle "
                                          f"(> {MAX_BASELINE_DAYS})" for i in idx])
    return issues


def short_followup(tables: dict[str, ParsedTable]) -> list[Issue]:
    """W107 for living patients followed less than 6 months from C1."""
    patients = tables["patients"]
    c1 = per_row(first_cycle(tables), patients)
    last = per_row(latest_known(tables), patients)
    alive = patients.values["death_date"].isna().to_numpy(bool)
    span = _days(last - c1)
    with np.errstate(invalid="ignore"):
        short = alive & (span < MIN_FOLLOWUP_DAYS)
    return row_issues(patients.raw, short, "last_contact_date", "W107",
                      lambda idx: [f"follow-up {span[i]:.0f} days ({span[i] / DAYS_PER_MONTH:.2f} months) "
                                   f"from the first cycle to the latest known date (< 6 months)"
                                   for i in idx])


def duplicate_labs(labs: ParsedTable) -> list[Issue]:
    """W108 on a lab row identical (same values, after unit conversion) to an earlier row."""
    cols = [c.name for c in labs.raw.schema.columns]
    frame = labs.values[cols].copy()
    dup = frame.duplicated(keep="first").to_numpy(bool)
    if not dup.any():
        return []
    frame["line"] = labs.raw.lines
    first = frame.groupby(cols, dropna=False, sort=False)["line"].transform("min").to_numpy()
    return row_issues(labs.raw, dup, "value", "W108",
                      lambda idx: [f"identical to the lab row on line {first[i]}" for i in idx])


def quality_issues(tables: dict[str, ParsedTable]) -> list[Issue]:
    issues = assessment_timing(tables) + short_followup(tables)
    if "cycles" in tables:
        issues += cycle_gaps(tables["cycles"])
    if "labs" in tables:
        issues += duplicate_labs(tables["labs"])
    return issues
