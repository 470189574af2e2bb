"""The wave-2 keys of results.json ``safety`` in contract order (results-v1.md "Additions:
safety"): treatment-emergent grades, shift tables, the adverse-event table, cumulative
incidence with competing death, Gray's tests, the Fine–Gray model and the eGFR slope."""

from __future__ import annotations

import pandas as pd

from prrt_rwe.results.adverse_event_table import ae_table
from prrt_rwe.results.egfr_slope import egfr_slope
from prrt_rwe.results.late_effects import (ENDPOINTS, cif_summary, competing_endpoint, fine_gray_block,
                                           gray_tests)
from prrt_rwe.results.treatment_emergent import lab_te, shift_tables


def competing_curves(adtte: pd.DataFrame, safety_ids: pd.Index) -> dict:
    """results.json key -> CompetingData of the safety set (for the figures)."""
    return {key: competing_endpoint(adtte, code, safety_ids) for key, code in ENDPOINTS.items()}


def safety_additions(adam, safety_ids: pd.Index, curves: dict | None = None, heavy: bool = True) -> dict:
    """``heavy=False`` (``[analyses] heavy = false``): the eGFR mixed model is not fitted."""
    curves = curves if curves is not None else competing_curves(adam.adtte, safety_ids)
    heme = curves["heme_grade3plus_te"]
    return {
        "lab_te": lab_te(adam.labs, safety_ids, "APOSTFL"),
        "lab_te_late": lab_te(adam.labs, safety_ids, "ALATEFL"),
        "shift": shift_tables(adam.labs, safety_ids),
        "ae_table": ae_table(adam.adae, safety_ids),
        "cumulative_incidence": {key: cif_summary(data) for key, data in curves.items()},
        "gray_test": {"heme_grade3plus_te": gray_tests(heme, adam.adsl)},
        "fine_gray": {"heme_grade3plus_te": fine_gray_block(heme, adam.adsl, adam.labs)},
        "egfr_slope": egfr_slope(adam.labs, safety_ids, fit_model=heavy),
    }
