"""The data cut-off, applied once to the registry before any derivation.

Source: shared/spec/derivations.md "Study period and populations (wave 2)": the cut-off is
``[study] data_cutoff`` or, by default, the latest date of any kind in the registry; events
and values dated after it are ignored and counted in the data-quality summary.

Steps (applied in the engine by derive/relational/registry.py; every derivation then sees the
same cut registry):
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

import datetime as dt

EPOCH = dt.date(1970, 1, 1)
# Registry tables whose rows carry one date, and that date's column.
DATED_TABLES = (("cycles", "date"), ("assessments", "date"), ("lesions", "date"), ("labs", "date"),
                ("adverse_events", "onset_date"))
PATIENT_DATES = ("diagnosis_date", "next_therapy_date", "last_contact_date", "death_date")
# Keys of the count of ignored values (data-quality summary), in report order.
IGNORED_KEYS = tuple(t for t, _ in DATED_TABLES) + ("death_date", "last_contact_date", "next_therapy_date")
