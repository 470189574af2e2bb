"""ADTTE rows for late effects with death as a competing risk: time to the first
treatment-emergent haematologic grade >= 3 value, to MDS/AML, and to renal decline.

Source: shared/spec/derivations.md "Treatment-emergent toxicity and late effects (wave 2)".
Time from C1 in days; per patient (safety set):
1. HEM3TE event: date of the first TRTEMFL value of platelets, neutrophils, wbc or
   hemoglobin with grade >= 3 in the late window (ALATEFL); in the engine
   (derive/relational/lab_summary.py).
2. MDSAML event: onset of the first adverse event with an MDS/AML term (any grade), onset
   strictly after C1 (ADAE MDSAMLFL and TRTEMFL).
3. RENDECL event: the first of two consecutive post-C1 eGFR values that each qualify
   (derive/kidney.py; in the engine, derive/relational/kidney.py).
4. An event on or before the death date counts (CNSR 0). Death without a prior event is the
   competing event: CNSR 1, CMPEVFL Y, ADT = death. Otherwise censored (CNSR 1) at the OS
   censoring date (time_to_event.os_: the latest recorded date of the patient).
In R: ``status = ifelse(CNSR == 0, 1, ifelse(CMPEVFL == "Y", 2, 0))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


PARAMS = {
    "HEM3TE": "Time to first treatment-emergent haematologic grade >= 3 laboratory value (days)",
    "MDSAML": "Time to MDS/AML (adverse event, any grade) (days)",
    "RENDECL": "Time to renal decline: two consecutive eGFR <= 60 % of baseline or < 30 (days)",
}
EVENTS = {"HEM3TE": "Treatment-emergent haematologic grade >= 3 (laboratory value)",
          "MDSAML": "MDS/AML reported as an adverse event",
          "RENDECL": "Renal decline: first of two consecutive qualifying eGFR values"}
COMPETING = "Death without a prior event (competing risk)"
CENSORED = "Alive without the event: OS censoring date"


def first_day(pidx, day, rows, n_patients: int) -> np.ndarray:
    """Per patient the earliest ``day`` among ``rows`` (NaN = none)."""
    first = np.full(n_patients, np.inf)
    np.minimum.at(first, np.asarray(pidx, dtype=np.int64)[rows], np.asarray(day, dtype=float)[rows])
    first[np.isinf(first)] = np.nan
    return first


def first_mds_aml_day(adae: pd.DataFrame, n_patients: int) -> np.ndarray:
    """Step 2 on adverse_events.ae_rows rows."""
    rows = adae["MDSAMLFL"].to_numpy(dtype=bool) & adae["TRTEMFL"].to_numpy(dtype=bool)
    return first_day(adae["pidx"], adae["date"], rows, n_patients)


def competing_rows(paramcd: str, c1, event_day, death_day, os_censor_day) -> pd.DataFrame:
    """Step 4: one ADTTE row per patient (per-patient day-number arrays, NaN = none)."""
    c1, event_day, death, censor = (np.asarray(x, dtype=float) for x in (c1, event_day, death_day, os_censor_day))
    with np.errstate(invalid="ignore"):
        event = ~np.isnan(event_day) & (np.isnan(death) | (event_day <= death))
    competing = ~event & ~np.isnan(death)
    adt = np.where(event, event_day, np.where(competing, death, censor))
    return pd.DataFrame({
        "PARAMCD": paramcd, "PARAM": PARAMS[paramcd], "STARTDT_D": c1, "ADT_D": adt, "AVAL": adt - c1,
        "CNSR": np.where(event, 0, 1).astype(np.int64),
        "EVNTDESC": pd.array(np.where(event, EVENTS[paramcd], None), dtype="str"),
        "CNSDTDSC": pd.array(np.where(event, None, np.where(competing, COMPETING, CENSORED)), dtype="str"),
        "CMPEVFL": competing,
    })
