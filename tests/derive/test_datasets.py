"""derive_all contract (docs/adam.md): columns, ids, row order, Parquet, rules recorded."""

from __future__ import annotations

import json

import pandas as pd
import pandas.testing as pdt
import pyarrow.parquet as pq

from derive_builders import build, day

ADSL_COLUMNS = ["USUBJID", "SITEID", "SUBJID", "SAFFL", "EFFFL", "EXCLRSN", "TRTSDT", "TRTEDT",
                "DTHDT", "NTHDT", "LSTCNDT", "age", "sex", "primary_site", "primary_group",
                "who_grade", "ki67_percent", "ki67_lt10", "krenning_score", "krenning4",
                "liver_burden_lt50", "liver_lesion_le30", "ssa_concomitant", "functioning", "ecog",
                "prior_lines", "n_cycles", "cumulative_activity_gbq"]
REQUIRED = {
    "adrs": ["PARAMCD", "ADT", "ADY", "AVALC", "ANL01FL"],
    "adtte": ["PARAMCD", "STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"],
    "adlb": ["PARAMCD", "ADT", "ADY", "AVAL", "AVALU", "AVAL_ORIG", "AVALU_ORIG", "ANRLO", "ANRHI",
             "RANGEDEF", "ATOXGR", "ABLFL", "BTOXGR", "APOSTFL"],
    "adae": ["AETERM", "ASTDT", "ASTDY", "AETOXGR", "CTCAEVER", "AESER", "TRTEMFL", "HEMFL",
             "RENALFL", "MDSAMLFL"],
    "adhs": ["SYNDROME", "RESPONSE", "EVALFL", "MARKFL", "ANYIMPFL"],
}


def _rows(reverse: bool):
    """Two sites reusing patient number 1; rows optionally inserted in reverse order."""
    pats = [{"site_id": "B", "patient_id": "1", "sex": "F"}, {"site_id": "A", "patient_id": "1"},
            {"site_id": "A", "patient_id": "10"}]
    cyc = [{"site_id": s, "patient_id": p, "cycle": 1, "date": day(0)}
           for s, p in (("B", "1"), ("A", "1"), ("A", "10"))]
    ass = [{"site_id": s, "patient_id": "1", "date": day(d), "overall_response": r}
           for s in ("A", "B") for d, r in ((-5, None), (60, "SD"), (120, "PR"))]
    labs = [{"site_id": "A", "patient_id": "1", "date": day(d), "test": t, "value": v,
             "unit": u, "value_original": v, "unit_original": u}
            for d in (-2, 30) for t, v, u in (("platelets", 90.0, "10^9/L"), ("creatinine", 70.0, "umol/L"))]
    aes = [{"site_id": "B", "patient_id": "1", "onset_date": day(9), "term": "Anemia", "grade": 3}]
    rows = dict(patients=pats, cycles=cyc, assessments=ass, labs=labs, adverse_events=aes)
    if reverse:
        rows = {k: v[::-1] for k, v in rows.items()}
    pats = rows.pop("patients")
    return build(pats, **{k: [{**r} for r in v] for k, v in rows.items()})


def test_contract_columns_and_ids(derive):
    adam = derive(_rows(False))
    assert set(ADSL_COLUMNS) <= set(adam.adsl.columns)
    for name, cols in REQUIRED.items():
        frame = getattr(adam, name)
        assert set(["USUBJID", "SITEID", "SUBJID", *cols]) <= set(frame.columns), name
    # two sites may reuse a patient number: USUBJID = site-patient keeps them apart
    assert adam.adsl["USUBJID"].tolist() == ["A-1", "A-10", "B-1"]
    assert adam.adsl["TRTSDT"].dtype == "datetime64[ns]"


def test_row_order_is_deterministic(derive):
    a = derive(_rows(False))
    b = derive(_rows(True))
    for name in ("adsl", "adrs", "adtte", "adlb", "adae", "adhs"):
        pdt.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    adrs = a.adrs
    assert adrs["USUBJID"].is_monotonic_increasing


