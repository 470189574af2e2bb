"""Sizes the tool reads at most, so that no input can exhaust memory (issue 12).

A registry larger than this is refused with E014 naming the file or sheet, never read in part.
Rows and columns follow Excel's own limit and the widest registry table (22 columns) with
room for extra columns; the cell budgets keep validating any workbook under 10 MB below 1 GB
of memory (benchmarks/bench_hostile_memory.py). Dates outside [EARLIEST_DATE, the day of the
run] are refused (E005): registries record the past, and no date reaches a nanosecond
timestamp that could overflow.
"""

from __future__ import annotations

import datetime as dt

MAX_SHEET_ROWS = 1_048_576          # Excel's own limit, header included
MAX_SHEET_COLUMNS = 64
MAX_CELL_BYTES = 1 << 20            # 1 MiB of UTF-8 text in one cell (CSV or Excel)
MAX_SHEET_CELLS = 1 << 21           # used range (rows x columns) that one sheet may span
MAX_WORKBOOK_CELLS = 1 << 22        # ... and all the sheets of a workbook together
MAX_WORKBOOK_XML_BYTES = 256 << 20  # unpacked worksheet and shared-string XML of a workbook
MAX_WORKBOOK_TEXT_BYTES = 64 << 20   # text of every cell, shared strings counted per use

EARLIEST_DATE = dt.date(1900, 1, 1)
_RUN_DAY: dt.date | None = None   # pin_run_day: a worker process checks with its parent's day


def latest_date() -> dt.date:
    """The latest date a registry may hold: the day of the run (local calendar)."""
    return _RUN_DAY or dt.date.today()


def pin_run_day(day: dt.date | None) -> None:
    """Make ``day`` the day of the run in this process (a worker of ingest/part_workers.py
    uses its parent's, so that a run over midnight checks every part alike)."""
    global _RUN_DAY
    _RUN_DAY = day
