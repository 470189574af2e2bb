"""What the analyses read of ADLB, derived in the engine (derive/relational/labs.py,
lab_summary.py, kidney.py): :func:`derive_labs` writes the ADLB file from the engine and
returns :class:`LabResults` — per patient results and a few counts, never the lab rows.

Per patient (pidx order, arrays; -1 = no graded value): the worst grade per graded test in the
acute window whatever the baseline, the treatment-emergent worst grade in the acute and late
windows, the baseline grade; the first treatment-emergent haematologic grade >= 3 day, the
renal-decline day, the baseline platelet count, the 12-month eGFR change. Counts: the
shift tables, the defaulted reference ranges, the eGFR trajectory and the slope population
(its rows only when the mixed model runs: ``[analyses] heavy``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from prrt_rwe.derive import ctcae, kidney
from prrt_rwe.derive.adlb import GRADES
from prrt_rwe.derive.relational import kidney as relational_kidney
from prrt_rwe.derive.relational import lab_summary
from prrt_rwe.derive.relational import labs as relational_labs

from prrt_rwe.results.kidney import MAX_WINDOWS as TRAJECTORY_MAX_WINDOWS
from prrt_rwe.results.kidney import WINDOW_DAYS as TRAJECTORY_WINDOW_DAYS

LAB_TESTS = ctcae.GRADED_TESTS
DAYS_PER_YEAR = kidney.DAYS_PER_YEAR


@dataclass
class LabResults:
    """See the module doc. Grade tables: USUBJID (safety set) x LAB_TESTS, float, NaN = none."""

    path: Path                               # the ADLB Parquet file (moved by AdamDatasets.write_parquet)
    worst: pd.DataFrame                      # acute window (APOSTFL), whatever the baseline
    te: pd.DataFrame                         # treatment-emergent, acute window
    te_late: pd.DataFrame                    # treatment-emergent, late window (ALATEFL)
    baseline: pd.DataFrame                   # grade of the baseline record (ABLFL)
    baseline_platelets: pd.Series            # USUBJID -> baseline platelets (10^9/L), NaN = none
    shift: dict                              # results.json safety.shift
    defaulted: dict                          # test -> results with a default range (RANGEDEF Y)
    egfr_trajectory: list                    # results/kidney.py
    slope_counts: tuple[int, int]            # (patients, values) of the eGFR slope population
    slope_rows: pd.DataFrame | None = None   # USUBJID, years, egfr (only when the model runs)
    _cleanup: object = field(default=None, repr=False)

    def frame(self) -> pd.DataFrame:
        """ADLB read back from its file as docs/adam.md types it (dates datetime64[ns], integers
        Int64, text str): for tests and small studies, never on the analysis path."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(self.path)
        frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        frame["ADY"] = frame["ADY"].astype(np.int64)
        frame["ADT"] = pd.to_datetime(frame["ADT"]).astype("datetime64[ns]")
        for col in frame.columns:
            if pa.types.is_string(table.schema.field(col).type):
                frame[col] = frame[col].astype("str")
        return frame

    def move_into(self, target) -> Path:
        """Move the file to ``target`` atomically (outputs/atomic.py); it is read from there on."""
        from prrt_rwe.outputs.atomic import write_with

        def move(tmp: Path) -> None:
            mode = os.stat(tmp).st_mode   # the private mode of the temporary file, as every dataset
            shutil.move(str(self.path), str(tmp))
            os.chmod(tmp, mode)

        self.path = write_with(target, move)
        return self.path


def _grades(table, kind: str, keep: np.ndarray, index: pd.Index) -> pd.DataFrame:
    data = {t: table[f"{kind}_{t}"].to_numpy(zero_copy_only=False).astype(np.float32)[keep] for t in LAB_TESTS}
    return pd.DataFrame(data, index=index)


def _per_pidx(table, column: str) -> np.ndarray:
    return table[column].to_numpy(zero_copy_only=False).astype(float)


@dataclass(frozen=True)
class PatientLabs:
    """The per-patient arrays derive_all uses itself (pidx order)."""

    worst: pd.DataFrame          # patients x LAB_TESTS, int, -1 = no post-baseline graded value
    hem3_day: np.ndarray         # first TE haematologic grade >= 3 day (NaN = none)
    renal_decline_day: np.ndarray
    egfr_change: pd.DataFrame    # kidney.egfr_change, with pidx


