"""RECIST 1.1 best overall response, confirmed (CBOR) and unconfirmed (BOR): the rules, and
their reference implementation in numpy; every engine runs the same rules as SQL
(derive/relational/response.py), checked against this one on 100,000 random patients
(tests/derive/test_recist_sql_crosscheck.py).

Source: shared/spec/derivations.md "Tumour response (RECIST 1.1)"; RECIST 1.1
(Eisenhauer et al. 2009) section 4.4 (best overall response, confirmation); the layout
follows admiralonco ``derive_param_confirmed_bor``.

Analysis rows (:func:`analysis_window`), per patient:
1. keep assessments dated strictly after C1 (an assessment on the C1 date is a baseline)
   with a recorded response (ADRS ``OVR`` rows);
2. of these, the analysis rows (``ANL01FL`` = Y) are those strictly before
   next_therapy_date, up to and including the first PD (cut after the first PD).
Day = date - C1 (day 0 = C1).

Confirmed BOR (:func:`confirmed_bor`), over the analysis rows:
1. CR: a CR followed by a CR >= confirmation_days later, with only CR or at most one NE
   between.
2. PR: a PR or CR followed by a PR or CR >= confirmation_days later, with only CR, PR or at
   most one NE between (no SD, NON_CR_NON_PD or PD between).
3. SD: an SD, NON_CR_NON_PD, PR or CR on day >= sd_min_days, not confirmed above.
4. PD: a PD and none of the above.
5. NE: anything else, including no analysis row.
The confirming assessment checked is the first qualifying one at or after the minimum
distance; any later one would have every row of that span between it and the start, so the
"exists a confirming assessment" and "first confirming assessment" readings agree.
The record giving the response (ADT) is the earliest assessment that achieves it.

Unconfirmed BOR (:func:`unconfirmed_bor`): CR if any CR; else PR if any PR (no minimum day);
else SD (SD or NON_CR_NON_PD on day >= sd_min_days); else PD; else NE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RESPONSE_CODES = ("CR", "PR", "SD", "NON_CR_NON_PD", "PD", "NE")
BOR_VALUES = ("CR", "PR", "SD", "PD", "NE")
_RANK = {v: i for i, v in enumerate(BOR_VALUES)}  # 0 best .. 4 = NE

# CBOR rules 1-2 as data: (result, start responses, confirming responses, allowed between).
# The number of NE between is limited to MAX_NE_BETWEEN.
CONFIRMATION_RULES = (
    ("CR", ("CR",), ("CR",), ("CR", "NE")),
    ("PR", ("PR", "CR"), ("PR", "CR"), ("CR", "PR", "NE")),
)
MAX_NE_BETWEEN = 1
# CBOR rule 3 and BOR SD: responses that count as SD from day sd_min_days.
CBOR_SD_RESPONSES = ("SD", "NON_CR_NON_PD", "PR", "CR")
BOR_SD_RESPONSES = ("SD", "NON_CR_NON_PD")

_BIG = np.int64(1 << 32)  # composite key patient * _BIG + day (days are far below 2**31)


def analysis_window(ovr_pidx, ovr_day, ovr_resp, next_therapy_day) -> np.ndarray:
    """ANL01FL mask of post-C1 rows sorted by (patient, day): before next therapy, up to first PD.

    ``ovr_day`` and ``next_therapy_day`` (per patient, NaN = none) are absolute day numbers.
    """
    pidx = np.asarray(ovr_pidx, dtype=np.int64)
    nth = np.asarray(next_therapy_day, dtype=float)[pidx]
    before = np.isnan(nth) | (np.asarray(ovr_day, dtype=float) < nth)
    is_pd = (np.asarray(ovr_resp) == "PD") & before
    # rows after a PD of the same patient: cumulative PD count before this row > 0
    pd_before = _cumcount_before(pidx, is_pd)
    return before & (pd_before == 0)


def _cumcount_before(pidx: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, how many earlier rows of the same patient have ``mask`` (rows sorted by patient)."""
    c = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
    n = len(pidx)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.flatnonzero(np.concatenate(([True], pidx[1:] != pidx[:-1])))
    seg = np.repeat(start, np.diff(np.concatenate((start, [n]))))
    return c[:-1] - c[seg]


def _next_in(mask: np.ndarray) -> np.ndarray:
    """next_in[k] = first position >= k where mask holds (n when none); length n + 1."""
    n = len(mask)
    pos = np.where(mask, np.arange(n), n)
    out = np.minimum.accumulate(pos[::-1])[::-1] if n else pos
    return np.concatenate((out, [n]))


def _confirmed(pidx, day, resp, rule, confirmation_days: int) -> np.ndarray:
    """Rows that start a confirmed response under one CONFIRMATION_RULES entry."""
    _, starts, confirms, allowed = rule
    n = len(pidx)
    if n == 0:
        return np.zeros(0, dtype=bool)
    key = pidx * _BIG + day
    after = np.arange(n) + 1
    first_far = np.maximum(np.searchsorted(key, key + confirmation_days, side="left"), after)
    j = _next_in(np.isin(resp, confirms))[first_far]
    jc = np.minimum(j, n - 1)
    ok = (j < n) & (pidx[jc] == pidx)
    bad = np.concatenate(([0], np.cumsum(~np.isin(resp, allowed), dtype=np.int64)))
    ne = np.concatenate(([0], np.cumsum(resp == "NE", dtype=np.int64)))
    between_bad = bad[j] - bad[after]
    between_ne = ne[j] - ne[after]
    return np.isin(resp, starts) & ok & (between_bad == 0) & (between_ne <= MAX_NE_BETWEEN)


