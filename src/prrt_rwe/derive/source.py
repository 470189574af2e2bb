"""Reading the staged registry (derive/relational/registry.py, in any engine) into pandas frames.

Conventions of every derive/ module:
- a patient is ``pidx`` (0..n-1 in the order site_id, patient_id) while deriving, and
  ``USUBJID`` = ``<site_id>-<patient_id>`` with ``SITEID`` and ``SUBJID`` in the datasets;
- dates are whole days since 1970-01-01 as float64 (NaN = missing) while deriving, and
  ``datetime64[ns]`` at midnight in the ADaM datasets (:func:`to_dates`);
- rows are read in a deterministic order (patient, date, source_line).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _frame(arrow: pa.Table) -> pd.DataFrame:
    """Arrow rows as the derivations read them: text as pandas categoricals (dictionary-encoded
    by Arrow: the big tables, labs, have millions of rows and a handful of distinct codes and
    units), nullable integers and booleans as pandas nullable dtypes."""
    encoded = {}
    for name in arrow.column_names:
        col = arrow[name]
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) \
                or pa.types.is_string_view(col.type):
            col = pc.dictionary_encode(col.cast(pa.string()))
        encoded[name] = col
    frame = pa.table(encoded).to_pandas()
    for name in arrow.column_names:
        t = arrow[name].type
        if pa.types.is_integer(t) and frame[name].dtype.kind == "f":
            frame[name] = frame[name].astype("Int64")
        elif pa.types.is_boolean(t) and frame[name].dtype == object:
            frame[name] = frame[name].astype("boolean")
    return frame


def _read(engine, table: str, columns: list[str], dates: list[str], order: str, where: str = "") -> pd.DataFrame:
    """Rows of one staged registry relation (derive/relational/registry.py) with ``pidx``;
    date columns as day numbers (float, NaN = missing); ``where``: a condition on alias t."""
    cols = [f"t.{c}" for c in columns] + [f"CAST(t.{c} AS DOUBLE) AS {c}" for c in dates]
    where = f" WHERE {where}" if where else ""
    sql = f"SELECT t.pidx, {', '.join(cols)}, t.source_line FROM prrt_{table} t{where} ORDER BY t.pidx, {order}"
    return _frame(engine.arrow(sql))


@dataclass(frozen=True)
class Registry:
    """The registry tables of one database, keyed by ``pidx`` (cut at the data cut-off);
    cycles and labs are derived in the engine (derive/relational/treatment.py, labs.py), not read."""

    patients: pd.DataFrame
    assessments: pd.DataFrame
    lesions: pd.DataFrame
    adverse_events: pd.DataFrame
    hormonal_symptoms: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.patients)


_PATIENT_COLUMNS = [
    "site_id", "patient_id", "sex", "age", "primary_site", "who_grade", "ki67_percent",
    "krenning_score", "functioning", "ecog", "liver_metastases", "liver_tumor_burden_percent",
    "largest_liver_lesion_mm", "bone_metastases", "prior_lines", "prior_ssa", "ssa_concomitant",
]
_PATIENT_DATES = ["diagnosis_date", "next_therapy_date", "last_contact_date", "death_date"]
# table -> (columns, date columns, row order after pidx)
ROW_FRAMES = {
    "assessments": (["overall_response", "sum_diameters_mm", "new_lesions"], ["date"], "t.date, t.source_line"),
    "lesions": (["lesion_id", "role", "lymph_node", "diameter_mm", "status"], ["date"],
                "t.date, t.lesion_id, t.source_line"),
    "adverse_events": (["term", "grade", "ctcae_version", "serious"], ["onset_date"],
                       "t.onset_date, t.term, t.source_line"),
    "hormonal_symptoms": (["syndrome", "response"], [], "t.source_line"),
}


def read_staged(engine, tables, frames=tuple(ROW_FRAMES)) -> Registry:
    """The staged relations derive/ reads in Python (``tables``: the row tables present;
    ``frames``: the row tables to read, the others empty)."""
    cols = [f"t.{c}" for c in _PATIENT_COLUMNS] + [f"CAST(t.{c} AS DOUBLE) AS {c}" for c in _PATIENT_DATES]
    patients = engine.arrow(f"SELECT t.pidx, {', '.join(cols)} FROM prrt_patients t ORDER BY t.pidx").to_pandas()
    read = {}
    for name, (cols, dates, order) in ROW_FRAMES.items():
        if name in tables and name in frames:
            read[name] = _read(engine, name, cols, dates, order)
        else:
            read[name] = pd.DataFrame({c: [] for c in ["pidx", *cols, *dates, "source_line"]})
    return Registry(patients=patients, **read)


def read_tumour_sums(engine, tables) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What derive/tumour_size.py reads, and no more: the assessments with a sum of diameters
    (pidx, date, sum_diameters_mm) and the target lesion rows (pidx, role, diameter_mm, status,
    date), in read_staged's order; not the millions of other lesion and assessment rows."""
    frames = []
    for name, cols, where in (("assessments", ["sum_diameters_mm"], "t.sum_diameters_mm IS NOT NULL"),
                              ("lesions", ["role", "diameter_mm", "status"], "t.role = 'target'")):
        _, dates, order = ROW_FRAMES[name]
        frames.append(_read(engine, name, cols, dates, order, where) if name in tables else
                      pd.DataFrame({c: [] for c in ["pidx", *cols, *dates, "source_line"]}))
    return frames[0], frames[1]


# Day numbers that datetime64[ns] can hold (1677-09-22 .. 2262-04-11); validation admits
# 1900-01-01 .. the day of the run only (schema/limits.py), so this guards, never wraps.
NS_DAY_RANGE = (-106_751, 106_750)


def to_dates(days) -> pd.Series | pd.DatetimeIndex:
    """Day numbers (float, NaN = missing) -> datetime64[ns] at midnight (NaT = missing);
    ValueError for a day outside the nanosecond range (it would wrap around silently)."""
    arr = np.asarray(days, dtype="float64")
    out = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnan(arr)
    if ok.any() and (arr[ok].min() < NS_DAY_RANGE[0] or arr[ok].max() > NS_DAY_RANGE[1]):
        raise ValueError("a date outside 1677-09-22 .. 2262-04-11 cannot be an ADaM date")
    out[ok] = arr[ok].astype("int64").astype("datetime64[D]").astype("datetime64[ns]")
    return out


FLAG_LEVELS = ["N", "Y"]


def yn(mask) -> pd.Categorical:
    """Boolean array -> ``Y``/``N`` (ADaM flag convention), as a categorical while deriving;
    datasets.py turns every categorical into a ``str`` column when it assembles a dataset."""
    return pd.Categorical.from_codes(np.asarray(mask, dtype=bool).astype(np.int8), FLAG_LEVELS)


def no_flag(n: int) -> pd.Categorical:
    """A missing Y/N flag for ``n`` rows (same categories as :func:`yn`)."""
    return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), FLAG_LEVELS)
