"""The ADTTE rows of one parameter (PARAMCD as written), selected once per analysis.

Many blocks start from the same parameter's rows (PFS: the model design, the patient
outcomes, the by-group curves; DOR: the swimmer plot; OS, FU, the late effects): taking
every column of ADTTE's rows (Arrow strings) was repeated for each (issue 17: 1e5-1e6
patients). Only the columns the analyses read are taken (:data:`COLUMNS`; the labels
PARAM, EVNTDESC, CNSDTDSC and the site/subject ids are not), and inside
:func:`prrt_rwe.results.analysis.analyze_adam` the selection is memoized
(:mod:`prrt_rwe.results.memo`); the frame returned is shared and read-only.
"""

from __future__ import annotations

import pandas as pd

from prrt_rwe.results.memo import memoized


COLUMNS = ("USUBJID", "STARTDT", "ADT", "AVAL", "CNSR", "CMPEVFL")


def parameter_rows(adtte: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    """``adtte.loc[adtte["PARAMCD"].eq(paramcd), COLUMNS]`` (those ADTTE has), in ADTTE's
    order, with its index."""
    return memoized("parameter_rows", (adtte,), lambda: _rows(adtte, paramcd), paramcd)


def _rows(adtte: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    return adtte.loc[adtte["PARAMCD"].eq(paramcd).to_numpy(), [c for c in COLUMNS if c in adtte.columns]]
