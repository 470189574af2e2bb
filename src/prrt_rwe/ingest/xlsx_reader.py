"""Read a registry workbook (.xlsx): one sheet per table, named like the CSV files.

Cells are turned into the text a CSV export would hold, so that every rule applies
identically (Excel parity): dates -> ``YYYY-MM-DD``, whole numbers -> ``12``, other numbers
-> their shortest round-trip form (``7.4``), booleans -> ``true``/``false``. The line of a
row is its sheet row number (header = row 1). python-calamine reads the workbook when it is
installed; openpyxl (read-only) otherwise, with the same result. Rows are streamed and turned
into Arrow columns a block at a time. What the scan (xlsx_scan) found is applied here: an
error value or a formula without a cached result is E015 on its sheet, row and column (never
an empty cell); a percent-formatted number is read as Excel shows it (0.053 -> ``5.3``).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path

import numpy as np
import pyarrow as pa

from prrt_rwe.ingest.columns import build_table, clean_cells
from prrt_rwe.ingest.issues import Issue, file_issue
from prrt_rwe.ingest.raw import RawTable

ROW_BLOCK = 65_536


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
    rows_of: Callable[[str], Iterator]
    close: Callable[[], None]


def open_workbook(path: Path) -> Workbook:
    """python-calamine when installed (about 8x faster), else openpyxl in read-only mode."""
    try:
        from python_calamine import CalamineError, CalamineWorkbook
    except ImportError:
        return _open_openpyxl(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise UnreadableWorkbook(type(exc).__name__) from None
    return Workbook(tuple(book.sheet_names), lambda title: _calamine_rows(book, title), lambda: None)


def _calamine_rows(book, title: str) -> Iterator[list]:
    """Rows from row 1 and column A (calamine's iter_rows starts at the first used column)."""
    sheet = book.get_sheet_by_name(title)
    pad = [""] * sheet.start[1] if sheet.start else []
    for row in sheet.iter_rows():
        yield pad + row if pad else row


def _open_openpyxl(path: Path) -> Workbook:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:   # openpyxl raises TypeError/AttributeError on odd XML too
        raise UnreadableWorkbook(type(exc).__name__) from None
    return Workbook(tuple(book.sheetnames),
                    lambda title: book[title].iter_rows(values_only=True),
                    book.close)


def percent_text(value) -> str:
    """A percent-formatted number as Excel shows it, without the sign: 0.053 -> ``5.3``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cell_text(value)
    try:
        shown = (Decimal(repr(float(value))) * 100).normalize()
    except InvalidOperation:
        return cell_text(value)
    return cell_text(float(shown)) if shown == shown.to_integral() else format(shown, "f")


def _blocks(rows: Iterable, width: int, percent: dict[int, set[int]]) -> Iterator[pa.Table]:
    """Rows 2.. as Arrow tables of ROW_BLOCK rows, cells as CSV text (percent cells shown)."""
    rows, line = iter(rows), 2
    while block := list(islice(rows, ROW_BLOCK)):
        columns = [[] for _ in range(width)]
        for offset, r in enumerate(block):
            shown = percent.get(line + offset, ())
            r = list(r[:width]) + [None] * (width - len(r))
            for i, v in enumerate(r):
                columns[i].append(percent_text(v) if i + 1 in shown else cell_text(v))
        line += len(block)
        yield pa.table({f"c{i}": pa.array(col, type=pa.large_string()) for i, col in enumerate(columns)})


def _unusable_cells(scan, header: list[str], file: str, name: str) -> list[Issue]:
    """E015 for every error value and formula without a cached result."""
    if scan is None:
        return []

    def column(c: int) -> str:
        return header[c - 1].strip() if 0 < c <= len(header) else f"column {c}"

    issues = [Issue(file, row, column(c), "E015", f"Excel error value '{value}' (fix the cell or "
                    "leave it empty)", name) for row, c, value in scan.errors if row > 1]
    issues += [Issue(file, row, column(c), "E015", "formula without a cached result (open and "
                     "save the workbook in Excel or LibreOffice, or paste values)", name)
               for row, c in scan.uncached if row > 1]
    return issues


def read_sheet(rows: Iterable, name: str, file: str, scan=None) -> tuple[RawTable | None, list[Issue]]:
    """One worksheet's rows (row 1 = header) as a RawTable, cells as CSV text; ``scan`` is
    the sheet's SheetScan (xlsx_scan) when the workbook was scanned."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None or not any(cell_text(v).strip() for v in first):
        return None, [file_issue(file, name, "E014", "empty sheet: no header row on row 1")]
    header = [cell_text(v) for v in first]
    width = len(header)
    percent: dict[int, set[int]] = {}
    for row, c in (scan.percent if scan is not None else ()):
        percent.setdefault(row, set()).add(c)
    blocks = list(_blocks(rows, width, percent))
    frame = (pa.concat_tables(blocks) if blocks else
             pa.table({f"c{i}": pa.array([], type=pa.large_string()) for i in range(width)}))
    lines = np.arange(frame.num_rows, dtype=np.int64) + 2
    frame, keep = clean_cells(frame)
    table, issues = build_table(name, file, header, frame, lines[keep])
    return table, _unusable_cells(scan, header, file, name) + issues


def sheet_label(workbook: Path, sheet: str) -> str:
    return f"{workbook.name}[{sheet}]"
