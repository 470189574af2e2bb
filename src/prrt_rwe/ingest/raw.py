"""A registry table as read from disk: every cell as trimmed text, before any parsing.

Readers (csv_reader, xlsx_reader) produce these; the checks and the parser read them.
Known columns carry their schema name; extra columns keep their original header.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prrt_rwe.ingest.issues import Issue
from prrt_rwe.schema import TABLES_BY_NAME, Table


@dataclass(frozen=True)
class RawTable:
    """Cells of one file or sheet: ``cells`` has one str column per known column present."""

    name: str
    file: str
    cells: pd.DataFrame
    lines: np.ndarray
    extra: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def schema(self) -> Table:
        return TABLES_BY_NAME[self.name]

    def __len__(self) -> int:
        return len(self.lines)

    def has(self, column: str) -> bool:
        return column in self.cells.columns

    def text(self, column: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Trimmed text of a column (of the ``rows`` positions only, when given) as an object
        array ('' = missing; all '' when absent)."""
        n = len(self) if rows is None else len(rows)
        if not self.has(column):
            return np.full(n, "", dtype=object)
        cells = self.cells[column]
        return (cells if rows is None else cells.iloc[rows]).to_numpy(dtype=object)

    def empty(self, column: str) -> np.ndarray:
        if not self.has(column):
            return np.ones(len(self), dtype=bool)
        return empty_cells(self.cells[column])


def empty_cells(text: pd.Series) -> np.ndarray:
    """``(text == "")`` as a boolean array (a missing cell is not empty); for Arrow-backed
    text the byte lengths, without pandas' string comparison (issue 17: a few ms per column
    and part of millions of lab rows)."""
    if isinstance(text.array, pd.arrays.ArrowStringArray):
        lengths = pc.binary_length(pa.array(text.array))
        if lengths.null_count == 0:
            return lengths.to_numpy() == 0
        return pc.fill_null(pc.equal(lengths, 0), False).to_numpy(zero_copy_only=False)
    return (text == "").to_numpy(dtype=bool)


@dataclass(frozen=True)
class RawRegistry:
    """All tables found, the reader's issues, and the input fingerprint."""

    tables: dict[str, RawTable]
    issues: list[Issue]
    fingerprint: str
    kind: str  # "csv" or "xlsx"
    label: str  # folder or workbook name, for messages
