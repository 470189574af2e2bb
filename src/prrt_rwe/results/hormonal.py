"""results.json ``hormonal_symptoms`` (safety-set patients with a hormonal syndrome, ADHS):
evaluable = response other than not_evaluable; marked improvement is the headline
("marked improvement in 18 of 24"), any improvement beside it."""

from __future__ import annotations

import pandas as pd

from prrt_rwe.results.populations import members


def _count(adhs: pd.DataFrame, flag: str) -> int:
    return int(adhs[flag].astype("string").eq("Y").fillna(False).sum())


def hormonal(adhs: pd.DataFrame, safety_ids: pd.Index) -> dict:
    rows = adhs.loc[members(adhs["USUBJID"], safety_ids)]
    return {
        "evaluable": _count(rows, "EVALFL"),
        "marked_improvement": _count(rows, "MARKFL"),
        "any_improvement": _count(rows, "ANYIMPFL"),
    }
