"""results.json ``safety.egfr_slope``: annual eGFR change from a linear mixed model (random
intercept and slope per patient, unstructured, REML; as R ``nlme::lme``) on the ADLB EGFR
rows from baseline through the data cut-off (derivations.md "Treatment-emergent toxicity and
late effects"): the baseline value (ABLFL) and every later value in the late window
(ALATEFL), of safety-set patients with a baseline and at least one later value; time in
years since C1 (days / 365.25). CI as ``nlme::intervals`` (t, lme denominator df).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.populations import members
from prrt_rwe.stats.survival_data import SurvivalDataError

DAYS_PER_YEAR = 365.25


def slope_rows(labs, safety_ids: pd.Index) -> pd.DataFrame:
    """USUBJID, years, eGFR of the slope population (module doc), as the engine selected them
    (derive/relational/kidney.py; read only when the model runs)."""
    rows = labs.slope_rows
    return rows.loc[members(rows["USUBJID"], safety_ids)].reset_index(drop=True)


def egfr_slope(labs, safety_ids: pd.Index, fit_model: bool = True) -> dict:
    """``fit_model=False`` (``[analyses] heavy = false``): the counts only (counted in the
    engine), reason "not run"."""
    if not fit_model or labs.slope_rows is None:
        from prrt_rwe.results.heavy import NOT_RUN

        n_patients, n_values = labs.slope_counts
        return {"per_year": None, "ci95": [None, None], "n_patients": int(n_patients),
                "n_values": int(n_values), "reason": NOT_RUN}
    rows = slope_rows(labs, safety_ids)
    n_patients, n_values = int(rows["USUBJID"].nunique()), len(rows)
    empty = {"per_year": None, "ci95": [None, None], "n_patients": n_patients, "n_values": n_values}
    if n_patients < 2:
        return {**empty, "reason": "fewer than two patients with a baseline and a later eGFR"}
    X = pd.DataFrame({"(Intercept)": 1.0, "years": rows["years"]})
    from prrt_rwe.stats.mixed_model import linear_mixed_model   # scipy.stats: only when fitted

    try:
        fit = linear_mixed_model(rows["egfr"], X, rows["USUBJID"])
    except (np.linalg.LinAlgError, SurvivalDataError) as exc:
        return {**empty, "reason": f"mixed model not estimable ({exc})"}
    j = fit.terms.index("years")
    return {"per_year": float(fit.coef[j]), "ci95": [float(fit.ci[j, 0]), float(fit.ci[j, 1])],
            "n_patients": n_patients, "n_values": n_values}