def test_write_parquet_round_trip(derive, tmp_path):
    adam = derive(_rows(False))
    paths = adam.write_parquet(tmp_path / "adam")
    assert [p.name for p in paths] == ["adsl.parquet", "adrs.parquet", "adtte.parquet",
                                       "adlb.parquet", "adae.parquet", "adhs.parquet"]
    back = pd.read_parquet(paths[1])
    assert back["AVALC"].tolist() == adam.adrs["AVALC"].tolist()
    # ADLB, written by the engine and moved into place, is as private as the other datasets
    assert {p.stat().st_mode & 0o777 for p in paths} == {0o600}
    assert adam.labs.path == paths[3] and len(pd.read_parquet(paths[3])) == len(adam.adlb) > 0


def test_rules_recorded_as_json(derive):
    adam = derive(_rows(False))
    rules = json.loads(json.dumps(adam.rules))
    assert rules["config"]["recist"]["confirmation_days"] == 28
    assert rules["ctcae"]["decrease"]["platelets"]["g2_below"] == 75.0
    assert rules["analysis_sets"]["exclusion_reasons"] == ["no PRRT cycle", "no baseline assessment",
                                                           "missing covariate"]


def test_optional_tables_absent(derive):
    # a database without the optional lesions / hormonal_symptoms / adverse_events tables
    con = _rows(False)
    for table in ("lesions", "hormonal_symptoms", "adverse_events"):
        con.execute(f'DROP TABLE "{table}"')
    adam = derive(con)
    assert len(adam.adae) == 0 and len(adam.adhs) == 0
    assert "AVALC_LESIONS" not in adam.adrs.columns
    assert adam.hormonal_symptoms == {"evaluable": 0, "marked_improvement": 0, "any_improvement": 0}


def test_empty_database(derive, tmp_path):
    import duckdb

    from prrt_rwe.schema import create_tables
    con = duckdb.connect()
    create_tables(con)
    adam = derive(con)
    assert all(len(getattr(adam, n)) == 0 for n in ("adsl", "adrs", "adtte", "adlb", "adae", "adhs"))
    assert adam.exclusions == [("no PRRT cycle", 0), ("no baseline assessment", 0), ("missing covariate", 0)]
    adam.write_parquet(tmp_path)


def test_release_engine_same_datasets_and_staged_relations_dropped(derive):
    # analyze closes the connection after derive_all: its staged relations and DuckDB's
    # memory go after the last query (Engine.release), the datasets are the same
    from prrt_rwe.derive import derive_all

    kept = derive(_rows(False))
    con = _rows(False)
    try:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        released = derive_all(con, release_engine=True)
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal"
                           ).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM patients").fetchone()[0] == 3   # registry tables stay
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == limit
    finally:
        con.close()
    for name in ("adsl", "adrs", "adtte", "adlb", "adae", "adhs", "egfr_change", "recist_discrepancies"):
        pdt.assert_frame_equal(getattr(released, name), getattr(kept, name), obj=name)
    assert released.worst_grades == kept.worst_grades and released.exclusions == kept.exclusions


def test_file_tables_then_dropped_columns_write_the_same_files(derive, tmp_path):
    # analyze (study._write_outputs): the files' tables first, then the columns no statistic
    # reads leave the frames (issue 17); the files are those written from the whole frames
    from prrt_rwe.derive.datasets import FILE_ONLY_COLUMNS

    whole = derive(_rows(False)).write_parquet(tmp_path / "whole")
    adam = derive(_rows(False))
    tables = adam.file_tables()
    adam.drop_file_only_columns()
    for name, columns in FILE_ONLY_COLUMNS.items():
        assert not set(columns) & set(getattr(adam, name).columns)
    assert "USUBJID" in adam.adrs.columns and "PARAMCD" in adam.adtte.columns
    split = adam.write_parquet(tmp_path / "split", tables)
    assert tables == {}
    for a, b in zip(whole, split):
        assert a.name == b.name
        if a.name != "adlb.parquet":
            ta, tb = pq.read_table(a), pq.read_table(b)
            assert ta.equals(tb) and ta.schema.equals(tb.schema, check_metadata=True)
            if a.stem in FILE_ONLY_COLUMNS:
                assert {"SUBJID", "PARAM"} <= set(ta.column_names)   # AVALC_LESIONS: with lesions only
