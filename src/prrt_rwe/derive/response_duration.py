"""ADTTE ``DOR`` (duration of response) and ``TTR`` (time to response), confirmed responders only.

Source: shared/spec/derivations.md "Study period and populations (wave 2)"; RECIST 1.1
(Eisenhauer et al. 2009) section 4.4.2 ("duration of overall response is measured from the
time measurement criteria are first met for CR/PR"); the layout follows admiralonco's DoR
parameter (start = first response, end and censoring as PFS).

1. Responders: confirmed best overall response (ADRS ``CBOR``) CR or PR.
2. Response date = the first analysis row (ADRS ``OVR``, ``ANL01FL`` = Y: the rows the BOR
   uses) with CR or PR.
3. DOR: STARTDT = response date; ADT and CNSR (and EVNTDESC / CNSDTDSC) those of the PFS row
   (censored as PFS, same date); AVAL = ADT - STARTDT in days.
4. TTR: STARTDT = C1, ADT = response date, AVAL = days from C1, CNSR = 0 (responders only,
   so never censored).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RESPONSE_CODES = ("CR", "PR")
PARAMS = {"DOR": "Duration of response, confirmed responders (days)",
          "TTR": "Time to first response, confirmed responders (days)"}
TTR_EVENT = "First assessment with CR or PR"


def response_rows(cbor: np.ndarray, response_day: np.ndarray, c1: np.ndarray, pfs: pd.DataFrame,
                  keep: np.ndarray) -> pd.DataFrame:
    """DOR and TTR rows (module steps 1, 3, 4) of the patients where ``keep`` holds.

    ``cbor``, ``response_day``, ``c1`` are per patient; ``pfs`` is time_to_event.pfs output
    (one row per patient, pidx order)."""
    who = np.flatnonzero(keep & np.isin(np.asarray(cbor, dtype=object), RESPONSE_CODES)
                         & ~np.isnan(response_day))
    start = response_day[who]
    pfs_rows = pfs.iloc[who]
    end = pfs_rows["ADT_D"].to_numpy(dtype=float)
    dor = pd.DataFrame({
        "pidx": who, "PARAMCD": "DOR", "PARAM": PARAMS["DOR"], "STARTDT_D": start, "ADT_D": end,
        "AVAL": end - start, "CNSR": pfs_rows["CNSR"].to_numpy(dtype=np.int64),
        "EVNTDESC": pfs_rows["EVNTDESC"].array, "CNSDTDSC": pfs_rows["CNSDTDSC"].array,
    })
    ttr = pd.DataFrame({
        "pidx": who, "PARAMCD": "TTR", "PARAM": PARAMS["TTR"], "STARTDT_D": c1[who], "ADT_D": start,
        "AVAL": start - c1[who], "CNSR": np.zeros(len(who), dtype=np.int64),
        "EVNTDESC": pd.array([TTR_EVENT] * len(who), dtype="str"),
        "CNSDTDSC": pd.array([None] * len(who), dtype="str"),
    })
    return pd.concat([dor, ttr], ignore_index=True)
