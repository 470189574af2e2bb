"""results.json ``safety.lab_te``, ``safety.lab_te_late`` and ``safety.shift`` (safety set):
treatment-emergent worst grades in the acute and late windows, and baseline x worst
post-baseline grade shift tables (derivations.md "Treatment-emergent toxicity and late
effects"; ADLB TRTEMFL, APOSTFL, ALATEFL from derive/treatment_emergent.py).

Counts, like ``lab.worst_grade``, cover the patients with at least one graded value of the
test in the window; rates use the safety N. Shift rows are the baseline grade (missing
baseline = 0), columns the worst post-baseline grade in the acute window, whatever the
baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.populations import either_case, members
from prrt_rwe.results.safety import GRADES, LAB_TESTS, lab_rates, worst_lab_grades, yes


def lab_te(adlb: pd.DataFrame, safety_ids: pd.Index, window: str) -> dict:
    """``lab_te`` (window APOSTFL) or ``lab_te_late`` (ALATEFL)."""
    return lab_rates(worst_lab_grades(adlb, safety_ids, window, emergent=True), len(safety_ids))


def baseline_grades(adlb: pd.DataFrame, safety_ids: pd.Index) -> pd.DataFrame:
    """Patients x tests baseline grade (BTOXGR of the ABLFL row; patients without one absent)."""
    keep = (yes(adlb["ABLFL"]).to_numpy() & adlb["ATOXGR"].notna().to_numpy()
            & adlb["PARAMCD"].isin(either_case(LAB_TESTS)).to_numpy())
    rows = adlb.loc[keep, ["USUBJID", "PARAMCD", "ATOXGR"]]
    rows = rows.loc[members(rows["USUBJID"], safety_ids)]
    table = rows.assign(PARAMCD=rows["PARAMCD"].astype(str).str.lower(),
                        ATOXGR=pd.to_numeric(rows["ATOXGR"]).astype(float))
    return table.pivot_table(index="USUBJID", columns="PARAMCD", values="ATOXGR", aggfunc="max") \
        .reindex(columns=list(LAB_TESTS))


def shift_tables(adlb: pd.DataFrame, safety_ids: pd.Index) -> dict:
    """{test: {baseline grade: {worst post-baseline grade: patients}}}, grades "0"-"4"."""
    worst = worst_lab_grades(adlb, safety_ids)
    base = baseline_grades(adlb, safety_ids).reindex(worst.index)
    out = {}
    for test in LAB_TESTS:
        has = worst[test].notna().to_numpy()
        w = worst[test].to_numpy()[has]
        b = np.nan_to_num(base[test].to_numpy(dtype=float)[has], nan=0.0)
        out[test] = {str(bg): {str(wg): int(((b == bg) & (w == wg)).sum()) for wg in GRADES} for bg in GRADES}
    return out
