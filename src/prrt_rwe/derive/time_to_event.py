"""ADTTE: progression-free survival, overall survival and reverse-KM follow-up.

Source: shared/spec/derivations.md "Time to event"; FDA Guidance for Industry "Clinical
Trial Endpoints for the Approval of Cancer Drugs and Biologics" (2018), table of PFS
censoring (new anticancer therapy; death after missed assessments).
AVAL = ADT - C1 in days; CNSR 0 = event, 1 = censored; one row per safety-set patient.

PFS (:func:`pfs`):
1. Progression = the first PD among the analysis rows of recist.py (strictly after C1,
   strictly before next_therapy_date).
2. Death counts when it falls before next_therapy_date (or there is none) and, when
   ``max_gap_days`` is set, when it is at most max_gap_days after the last adequate
   assessment (C1 when there is none).
3. Event = the earlier of progression and a counting death (progression on a tie).
4. Otherwise censored at the last adequate assessment (analysis row not NE), or at C1
   (day 0) when there is none. CNSDTDSC says why (:data:`PFS_CENSOR`).

OS (:func:`os_`): event = death. Otherwise censored at the latest of last_contact_date,
next_therapy_date and every recorded date of the patient (cycles, assessments, lesions,
labs, AE onsets).

FU: the OS rows with CNSR swapped (reverse Kaplan-Meier: end of follow-up is the "event").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# EVNTDESC / CNSDTDSC strings (derivations.md "Time to event").
PFS_EVENT = {"pd": "Disease progression", "death": "Death"}
PFS_CENSOR = {
    "last": "Last adequate assessment",
    "none": "No adequate post-baseline assessment: first PRRT cycle (day 0)",
    "nth": "New anticancer therapy: last adequate assessment before it",
    "death_nth": "Death on or after new anticancer therapy: last adequate assessment before it"
                 " (day 0 when none)",
    "death_gap": "Death more than pfs.max_gap_days after the last adequate assessment"
                 " (day 0 when none): censored there",
}
OS_EVENT = "Death"
OS_CENSOR = "Last known alive: latest recorded date"
FU_EVENT = "End of follow-up (censored for OS)"
FU_CENSOR = "Death (censored in reverse Kaplan-Meier)"


def pfs(c1, first_pd, last_adequate, death, next_therapy, max_gap_days: int | None
        ) -> pd.DataFrame:
    """PFS per patient (module steps 1-4); all inputs are per-patient day numbers (NaN = none)."""
    c1, first_pd, last_adequate, death, nth = (np.asarray(x, dtype=float) for x in
                                               (c1, first_pd, last_adequate, death, next_therapy))
    censor_day = np.where(np.isnan(last_adequate), c1, last_adequate)
    has_death = ~np.isnan(death)
    death_after_nth = has_death & ~np.isnan(nth) & (death >= nth)
    gap = has_death & (max_gap_days is not None) & (death - censor_day > (max_gap_days or 0))
    death_counts = has_death & ~death_after_nth & ~gap
    death_day = np.where(death_counts, death, np.inf)
    pd_day = np.where(np.isnan(first_pd), np.inf, first_pd)
    event_day = np.minimum(pd_day, death_day)
    event = np.isfinite(event_day)
    adt = np.where(event, event_day, censor_day)
    evntdesc = np.where(event, np.where(pd_day <= death_day, PFS_EVENT["pd"], PFS_EVENT["death"]), None)
    reason = np.select(
        [death_after_nth, gap, np.isnan(last_adequate), ~np.isnan(nth)],
        [PFS_CENSOR["death_nth"], PFS_CENSOR["death_gap"], PFS_CENSOR["none"], PFS_CENSOR["nth"]],
        PFS_CENSOR["last"],
    )
    cnsdtdsc = np.where(event, None, reason)
    return _frame("PFS", c1, adt, event, evntdesc, cnsdtdsc)


def os_(c1, death, latest_date) -> pd.DataFrame:
    """OS per patient: death, else censored at ``latest_date`` (derive/relational/follow_up.py)."""
    c1, death, latest_date = (np.asarray(x, dtype=float) for x in (c1, death, latest_date))
    event = ~np.isnan(death)
    adt = np.where(event, death, np.fmax(latest_date, c1))
    return _frame("OS", c1, adt, event, np.where(event, OS_EVENT, None),
                  np.where(event, None, OS_CENSOR))


def followup(os_rows: pd.DataFrame) -> pd.DataFrame:
    """Reverse-KM rows: the OS times with CNSR swapped."""
    fu = os_rows.copy()
    fu["PARAMCD"] = "FU"
    fu["PARAM"] = PARAMS["FU"]
    fu["CNSR"] = 1 - os_rows["CNSR"].to_numpy()
    event = fu["CNSR"].to_numpy() == 0
    fu["EVNTDESC"] = pd.array(np.where(event, FU_EVENT, None), dtype="str")
    fu["CNSDTDSC"] = pd.array(np.where(event, None, FU_CENSOR), dtype="str")
    return fu


PARAMS = {
    "PFS": "Progression-free survival (days)",
    "OS": "Overall survival (days)",
    "FU": "Follow-up, reverse Kaplan-Meier (days)",
}


def _frame(paramcd, c1, adt, event, evntdesc, cnsdtdsc) -> pd.DataFrame:
    return pd.DataFrame({
        "PARAMCD": paramcd, "PARAM": PARAMS[paramcd], "STARTDT_D": c1, "ADT_D": adt,
        "AVAL": (adt - c1), "CNSR": np.where(event, 0, 1).astype(np.int64),
        "EVNTDESC": pd.array(evntdesc, dtype="str"), "CNSDTDSC": pd.array(cnsdtdsc, dtype="str"),
    })
