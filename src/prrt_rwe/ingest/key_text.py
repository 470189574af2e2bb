"""Patient keys as one patient means one key (issue 12, "invisible characters in keys").

site_id and patient_id are NFC-normalized and stripped of format characters (Unicode Cf:
zero-width space, BOM, bidi marks) and of leading and trailing whitespace; inner whitespace
is kept (``P 1`` is not ``P1``). A key that changes gets W111 on its line, naming the value
as read (escaped) and as used; duplicate keys (E008) are found after normalization.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prrt_rwe.ingest.issues import Issue, row_issues
from prrt_rwe.outputs.terminal import printable

KEY_COLUMNS = ("site_id", "patient_id")


def normalize_key(text: str) -> str:
    """NFC, format characters removed, outer whitespace stripped."""
    text = unicodedata.normalize("NFC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


def normalize_keys(raw) -> tuple[pd.DataFrame, list[Issue]]:
    """The cells of a RawTable with its key columns normalized, and W111 for every change."""
    cells, issues = raw.cells, []
    for column in KEY_COLUMNS:
        if column not in cells.columns:
            continue
        values = cells[column]
        suspect = ~pc.string_is_ascii(pa.array(values.array)).to_numpy(zero_copy_only=False)
        if not suspect.any():
            continue
        uniques = pd.unique(values[suspect])
        fixed = {u: normalize_key(u) for u in uniques}
        changed = {u: f for u, f in fixed.items() if u != f}
        if not changed:
            continue
        mask = values.isin(list(changed)).to_numpy(bool)
        read = values.to_numpy(dtype=object)
        issues += row_issues(raw, mask, column, "W111",
                             lambda idx, read=read, column=column: [
                                 f"{column} '{printable(read[i], False)}' read as '{changed[read[i]]}' "
                                 "(invisible characters or outer spaces removed, Unicode NFC)"
                                 for i in idx])
        if cells is raw.cells:
            cells = cells.copy()
        cells[column] = values.where(~mask, values.map(lambda v: changed.get(v, v)))
    return cells, issues
