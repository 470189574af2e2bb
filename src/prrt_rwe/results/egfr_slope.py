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
from prrt_rwe.results.safety import yes
from prrt_rwe.stats.mixed_model import linear_mixed_model
from prrt_rwe.stats.survival_data import SurvivalDataError

DAYS_PER_YEAR = 365.25


def slope_rows(adlb: pd.DataFrame, safety_ids: pd.Index) -> pd.DataFrame:
    """USUBJID, years, eGFR of the slope population (module doc)."""
    eg = adlb.loc[adlb["PARAMCD"].astype(str).str.upper().eq("EGFR").to_numpy() & adlb["AVAL"].notna().to_numpy()]
    eg = eg.loc[members(eg["USUBJID"], safety_ids)]
    base = yes(eg["ABLFL"]).to_numpy()
    later = yes(eg["ALATEFL"]).to_numpy() & (pd.to_numeric(eg["ADY"]).to_numpy() > 0)
    eg = eg.loc[base | later]
    has_base = set(eg.loc[yes(eg["ABLFL"]).to_numpy(), "USUBJID"])
    has_later = set(eg.loc[pd.to_numeric(eg["ADY"]).to_numpy() > 0, "USUBJID"])
    eg = eg.loc[eg["USUBJID"].isin(has_base & has_later).to_numpy()]
    return pd.DataFrame({"USUBJID": eg["USUBJID"].to_numpy(dtype=object),
                         "years": pd.to_numeric(eg["ADY"]).to_numpy(dtype=float) / DAYS_PER_YEAR,
                         "egfr": eg["AVAL"].to_numpy(dtype=float)})


def egfr_slope(adlb: pd.DataFrame, safety_ids: pd.Index, fit_model: bool = True) -> dict:
    """``fit_model=False`` (``[analyses] heavy = false``): the counts only, reason "not run"."""
    rows = slope_rows(adlb, safety_ids)
    n_patients, n_values = int(rows["USUBJID"].nunique()), len(rows)
    empty = {"per_year": None, "ci95": [None, None], "n_patients": n_patients, "n_values": n_values}
    if not fit_model:
        from prrt_rwe.results.heavy import NOT_RUN

        return {**empty, "reason": NOT_RUN}
    if n_patients < 2:
        return {**empty, "reason": "fewer than two patients with a baseline and a later eGFR"}
    X = pd.DataFrame({"(Intercept)": 1.0, "years": rows["years"]})
    try:
        fit = linear_mixed_model(rows["egfr"], X, rows["USUBJID"])
    except (np.linalg.LinAlgError, SurvivalDataError) as exc:
        return {**empty, "reason": f"mixed model not estimable ({exc})"}
    j = fit.terms.index("years")
    return {"per_year": float(fit.coef[j]), "ci95": [float(fit.ci[j, 0]), float(fit.ci[j, 1])],
            "n_patients": n_patients, "n_values": n_values}
