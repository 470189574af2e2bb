"""Chunked CSV writing in registry format v1 with fixed, byte-stable formatting.

Cells are formatted by Arrow compute kernels (no per-row Python): numbers with a fixed
number of decimals, dates ISO ``YYYY-MM-DD``, yes/no as ``yes``/``no``, missing as an empty
cell. Columns come from the schema (prrt_rwe.schema.registry_v1), in its order. Values never
contain commas, quotes or newlines, so nothing is quoted and physical line = row + 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from prrt_rwe.schema.registry_v1 import Table

_WRITE = pcsv.WriteOptions(include_header=False, quoting_style="none", delimiter=",")


def _masked(values: np.ndarray, missing: np.ndarray | None) -> np.ndarray | None:
    m = np.isnan(values) if values.dtype.kind == "f" else np.zeros(len(values), bool)
    return m if missing is None else (m | missing)


def fixed(values: np.ndarray, decimals: int | np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Non-negative numbers with ``decimals`` digits after the point (scalar or per row)."""
    values = np.asarray(values, float)
    mask = _masked(values, missing)
    dec = np.broadcast_to(np.asarray(decimals, np.int64), values.shape)
    scale = 10 ** dec
    q = np.round(np.where(mask, 0.0, values) * scale).astype(np.int64)
    whole, frac = np.divmod(q, scale)
    whole_s = pc.cast(pa.array(whole), pa.string())
    out = whole_s
    for d in np.unique(dec):
        if d == 0:
            continue
        frac_s = pc.utf8_lpad(pc.cast(pa.array(frac), pa.string()), int(d), "0")
        joined = pc.binary_join_element_wise(whole_s, frac_s, ".")
        out = pc.if_else(pa.array(dec == d), joined, out)
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), out)


def integer(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return fixed(values, 0, missing)


def dates(epoch_days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    values = np.asarray(epoch_days, float)
    mask = _masked(values, missing)
    days = pa.array(np.where(mask, 0, values).astype(np.int32), pa.int32()).cast(pa.date32())
    text = pc.cast(days, pa.string())
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), text)


def codes(index: np.ndarray, labels: tuple[str, ...], missing: np.ndarray | None = None) -> pa.Array:
    """``labels[index]``; index < 0 or ``missing`` gives an empty cell."""
    index = np.asarray(index, np.int64)
    mask = index < 0 if missing is None else (index < 0) | missing
    arr = pa.DictionaryArray.from_arrays(pa.array(np.where(mask, 0, index).astype(np.int32)),
                                         pa.array(list(labels), pa.string()))
    text = arr.cast(pa.string())
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), text)


def yesno(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return codes(np.asarray(values, bool).astype(np.int64), ("no", "yes"), missing)


def text(values, missing: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(values, pa.string()) if not isinstance(values, pa.Array) else values
    if missing is None:
        return arr
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), arr)


class TableWriter:
    """Appends chunks of one table to ``<out>/<table>.csv``; header once, schema order."""

    def __init__(self, out: Path, table: Table):
        self.table = table
        self.path = Path(out) / table.filename
        self.rows = 0
        self._fh = open(self.path, "wb")
        self._fh.write((",".join(table.column_names) + "\n").encode())

    def append(self, columns: dict[str, pa.Array]) -> None:
        names = self.table.column_names
        unknown = set(columns) - set(names)
        if unknown:
            raise KeyError(f"{self.table.name}: columns not in the schema: {sorted(unknown)}")
        n = len(next(iter(columns.values())))
        arrays = [columns.get(c, pa.nulls(n, pa.string())) for c in names]
        if n:
            pcsv.write_csv(pa.table(arrays, names=list(names)), self._fh, _WRITE)
        self.rows += n

    def close(self) -> None:
        self._fh.close()
