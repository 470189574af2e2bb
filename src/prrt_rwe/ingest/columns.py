"""Header matching: names compared case-insensitively after trimming (registry format v1).

Known columns are renamed to their schema spelling; extra columns are reported (W110) and
stored only with ``ingest --keep-extra-columns``; keys are normalized (key_text, W111);
a missing required column is E002 on line 1; a header naming one column twice is E014.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prrt_rwe.ingest.issues import Issue, file_issue
from prrt_rwe.ingest.key_text import normalize_keys
from prrt_rwe.ingest.raw import RawTable
from prrt_rwe.schema import TABLES_BY_NAME


def build_table(name: str, file: str, header: list[str], cells: pd.DataFrame,
                lines: np.ndarray) -> tuple[RawTable | None, list[Issue]]:
    """A RawTable from positional ``cells`` (columns 0..n-1 as str) and their ``header``."""
    schema = TABLES_BY_NAME[name]
    known = {c.lower(): c for c in schema.column_names}
    issues: list[Issue] = []
    keep, extra = {}, {}
    seen: dict[str, int] = {}
    for pos, raw_name in enumerate(header):
        label = str(raw_name).strip()
        key = label.lower()
        if key in seen:
            issues.append(file_issue(file, name, "E014",
                                     f"column '{label}' appears twice in the header", column=label))
            continue
        seen[key] = pos
        if key in known:
            keep[known[key]] = cells.iloc[:, pos]
        elif label or (cells.iloc[:, pos] != "").any():
            label = label or f"(unnamed column {pos + 1})"
            extra[label] = cells.iloc[:, pos]
            issues.append(file_issue(file, name, "W110",
                                     f"extra column '{label}' is not part of format v1 (stored only "
                                     "with ingest --keep-extra-columns)",
                                     column=label))
    if any(i.code == "E014" for i in issues):
        return None, issues
    for col in schema.columns:
        if col.required and col.name not in keep:
            issues.append(file_issue(file, name, "E002",
                                     f"required column '{col.name}' missing", column=col.name))
    known_frame = pd.DataFrame(keep, index=cells.index) if keep else pd.DataFrame(index=cells.index)
    extra_frame = pd.DataFrame(extra, index=cells.index) if extra else pd.DataFrame(index=cells.index)
    table = RawTable(name, file, known_frame.reset_index(drop=True), np.asarray(lines, dtype=np.int64),
                     extra_frame.reset_index(drop=True))
    keys, changed = normalize_keys(table)
    if changed:
        table = dataclasses.replace(table, cells=keys)
    return table, issues + changed


def clean_cells(table: pa.Table, trim: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """Trim every cell (columns 0..n-1 of a large_string table; ``trim=False`` when the
    reader knows no cell has whitespace to trim); return them as a frame of str (one chunk
    per column: pandas is slower on many) without the all-empty rows, and the mask of kept
    rows."""
    trimmed = [pc.utf8_trim_whitespace(col) if trim else col for col in table.columns]
    if not trimmed:
        return pd.DataFrame(index=range(table.num_rows)), np.zeros(table.num_rows, bool)
    keep = np.zeros(table.num_rows, dtype=bool)
    for col in trimmed:   # byte lengths, not string comparisons (millions of lab rows)
        keep |= pc.binary_length(col).to_numpy() > 0
    kept = pa.table({str(i): col for i, col in enumerate(trimmed)})
    if not keep.all():
        kept = kept.filter(pa.array(keep))
    frame = pd.DataFrame({i: pd.Series(pd.arrays.ArrowStringArray(kept.column(i).cast(pa.large_string())
                                                                   .combine_chunks()), dtype="str")
                          for i in range(len(trimmed))})
    return frame, keep