def _best_per_patient(pidx, rank, n_patients: int) -> tuple[np.ndarray, np.ndarray]:
    """(best rank per patient, row index of its earliest row or -1); rows sorted by patient, day."""
    best = np.full(n_patients, _RANK["NE"], dtype=np.int64)
    row = np.full(n_patients, -1, dtype=np.int64)
    if len(pidx) == 0:
        return best, row
    order = np.lexsort((np.arange(len(pidx)), rank, pidx))
    p_sorted = pidx[order]
    first = np.concatenate(([True], p_sorted[1:] != p_sorted[:-1]))
    chosen = order[first]
    best[pidx[chosen]] = rank[chosen]
    found = rank[chosen] < _RANK["NE"]
    row[pidx[chosen][found]] = chosen[found]
    return best, row


def _prepare(pidx, day, resp):
    pidx = np.asarray(pidx, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    resp = np.asarray(resp, dtype=object)
    if len(pidx) > 1:
        step = np.diff(pidx * _BIG + day)
        if (step < 0).any():
            raise ValueError("response rows must be sorted by patient, then day")
    return pidx, day, resp


def confirmed_bor(pidx, day, resp, n_patients: int, *, confirmation_days: int = 28,
                  sd_min_days: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """CBOR per patient (module rules 1-5) from analysis rows sorted by (patient, day).

    ``day`` is days since C1. Returns (AVALC per patient, row index giving it or -1).
    """
    pidx, day, resp = _prepare(pidx, day, resp)
    rank = np.full(len(pidx), _RANK["NE"], dtype=np.int64)
    rank[resp == "PD"] = _RANK["PD"]
    rank[np.isin(resp, CBOR_SD_RESPONSES) & (day >= sd_min_days)] = _RANK["SD"]
    for rule in reversed(CONFIRMATION_RULES):  # PR first, then CR overrides
        rank[_confirmed(pidx, day, resp, rule, confirmation_days)] = _RANK[rule[0]]
    best, row = _best_per_patient(pidx, rank, n_patients)
    return np.asarray(BOR_VALUES, dtype=object)[best], row


def unconfirmed_bor(pidx, day, resp, n_patients: int, *, sd_min_days: int = 42
                    ) -> tuple[np.ndarray, np.ndarray]:
    """BOR per patient: CR if any CR; else PR; else SD/NON_CR_NON_PD on day >= sd_min_days;
    else PD; else NE."""
    pidx, day, resp = _prepare(pidx, day, resp)
    rank = np.full(len(pidx), _RANK["NE"], dtype=np.int64)
    rank[resp == "PD"] = _RANK["PD"]
    rank[np.isin(resp, BOR_SD_RESPONSES) & (day >= sd_min_days)] = _RANK["SD"]
    rank[resp == "PR"] = _RANK["PR"]
    rank[resp == "CR"] = _RANK["CR"]
    best, row = _best_per_patient(pidx, rank, n_patients)
    return np.asarray(BOR_VALUES, dtype=object)[best], row


def ovr_rows(assessments: pd.DataFrame, c1_day: np.ndarray, next_therapy_day: np.ndarray
             ) -> pd.DataFrame:
    """Post-C1 time points with a recorded response: pidx, date (day number), ADY, AVALC, ANL01FL."""
    a = assessments
    pidx = a["pidx"].to_numpy(dtype=np.int64)
    date = a["date"].to_numpy(dtype=float)
    c1 = np.asarray(c1_day, dtype=float)[pidx]
    resp = a["overall_response"].to_numpy(dtype=object)
    keep = (date > c1) & pd.notna(resp)
    rows = pd.DataFrame({"pidx": pidx[keep], "date": date[keep], "ADY": (date - c1)[keep],
                         "AVALC": resp[keep], "source_line": a["source_line"].to_numpy()[keep]})
    rows = rows.sort_values(["pidx", "date", "source_line"], kind="stable").reset_index(drop=True)
    rows["ANL01FL"] = analysis_window(rows["pidx"].to_numpy(), rows["date"].to_numpy(),
                                      rows["AVALC"].to_numpy(), next_therapy_day)
    rows["ADY"] = rows["ADY"].astype(np.int64)
    return rows


def best_responses(ovr: pd.DataFrame, n_patients: int, confirmation_days: int, sd_min_days: int
                   ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{"CBOR": (AVALC, date day or NaN), "BOR": ...} per patient from :func:`ovr_rows` output."""
    anl = ovr[ovr["ANL01FL"].to_numpy()]
    args = (anl["pidx"].to_numpy(), anl["ADY"].to_numpy(), anl["AVALC"].to_numpy(), n_patients)
    out = {}
    for name, (aval, row) in {
        "CBOR": confirmed_bor(*args, confirmation_days=confirmation_days, sd_min_days=sd_min_days),
        "BOR": unconfirmed_bor(*args, sd_min_days=sd_min_days),
    }.items():
        dates = anl["date"].to_numpy(dtype=float)
        adt = np.where(row >= 0, dates[np.maximum(row, 0)] if len(dates) else np.nan, np.nan)
        out[name] = (aval, adt)
    return out
