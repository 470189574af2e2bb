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
from prrt_rwe.ingest.keys import by_patient, key_isin, patient_key
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


def cycle_gaps(cycles: ParsedTable) -> list[Issue]:
    """W102 (date gaps) and W103 (cycle-number gaps), each patient's rows in date (cycle) order."""
    n = len(cycles.raw)
    cyc = cycles.values["cycle"].astype("float64").to_numpy()
    date = cycles.values["date"].to_numpy(dtype="datetime64[s]")
    issues: list[Issue] = []
    pos, first = by_patient(cycles, [date.view(np.int64)], ~np.isnat(date))
    gap = np.full(len(pos), np.nan)
    gap[1:] = _days(date[pos][1:] - date[pos][:-1])
    gap[first] = np.nan
    with np.errstate(invalid="ignore"):
        late = gap > MAX_CYCLE_GAP_DAYS
    mask = np.zeros(n, bool)
    mask[pos[late]] = True
    gap_at = np.zeros(n)
    gap_at[pos] = gap
    issues += row_issues(cycles.raw, mask, "date", "W102",
                         lambda idx: [f"{gap_at[i]:.0f} days ({gap_at[i] / 7:.1f} weeks) after the "
                                      f"previous cycle (> 16 weeks)" for i in idx])
    pos, first = by_patient(cycles, [cyc], ~np.isnan(cyc))
    keep = first.copy()   # each cycle number of a patient once, its first row
    keep[1:] |= cyc[pos][1:] != cyc[pos][:-1]
    pos, first = pos[keep], first[keep]
    prev = np.zeros(len(pos))
    prev[1:] = cyc[pos][:-1]
    prev[first] = 0
    jump = cyc[pos] - prev > 1
    mask = np.zeros(n, bool)
    mask[pos[jump]] = True
    prev_at = np.zeros(n)
    prev_at[pos] = prev
    issues += row_issues(cycles.raw, mask, "cycle", "W103",
                         lambda idx: [f"cycle {cyc[i]:.0f} follows " +
                                      (f"cycle {prev_at[i]:.0f}" if prev_at[i] else "no earlier cycle")
                                      + " (cycle numbers with gaps)" for i in idx])
    return issues


def assessment_timing(tables: dict[str, ParsedTable]) -> list[Issue]:
    """W105 (no post-baseline assessment) and W106 (stale baseline scan)."""
    patients = tables["patients"]
    c1 = first_cycle(tables)
    with_post: pd.Index = pd.Index([])
    issues: list[Issue] = []
    if "assessments" in tables:
        table = tables["assessments"]
        codes, uniques = table.patient_codes
        date = table.values["date"].astype("datetime64[s]").to_numpy()
        start = per_row(c1, table)
        post = (date > start) & (codes >= 0)
        with_post = uniques[np.bincount(codes[post], minlength=len(uniques)) > 0]
        issues += _stale_baselines(table, codes, date, start)
    treated = key_isin(patient_key(patients), c1.index)
    none_after = treated & ~key_isin(patient_key(patients), with_post)
    issues += row_issues(patients.raw, none_after, "patient_id", "W105",
                         "no tumour assessment after the first cycle")
    return issues


def _stale_baselines(table: ParsedTable, codes, date, start) -> list[Issue]:
    """W106 on each patient's baseline scan (last on or before C1) when > 90 days before C1."""
    pos = np.flatnonzero((date <= start) & (codes >= 0))
    order = np.lexsort((pos, date[pos], codes[pos]))
    pos = pos[order]
    last = np.append(codes[pos][1:] != codes[pos][:-1], True) if len(pos) else np.zeros(0, bool)
    base = pos[last]
    lag = _days(start[base] - date[base])
    lag_at = np.zeros(len(codes))
    lag_at[base] = lag
    mask = np.zeros(len(codes), bool)
    mask[base[lag > MAX_BASELINE_DAYS]] = True
    return row_issues(table.raw, mask, "date", "W106",
                      lambda idx: [f"baseline scan {lag_at[i]:.0f} days before the first cycle "
                                   f"(> {MAX_BASELINE_DAYS})" for i in idx])


def short_followup(tables: dict[str, ParsedTable]) -> list[Issue]:
    """W107 for living patients followed less than 6 months from C1."""
    patients = tables["patients"]
    c1 = per_row(first_cycle(tables), patients)
    last = latest_known(tables)
    alive = patients.values["death_date"].isna().to_numpy(bool)
    span = _days(last - c1)
    with np.errstate(invalid="ignore"):
        short = alive & (span < MIN_FOLLOWUP_DAYS)
    return row_issues(patients.raw, short, "last_contact_date", "W107",
                      lambda idx: [f"follow-up {span[i]:.0f} days ({span[i] / DAYS_PER_MONTH:.2f} months) "
                                   f"from the first cycle to the latest known date (< 6 months)"
                                   for i in idx])


def duplicate_labs(labs: ParsedTable) -> list[Issue]:
    """W108 on a lab row identical (same values, after unit conversion) to an earlier row.

    Only rows that share patient, date and value with another row can be identical, so the
    comparison of every column runs on those (a few of millions of rows)."""
    cols = [c.name for c in labs.raw.schema.columns]
    candidates = np.flatnonzero(_shares_patient_date_value(labs))
    frame = labs.values[cols].iloc[candidates]
    dup = frame.duplicated(keep="first").to_numpy(bool)
    if not dup.any():
        return []
    frame = frame.assign(line=labs.raw.lines[candidates])
    first = np.zeros(len(labs.raw), np.int64)
    first[candidates] = frame.groupby(cols, dropna=False, sort=False)["line"].transform("min").to_numpy()
    mask = np.zeros(len(labs.raw), bool)
    mask[candidates[dup]] = True
    return row_issues(labs.raw, mask, "value", "W108",
                      lambda idx: [f"identical to the lab row on line {first[i]}" for i in idx])


def _shares_patient_date_value(labs: ParsedTable) -> np.ndarray:
    """Rows whose hash of patient, date and value recurs: every row that shares all three
    with another row, plus rare hash collisions (the caller compares every column after)."""
    codes, _ = labs.patient_codes
    date = np.asarray(labs.values["date"], dtype="datetime64[s]").view(np.uint64)   # NaT: one value
    value = labs.values["value"].to_numpy(dtype=np.float64)
    bits = np.where(np.isnan(value), np.nan, value + 0.0).view(np.uint64)   # one NaN, one zero
    mixed = (codes.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
             ^ date * np.uint64(0xC2B2AE3D27D4EB4F) ^ bits * np.uint64(0x165667B19E3779F9))
    return _recurs(mixed)


def _recurs(values: np.ndarray) -> np.ndarray:
    """``pd.Series(values).duplicated(keep=False)``: the values that occur more than once.
    A sort of the values (no argsort: half its time on ~1e6 uint64 per part) gives the
    recurring ones, usually none or a few thousand; each value is then looked up among them
    in a hash set (issue 17: a binary search of ~1e6 values took 6 times as long)."""
    ordered = np.sort(values)
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.zeros(len(values), bool)
    return pd.Series(values, copy=False).isin(np.unique(ordered[1:][same])).to_numpy(bool)


def quality_issues(tables: dict[str, ParsedTable]) -> list[Issue]:
    issues = assessment_timing(tables) + short_followup(tables)
    if "cycles" in tables:
        issues += cycle_gaps(tables["cycles"])
    if "labs" in tables:
        issues += duplicate_labs(tables["labs"])
    return issues
