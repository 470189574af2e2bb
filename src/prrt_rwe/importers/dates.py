"""Dates of the source systems -> format-v1 ``YYYY-MM-DD`` (never a guess).

REDCap: exports write dates as ``YYYY-MM-DD`` unless exported with its date-format option
(``MM/DD/YYYY`` = mdy, ``DD/MM/YYYY`` = dmy); datetimes add `` HH:MM[:SS]``, dropped here.
SDTM: ISO 8601 ``--DTC`` values (SDTMIG 3.4 section 4.4.2): a complete date, optionally with a
time after ``T``; a partial date (``2023-05``, ``2023``) is refused unless imputation ``first``
is asked for, which takes the first day of the month (or year).
"""

from __future__ import annotations

import datetime as dt
import re

REDCAP_DATE_FORMATS = {
    "ymd": (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d"), "YYYY-MM-DD"),
    "mdy": (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), ("m", "d", "y"), "MM/DD/YYYY"),
    "dmy": (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), ("d", "m", "y"), "DD/MM/YYYY"),
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"

ISO_FULL = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?")
ISO_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-+)?(?:T.*)?")
ISO_YEAR = re.compile(r"(\d{4})(?:-+)?(?:T.*)?")
IMPUTATIONS = ("first",)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def redcap_date(text: str, date_format: str) -> str | None:
    """ISO date of a REDCap export value in ``date_format`` (ymd, mdy, dmy); None if unreadable."""
    pattern, order, _ = REDCAP_DATE_FORMATS[date_format]
    match = re.fullmatch(pattern.pattern + _TIME, text.strip())
    if not match:
        return None
    parts = dict(zip(order, (int(g) for g in match.groups())))
    return _iso(parts["y"], parts["m"], parts["d"])


def format_hint(date_format: str) -> str:
    return REDCAP_DATE_FORMATS[date_format][2]


class PartialDate(ValueError):
    """An ISO 8601 date lacking its day (or month)."""


def sdtm_date(text: str, impute: str | None) -> tuple[str | None, bool]:
    """(ISO date or None when unreadable, whether it was imputed) of an SDTM --DTC value.

    Raises PartialDate for a partial date when ``impute`` is None.
    """
    text = text.strip()
    match = ISO_FULL.fullmatch(text)
    if match:
        return _iso(*(int(g) for g in match.groups())), False
    month = ISO_MONTH.fullmatch(text)
    year = None if month else ISO_YEAR.fullmatch(text)
    if not (month or year):
        return None, False
    if impute is None:
        raise PartialDate(text)
    if month:
        return _iso(int(month.group(1)), int(month.group(2)), 1), True
    return _iso(int(year.group(1)), 1, 1), True
