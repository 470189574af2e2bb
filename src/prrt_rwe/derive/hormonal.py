"""ADHS: hormonal-symptom response, one row per patient with a hormonal syndrome.

Source: shared/spec/derivations.md "Hormonal symptoms".
1. EVALFL = response other than not_evaluable.
2. MARKFL = marked_improvement (the headline, "marked improvement in 18 of 24").
3. ANYIMPFL = marked_improvement or improvement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NOT_EVALUABLE = "not_evaluable"
MARKED = ("marked_improvement",)
ANY_IMPROVEMENT = ("marked_improvement", "improvement")


def hormonal_rows(hs: pd.DataFrame, keep_patients) -> pd.DataFrame:
    """ADHS rows of the patients in ``keep_patients`` (boolean per pidx)."""
    pidx = hs["pidx"].to_numpy(dtype=np.int64)
    h = hs.loc[np.asarray(keep_patients, dtype=bool)[pidx]].reset_index(drop=True)
    resp = h["response"].to_numpy(dtype=object)
    return pd.DataFrame({
        "pidx": h["pidx"].to_numpy(dtype=np.int64),
        "SYNDROME": pd.array(h["syndrome"].to_numpy(dtype=object), dtype="str"),
        "RESPONSE": pd.array(resp, dtype="str"),
        "EVALFL": resp != NOT_EVALUABLE,
        "MARKFL": np.isin(resp, MARKED),
        "ANYIMPFL": np.isin(resp, ANY_IMPROVEMENT),
    })


def hormonal_summary(adhs: pd.DataFrame) -> dict[str, int]:
    """results.json hormonal_symptoms: evaluable, marked_improvement, any_improvement counts."""
    return {"evaluable": int(adhs["EVALFL"].sum()),
            "marked_improvement": int(adhs["MARKFL"].sum()),
            "any_improvement": int(adhs["ANYIMPFL"].sum())}
