"""Issue 17: ADLB and what the analyses read of it, derived in the engine (derive/relational/
labs.py, lab_summary.py, kidney.py), equal the pandas derivation prrt-rwe used before
(lab_reference.py, kept verbatim) on the demo cohort (422 patients, the demo seed) and on a
synthetic registry of 2,500 patients: the adlb.parquet file column by column and value by value
(eGFR included), the worst, treatment-emergent and baseline grades per patient, the first
treatment-emergent haematologic grade >= 3 and renal-decline days, the 12-month eGFR change,
the shift tables, the defaulted ranges, the eGFR trajectory, the slope rows and the baseline
platelets. The hand-checked values of each rule are in test_ctcae.py, test_kidney.py and
test_treatment_emergent_late_effects.py."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import lab_reference  # noqa: E402

from prrt_rwe.config import StudyConfig, parse_config
from prrt_rwe.derive import derive_all
from prrt_rwe.derive.adlb import worst_grade_counts
from prrt_rwe.derive.datasets import _dates_as_dates
from prrt_rwe.derive.lab_results import derive_labs
from prrt_rwe.derive.layout import Ids
from prrt_rwe.derive.source import read_staged
from prrt_rwe.engines.duckdb_engine import DuckDBEngine
from prrt_rwe.ingest.load import load_registry
from prrt_rwe.synth.demo_seed import demo_seed
from prrt_rwe.synth.generator import generate

CASES = {"demo": (422, demo_seed(), StudyConfig()),
         # shorter acute and baseline windows than the defaults, with results on their limits (synth labs
         # fall 175-189 days after the last cycle and 1-14 days before C1): the parameters reach the SQL
         "synth2500": (2500, 5, parse_config({"safety": {"window_days": 182}, "labs": {"baseline_window_days": 7}}))}


@pytest.fixture(scope="module", params=sorted(CASES))
def derived(request, tmp_path_factory):
    patients, seed, config = CASES[request.param]
    folder = tmp_path_factory.mktemp(request.param) / "registry"
    generate(folder, patients=patients, sites=33, seed=seed, messy=False)
    con, report = load_registry(folder)
    assert con is not None, report
    adam = derive_all(con, config)
    engine = DuckDBEngine.wrap(con)
    reference = lab_reference.derive_reference(engine, config)
    # the per-patient arrays derive_all uses (ADSL flags, ADTTE late effects), on the same relations
    reg = read_staged(engine, ("labs",))
    ids = Ids(reg.patients)
    c1 = engine.arrow("SELECT c1 FROM prrt_treatment ORDER BY pidx")["c1"].to_numpy(zero_copy_only=False)
    safety = ~np.isnan(c1.astype(float))
    _, patient = derive_labs(engine, ("labs",), ids, safety,
                             baseline_window_days=config.labs.baseline_window_days,
                             window_days=config.safety.window_days, slope_rows=False)
    yield adam, reference, patient, ids, safety
    con.close()


def test_adlb_file_equals_the_pandas_dataset(derived):
    adam, ref, *_ = derived
    ours = pq.read_table(adam.labs.path)
    theirs = _dates_as_dates(pa.Table.from_pandas(ref["adlb"], preserve_index=False))
    assert ours.column_names == theirs.column_names
    assert ours.num_rows == theirs.num_rows > 10_000
    # same types, text read back as string where pandas wrote large_string (Parquet: both UTF-8
    # byte arrays); DuckDB's writer marks a column without nulls "required"
    theirs = theirs.cast(pa.schema([pa.field(f.name, pa.string() if f.type == pa.large_string() else f.type)
                                    for f in theirs.schema]))
    assert [(f.name, f.type) for f in ours.schema] == [(f.name, f.type) for f in theirs.schema]
    for name in ours.column_names:
        assert ours[name].combine_chunks().equals(theirs[name].combine_chunks()), name
    assert set(ours["PARAMCD"].to_pylist()) >= {"EGFR", "creatinine", "platelets"}


def test_adlb_frame_reads_back_as_the_dataset(derived):
    adam, ref, *_ = derived
    pd.testing.assert_frame_equal(adam.adlb, ref["adlb"].astype({"ATOXGR": "Int64", "BTOXGR": "Int64"}),
                                  check_dtype=False)


def _nonempty(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[frame.notna().any(axis=1)].astype(float).sort_index()


@pytest.mark.parametrize("kind", ["worst", "te", "te_late", "baseline"])
def test_per_patient_grades(derived, kind):
    adam, ref, *_ = derived
    ours = _nonempty(getattr(adam.labs, kind))
    theirs = _nonempty(ref[kind])
    assert len(ours) > 100
    pd.testing.assert_frame_equal(ours, theirs, check_names=False)


def test_counts_trajectory_slope_and_platelets(derived):
    adam, ref, *_ = derived
    assert adam.labs.shift == ref["shift"]
    assert adam.labs.defaulted == ref["defaulted"]
    assert adam.labs.egfr_trajectory == ref["trajectory"]   # exact: the same order statistics and interpolation
    assert adam.labs.slope_counts == (ref["slope_rows"]["USUBJID"].nunique(), len(ref["slope_rows"]))
    pd.testing.assert_frame_equal(adam.labs.slope_rows, ref["slope_rows"])
    ours = adam.labs.baseline_platelets.dropna().sort_index()
    pd.testing.assert_series_equal(ours, ref["baseline_platelets"].sort_index(), check_names=False)
    assert adam.worst_grades == worst_grade_counts(ref["worst_by_pidx"], derived[4])


def test_late_effect_days_and_egfr_change(derived):
    adam, ref, patient, ids, _ = derived
    np.testing.assert_array_equal(patient.worst.to_numpy(), ref["worst_by_pidx"].to_numpy())
    np.testing.assert_array_equal(patient.hem3_day, ref["hem3_day"])
    np.testing.assert_array_equal(patient.renal_decline_day, ref["renal_decline_day"])
    assert np.isfinite(patient.hem3_day).sum() > 10 and np.isfinite(patient.renal_decline_day).sum() > 0
    pd.testing.assert_frame_equal(patient.egfr_change.reset_index(drop=True),
                                  ref["egfr_change"].reset_index(drop=True))
    pd.testing.assert_frame_equal(adam.egfr_change.reset_index(drop=True),
                                  ids.attach(ref["egfr_change"]).reset_index(drop=True))
