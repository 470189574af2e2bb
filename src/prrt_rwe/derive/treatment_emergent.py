"""Treatment-emergent laboratory toxicity and the late window on ADLB rows.

Source: shared/spec/derivations.md "Treatment-emergent toxicity and late effects (wave 2)";
the shift logic of admiral's ATOXGR/BTOXGR (a post-baseline grade counts when it is worse
than the baseline grade). Steps of :func:`flag_rows` (rows of adlb.lab_rows):
1. Baseline grade for the comparison = BTOXGR (grade of the baseline value, adlb.py step 5),
   0 when the patient has no baseline value of that test.
2. TRTEMFL = a value strictly after C1 whose grade is greater than that baseline grade
   (grade 2 -> 2 is not treatment-emergent, 1 -> 3 is); ungraded tests are never flagged.
3. ALATEFL = late window: strictly after C1 through the data cut-off (included; derive/cutoff.py
   has already dropped every value after it); the acute window is APOSTFL (after C1 through
   last cycle + ``[safety] window_days``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def baseline_grade_or_zero(btoxgr) -> np.ndarray:
    """Step 1: BTOXGR with a missing baseline read as grade 0."""
    return pd.array(btoxgr, dtype="Int64").to_numpy(dtype=float, na_value=0.0)


def flag_rows(adlb: pd.DataFrame) -> pd.DataFrame:
    """ADLB rows (of a registry cut at the data cut-off) with TRTEMFL and ALATEFL (booleans) added."""
    out = adlb.copy(deep=False)   # copy-on-write (pandas 3): the rows are not duplicated
    grade = out["ATOXGR"].to_numpy(dtype=float, na_value=np.nan)
    post = out["ADY"].to_numpy() > 0
    with np.errstate(invalid="ignore"):
        out["TRTEMFL"] = post & (grade > baseline_grade_or_zero(out["BTOXGR"]))
    out["ALATEFL"] = post
    return out
