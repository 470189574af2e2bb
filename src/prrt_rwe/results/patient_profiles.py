"""Per-patient rows behind the waterfall and swimmer plots (report figures only: never in
results.json or the ARD, and the report omits both figures under ``--suppress-below``).
No identifier is kept: rows are sorted for the plot and carry no USUBJID.

* Waterfall: best % change of the target-lesion sum (derive/tumour_size.py) of the headline
  population, with the confirmed best overall response (ADRS ``CBOR``); largest increase first.
* Swimmer: the confirmed responders of the headline population, in months from C1: end of
  treatment (last cycle), start and end of response (ADTTE ``DOR``; ``progressed`` when the
  DoR ended by PD or death), end of follow-up (``OS``; ``died``); longest follow-up first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.parameters import parameter_rows
from prrt_rwe.results.populations import members
from prrt_rwe.results.response import best_response
from prrt_rwe.results.survival import DAYS_PER_MONTH

WATERFALL_COLUMNS = ("pchg_best", "bor")
SWIMMER_COLUMNS = ("treatment_end", "response_start", "response_end", "progressed", "followup_end",
                   "died", "bor")


def waterfall(tumour_change: pd.DataFrame | None, adrs: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    if tumour_change is None or len(tumour_change) == 0:
        return pd.DataFrame({c: [] for c in WATERFALL_COLUMNS})
    rows = tumour_change.loc[members(tumour_change["USUBJID"], ids)]
    bor = best_response(adrs, "CBOR", pd.Index(rows["USUBJID"]))
    out = pd.DataFrame({"pchg_best": rows["PCHG_BEST"].to_numpy(dtype=float), "bor": bor.to_numpy(dtype=object)})
    return out.sort_values("pchg_best", ascending=False, kind="stable").reset_index(drop=True)


def _months(later, earlier) -> np.ndarray:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days.to_numpy(dtype=float) / DAYS_PER_MONTH


def swimmer(adsl: pd.DataFrame, adrs: pd.DataFrame, adtte: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    dor = parameter_rows(adtte, "DOR")
    dor = dor.loc[members(dor["USUBJID"], ids)].set_index("USUBJID")
    if len(dor) == 0:
        return pd.DataFrame({c: [] for c in SWIMMER_COLUMNS})
    who = pd.Index(dor.index)
    base = adsl[["USUBJID", "TRTSDT", "TRTEDT"]].set_index("USUBJID").reindex(who)   # the dates it reads
    os_ = parameter_rows(adtte, "OS").set_index("USUBJID").reindex(who)
    c1 = base["TRTSDT"].reset_index(drop=True)
    out = pd.DataFrame({
        "treatment_end": _months(base["TRTEDT"].reset_index(drop=True), c1),
        "response_start": _months(dor["STARTDT"].reset_index(drop=True), c1),
        "response_end": _months(dor["ADT"].reset_index(drop=True), c1),
        "progressed": (pd.to_numeric(dor["CNSR"]).to_numpy() == 0),
        "followup_end": _months(os_["ADT"].reset_index(drop=True), c1),
        "died": (pd.to_numeric(os_["CNSR"]).to_numpy() == 0),
        "bor": best_response(adrs, "CBOR", who).to_numpy(dtype=object),
    })
    return out.sort_values(["followup_end", "response_end"], ascending=False, kind="stable").reset_index(drop=True)
