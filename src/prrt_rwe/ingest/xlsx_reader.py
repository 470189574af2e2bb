"""Read a registry workbook (.xlsx): one sheet per table, named like the CSV files.

Cells are turned into the text a CSV export would hold, so that every rule applies
identically (Excel parity): dates -> ``YYYY-MM-DD``, whole numbers -> ``12``, other numbers
-> their shortest round-trip form (``7.4``), booleans -> ``true``/``false``. The line of a
row is its sheet row number (header = row 1).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa

from prrt_rwe.ingest.columns import build_table, clean_cells
from prrt_rwe.ingest.issues import Issue
from prrt_rwe.ingest.raw import RawTable


def cell_text(value) -> str:
    """The CSV text of one Excel cell value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def sheet_rows(ws) -> tuple[list, list[int]]:
    """Rows of a read-only worksheet with their sheet row numbers."""
    rows, numbers = [], []
    for row in ws.iter_rows():
        number = next((c.row for c in row if getattr(c, "row", None) is not None), None)
        if number is None:
            continue
        rows.append([c.value for c in row])
        numbers.append(number)
    return rows, numbers


def read_sheet(ws, name: str, file: str) -> tuple[RawTable | None, list[Issue]]:
    """One worksheet as a RawTable (cells as CSV text)."""
    rows, numbers = sheet_rows(ws)
    if not rows:
        from prrt_rwe.ingest.issues import file_issue
        return None, [file_issue(file, name, "E014", "empty sheet: no header row")]
    header = [cell_text(v) for v in rows[0]]
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[1:]]
    columns = list(zip(*body)) if body else [()] * width
    frame = pa.table({f"c{i}": pa.array([cell_text(v) for v in col], type=pa.string())
                      for i, col in enumerate(columns)})
    lines = np.asarray(numbers[1:], dtype=np.int64)
    frame, keep = clean_cells(frame)
    return build_table(name, file, header, frame, lines[keep])


def sheet_label(workbook: Path, sheet: str) -> str:
    return f"{workbook.name}[{sheet}]"
