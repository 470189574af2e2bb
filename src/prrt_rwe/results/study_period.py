"""results.json ``study_period``: first and last C1 of the safety set (month precision), the
data cut-off and the calendar follow-up from the first C1 to the cut-off, in months
(derivations.md "Study period and populations (wave 2)"; STROBE item 5, "Setting: dates")."""

from __future__ import annotations

import pandas as pd

from prrt_rwe.results.populations import flagged
from prrt_rwe.results.survival import DAYS_PER_MONTH


def study_period(adsl: pd.DataFrame) -> dict:
    c1 = pd.to_datetime(flagged(adsl, "SAFFL")["TRTSDT"]).dropna()
    cutoff = pd.to_datetime(adsl["DCUTDT"]).dropna()
    cut = cutoff.iloc[0] if len(cutoff) else None
    first, last = (c1.min(), c1.max()) if len(c1) else (None, None)
    return {
        "first_c1": None if first is None else first.strftime("%Y-%m"),
        "last_c1": None if last is None else last.strftime("%Y-%m"),
        "data_cutoff": None if cut is None else cut.strftime("%Y-%m-%d"),
        "followup_calendar_months": None if first is None or cut is None
        else (cut - first).days / DAYS_PER_MONTH,
    }