def derive_labs(engine, tables, ids, safety: np.ndarray, *, baseline_window_days: int,
                window_days: int, slope_rows: bool, folder=None) -> tuple[LabResults, PatientLabs]:
    """Stage the lab relations, write ADLB (to ``folder`` or a temporary folder removed with the
    result) and read the per-patient results; ``ids``: layout.Ids, ``safety``: per pidx."""
    relational_labs.stage(engine, tables, baseline_window_days=baseline_window_days, window_days=window_days)
    relational_kidney.stage(engine)
    temporary = folder is None
    folder = Path(tempfile.mkdtemp(prefix="prrt-rwe-adlb-") if temporary else folder)
    path = folder / f"adlb-{os.getpid()}-{id(engine)}.parquet"
    if not relational_labs.write_adlb(engine, path, window_days, summarise=lab_summary.part_statement):
        lab_summary.stage(engine)   # not summarised part by part on the way

    usubjid = ids.usubjid
    n = len(usubjid)
    safety = np.asarray(safety, dtype=bool)
    index = pd.Index(usubjid[safety], name="USUBJID")
    t = engine.arrow(lab_summary.PATIENT_SQL)
    worst_all = {name: np.nan_to_num(_per_pidx(t, f"worst_{name}"), nan=-1.0).astype(np.int64) for name in LAB_TESTS}
    renal = np.full(n, np.nan)
    decline = engine.arrow(relational_kidney.renal_decline_sql())
    renal[decline["pidx"].to_numpy(zero_copy_only=False).astype(np.int64)] = \
        decline["day"].to_numpy(zero_copy_only=False).astype(float)
    patient = PatientLabs(worst=pd.DataFrame(worst_all), hem3_day=_per_pidx(t, "hem3_date"),
                          renal_decline_day=renal, egfr_change=relational_kidney.egfr_change(engine))
    result = LabResults(
        path=path,
        worst=_grades(t, "worst", safety, index), te=_grades(t, "te", safety, index),
        te_late=_grades(t, "te_late", safety, index), baseline=_grades(t, "baseline", safety, index),
        baseline_platelets=pd.Series(_per_pidx(t, "baseline_platelets_value")[safety], index=index),
        shift=_shift(engine), defaulted=_defaulted(engine),
        egfr_trajectory=relational_kidney.trajectory(engine, TRAJECTORY_WINDOW_DAYS, TRAJECTORY_MAX_WINDOWS),
        slope_counts=relational_kidney.slope_counts(engine),
        slope_rows=_slope_rows(engine, ids) if slope_rows else None,
    )
    if temporary:   # removed with the result (the file itself may have been moved out)
        result._cleanup = weakref.finalize(result, shutil.rmtree, str(folder), True)
    return result, patient


def _shift(engine) -> dict:
    out = {t: {str(b): {str(w): 0 for w in GRADES} for b in GRADES} for t in LAB_TESTS}
    for row in engine.arrow(lab_summary.SHIFT_SQL).to_pylist():
        out[row["test"]][str(int(row["base"]))][str(int(row["worst"]))] = int(row["n"])
    return out


def _defaulted(engine) -> dict:
    counts = {row["test"]: int(row["n"] or 0) for row in engine.arrow(lab_summary.DEFAULTED_SQL).to_pylist()}
    return {t: counts.get(t, 0) for t in LAB_TESTS}


def _slope_rows(engine, ids) -> pd.DataFrame:
    """The slope population in ADLB order (USUBJID, date, input line)."""
    rows = relational_kidney.slope_rows(engine)
    p = rows["pidx"].to_numpy(dtype=np.int64)
    order = np.lexsort((rows["source_line"].to_numpy(), rows["date"].to_numpy(), ids.rank[p]))
    return pd.DataFrame({"USUBJID": ids.usubjid[p][order].astype(object),
                         "years": rows["ady"].to_numpy(dtype=float)[order] / DAYS_PER_YEAR,
                         "egfr": rows["egfr"].to_numpy(dtype=float)[order]})
