"""The data cut-off, applied once to the registry before any derivation.

Source: shared/spec/derivations.md "Study period and populations (wave 2)": the cut-off is
``[study] data_cutoff`` or, by default, the latest date of any kind in the registry; events
and values dated after it are ignored and counted in the data-quality summary.

Steps of :func:`apply_cutoff` (every derivation then sees the same cut registry):
1. Rows of cycles, assessments, lesions, labs and adverse events dated after the cut-off are
   dropped (rows without a date are kept: they carry no time).
2. A death after the cut-off is not known at the cut-off: ``death_date`` becomes missing and
   the patient is known alive at the cut-off (``last_contact_date`` = cut-off), so OS is
   censored at the cut-off.
3. A ``last_contact_date`` after the cut-off becomes the cut-off (alive then; OS censored there).
4. A ``next_therapy_date`` after the cut-off becomes missing (not started by the cut-off).
PFS then follows its own rules on the cut data: a progression or death after the cut-off is
not seen, so PFS is censored at the last adequate assessment on or before the cut-off (FDA
2018 censoring table), never at the cut-off itself without a scan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from prrt_rwe.derive.source import Registry

EPOCH = dt.date(1970, 1, 1)
# Registry tables whose rows carry one date, and that date's column.
DATED_TABLES = (("cycles", "date"), ("assessments", "date"), ("lesions", "date"), ("labs", "date"),
                ("adverse_events", "onset_date"))
PATIENT_DATES = ("diagnosis_date", "next_therapy_date", "last_contact_date", "death_date")
# Keys of the count of ignored values (data-quality summary), in report order.
IGNORED_KEYS = tuple(t for t, _ in DATED_TABLES) + ("death_date", "last_contact_date", "next_therapy_date")


def data_cutoff(reg: Registry, cutoff: dt.date | None) -> float:
    """Data cut-off as a day number: ``cutoff`` (``[study] data_cutoff``), else the latest date
    of any kind in the registry; NaN for an empty registry."""
    if cutoff is not None:
        return float((cutoff - EPOCH).days)
    days = [reg.patients[c].to_numpy(dtype=float) for c in PATIENT_DATES]
    days += [getattr(reg, table)[col].to_numpy(dtype=float) for table, col in DATED_TABLES]
    days = np.concatenate(days)
    days = days[~np.isnan(days)]
    return float(days.max()) if days.size else float("nan")


def apply_cutoff(reg: Registry, cutoff: float) -> tuple[Registry, dict[str, int]]:
    """The registry as known at ``cutoff`` (a day number; module steps 1-4) and, per key of
    :data:`IGNORED_KEYS`, how many rows or values were ignored."""
    ignored = dict.fromkeys(IGNORED_KEYS, 0)
    if np.isnan(cutoff):
        return reg, ignored
    tables = {}
    for table, col in DATED_TABLES:
        frame = getattr(reg, table)
        after = frame[col].to_numpy(dtype=float) > cutoff
        ignored[table] = int(after.sum())
        tables[table] = frame.loc[~after].reset_index(drop=True) if after.any() else frame
    p = reg.patients.copy()
    death = p["death_date"].to_numpy(dtype=float)
    contact = p["last_contact_date"].to_numpy(dtype=float)
    nth = p["next_therapy_date"].to_numpy(dtype=float)
    late_death, late_contact, late_nth = death > cutoff, contact > cutoff, nth > cutoff
    ignored.update(death_date=int(late_death.sum()), last_contact_date=int(late_contact.sum()),
                   next_therapy_date=int(late_nth.sum()))
    p["death_date"] = np.where(late_death, np.nan, death)
    p["last_contact_date"] = np.where(late_death | late_contact, cutoff, contact)
    p["next_therapy_date"] = np.where(late_nth, np.nan, nth)
    return dataclasses.replace(reg, patients=p, **tables), ignored
