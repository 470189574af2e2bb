"""Read a registry workbook (.xlsx): one sheet per table, named like the CSV files.

Cells are turned into the text a CSV export would hold, so that every rule applies
identically (Excel parity): dates -> ``YYYY-MM-DD``, whole numbers -> ``12``, other numbers
-> their shortest round-trip form (``7.4``), booleans -> ``true``/``false``. The line of a
row is its sheet row number (header = row 1). python-calamine reads the workbook when it is
installed; openpyxl (read-only) otherwise, with the same result.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from prrt_rwe.ingest.columns import build_table, clean_cells
from prrt_rwe.ingest.issues import Issue, file_issue
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


class UnreadableWorkbook(Exception):
    """The file is not a readable .xlsx workbook."""


@dataclass(frozen=True)
class Workbook:
    """Sheet titles and a reader of a sheet's cell values, row 1 first, empty rows kept."""

    titles: tuple[str, ...]
    rows_of: Callable[[str], list]
    close: Callable[[], None]


def open_workbook(path: Path) -> Workbook:
    """python-calamine when installed (about 8x faster), else openpyxl in read-only mode."""
    try:
        from python_calamine import CalamineError, CalamineWorkbook
    except ImportError:
        return _open_openpyxl(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError) as exc:
        raise UnreadableWorkbook(type(exc).__name__) from None
    return Workbook(tuple(book.sheet_names),
                    lambda title: book.get_sheet_by_name(title).to_python(skip_empty_area=False),
                    lambda: None)


def _open_openpyxl(path: Path) -> Workbook:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise UnreadableWorkbook(type(exc).__name__) from None
    return Workbook(tuple(book.sheetnames),
                    lambda title: list(book[title].iter_rows(values_only=True)),
                    book.close)


def read_sheet(rows: list, name: str, file: str) -> tuple[RawTable | None, list[Issue]]:
    """One worksheet's rows (row 1 = header) as a RawTable, cells as CSV text."""
    if not rows or not any(cell_text(v).strip() for v in rows[0]):
        return None, [file_issue(file, name, "E014", "empty sheet: no header row on row 1")]
    header = [cell_text(v) for v in rows[0]]
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[1:]]
    columns = list(zip(*body)) if body else [()] * width
    frame = pa.table({f"c{i}": pa.array([cell_text(v) for v in col], type=pa.large_string())
                      for i, col in enumerate(columns)})
    lines = np.arange(len(body), dtype=np.int64) + 2
    frame, keep = clean_cells(frame)
    return build_table(name, file, header, frame, lines[keep])


def sheet_label(workbook: Path, sheet: str) -> str:
    return f"{workbook.name}[{sheet}]"
