"""ADLB's parts as Arrow tables built from integer codes (write_adlb in labs.py, DuckDB; issue 17).

DuckDB returns a part's rows in any order with per row the patient's offset in the part
(``pcode``, in USUBJID's order), PARAMCD's rank in the sorted test codes (``prank``), the Y/N
flags as booleans, the day number and the input line; :class:`PartAssembler` sorts them on those integers
(pcode, prank, date, source_line: the file's order, unique per row) and turns the codes into the
file's text columns as Arrow dictionary arrays (USUBJID, SITEID, SUBJID from the part's
patients, PARAMCD from the codes, flags from ``N``/``Y``). Neither the sort nor the Parquet
writer then handles a string per row (the writer stores dictionary pages as before), and the
file holds the same values: Parquet has no dictionary type, a column is UTF-8 text whichever
Arrow array it was written from.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

ID_COLUMNS = (("USUBJID", "usubjid"), ("SITEID", "site_id"), ("SUBJID", "patient_id"))
FLAG_COLUMNS = ("RANGEDEF", "ABLFL", "APOSTFL", "TRTEMFL", "ALATEFL")
FLAG_TEXT = pa.array(["N", "Y"], type=pa.string())   # False -> N, True -> Y (labs.py _yn)
SORT_KEYS = [(name, "ascending") for name in ("pcode", "prank", "date", "source_line")]
IDS_SQL = ("SELECT k.site_id || '-' || k.patient_id AS usubjid, k.site_id, k.patient_id "
           "FROM prrt_pkey k ORDER BY k.pidx")


class PartAssembler:
    """``assembler(i, table)``: part ``i`` (patients ``starts[i]`` <= pidx < the next start) as
    the file's columns ``names``, from the rows of labs.py adlb_codes_sql."""

    def __init__(self, engine, starts: list[int], codes: list[str], names: list[str]):
        ids = engine.arrow(IDS_SQL)
        self._ids = {name: ids[col].combine_chunks().cast(pa.string()) for name, col in ID_COLUMNS}
        self._starts = [int(s) for s in starts] + [len(ids)]
        self._codes = pa.array(codes, type=pa.string())
        self._names = list(names)

    def __call__(self, i: int, table: pa.Table) -> pa.Table:
        lo, hi = self._starts[i], self._starts[i + 1]
        table = table.take(pc.sort_indices(table, SORT_KEYS)).drop_columns(["date", "source_line"])
        pcode = table["pcode"]
        columns = {}
        for name, values in self._ids.items():
            part = pc.dictionary_encode(values.slice(lo, max(hi - lo, 0)))   # SITEID repeats: its own codes
            columns[name] = _dictionary(pc.take(part.indices, pcode), part.dictionary)
        columns["PARAMCD"] = _dictionary(pc.cast(table["prank"], pa.int32()), self._codes)
        for name in FLAG_COLUMNS:
            columns[name] = _dictionary(pc.cast(table[name], pa.int32()), FLAG_TEXT)
        return pa.table({name: columns[name] if name in columns else table[name] for name in self._names})


def _dictionary(indices, dictionary: pa.Array) -> pa.ChunkedArray:
    indices = indices if isinstance(indices, pa.ChunkedArray) else pa.chunked_array([indices])
    return pa.chunked_array([pa.DictionaryArray.from_arrays(c, dictionary) for c in indices.chunks],
                            type=pa.dictionary(pa.int32(), pa.string()))
