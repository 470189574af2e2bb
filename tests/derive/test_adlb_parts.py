"""Issue 17: DuckDB writes ADLB by parts of consecutive patients, each part reading only the
rowid ranges of the lab table that hold its patients' rows (derive/relational/labs.py
write_adlb). The file must not depend on the parts: many parts, a lab table stored in another
order than the patients', and the fallback to one range per part give the same file, value for
value and schema for schema, as one part over the whole table."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from prrt_rwe.config import StudyConfig
from prrt_rwe.derive import derive_all
from prrt_rwe.derive.relational import lab_summary
from prrt_rwe.derive.relational import labs as relational_labs
from prrt_rwe.ingest.load import load_registry
from prrt_rwe.synth.generator import generate


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parts") / "registry"
    generate(folder, patients=300, sites=5, seed=3, messy=False)
    return folder


def _adlb(folder, tmp_path, name, shuffle=False):
    con, report = load_registry(folder)
    assert con is not None, report
    if shuffle:   # the lab rows stored in an order unrelated to the patients' (rowid ranges interleave)
        con.execute("CREATE TEMP TABLE shuffled AS SELECT * FROM labs ORDER BY hash(source_line * 7919)")
        con.execute("DELETE FROM labs")
        con.execute("INSERT INTO labs SELECT * FROM shuffled")
    adam = derive_all(con, StudyConfig())
    path = adam.labs.move_into(tmp_path / f"{name}.parquet")
    con.close()
    return pq.read_table(path)


@pytest.fixture(scope="module")
def whole(registry, tmp_path_factory):
    """ADLB in one part (the default part size is far above this registry's lab rows)."""
    return _adlb(registry, tmp_path_factory.mktemp("whole"), "whole")


@pytest.mark.parametrize("case", ["many_parts", "shuffled", "one_range_per_part"])
def test_adlb_does_not_depend_on_parts(registry, whole, tmp_path, monkeypatch, case):
    monkeypatch.setattr(relational_labs, "ADLB_PART_ROWS", 1_000)   # about 40 parts
    if case == "one_range_per_part":
        monkeypatch.setattr(relational_labs, "MAX_ROW_RANGES", 1)
    parts = _adlb(registry, tmp_path, case, shuffle=case != "many_parts")
    assert whole.num_rows > 10_000
    assert parts.schema.equals(whole.schema)
    assert parts.equals(whole)


@pytest.mark.parametrize("unknown_test", [False, True])
def test_parts_equal_one_duckdb_copy(registry, tmp_path, monkeypatch, unknown_test):
    """The parts' text built from integer codes (derive/relational/adlb_parts.py), or read as
    text when a lab row has a test code outside the format (an unvalidated database), gives the
    file DuckDB's own COPY writes of every row sorted at once: same values, row order and
    schema as read (DuckDB's writer names its root and integer annotations its own way)."""
    monkeypatch.setattr(relational_labs, "ADLB_PART_ROWS", 1_000)
    con, report = load_registry(registry)
    assert con is not None, report
    if unknown_test:   # 'zinc' sorts after every code of the format
        con.execute("INSERT INTO labs SELECT * REPLACE ('zinc' AS test) FROM labs WHERE test = 'albumin' LIMIT 50")
    adam = derive_all(con, StudyConfig())
    ours = adam.labs.move_into(tmp_path / "parts.parquet")
    rows = relational_labs.adlb_rows_sql(sort_keys=True)
    copy = tmp_path / "copy.parquet"
    con.execute(f"COPY ({relational_labs.adlb_file_sql(f'({rows}) AS rows', 'urank, prank, date, source_line')}) "
                f"TO '{copy}' (FORMAT parquet)")
    con.close()
    a, b = pq.read_table(ours), pq.read_table(copy)
    assert a.num_rows > 10_000
    assert (a["PARAMCD"].to_numpy(zero_copy_only=False) == "zinc").sum() == (50 if unknown_test else 0)
    assert set(a["ABLFL"].to_pylist()) == {"Y", "N"} and a["USUBJID"][0].as_py() == "S01-00001"
    assert a.schema.equals(b.schema)
    assert a.equals(b)


def test_lab_summary_by_parts_equals_one_pass(registry, monkeypatch):
    """DuckDB summarises the lab rows per patient and test (lab_summary.py prrt_lab_pt) part by
    part from the ADLB parts as written; the grade tables, shift and defaulted counts and what
    ADSL and ADTTE take from them equal those of the one pass over prrt_lab that the other
    engines run."""
    monkeypatch.setattr(relational_labs, "ADLB_PART_ROWS", 1_000)   # about 40 parts

    def derived():
        con, report = load_registry(registry)
        assert con is not None, report
        adam = derive_all(con, StudyConfig())
        con.close()
        return adam

    calls = []
    part_statement = lab_summary.part_statement
    monkeypatch.setattr(lab_summary, "part_statement",
                        lambda rows, first: calls.append(first) or part_statement(rows, first))
    by_parts = derived()
    assert len(calls) > 20 and calls[0] and not any(calls[1:])   # summarised part by part
    write_adlb = relational_labs.write_adlb
    monkeypatch.setattr(relational_labs, "write_adlb",
                        lambda engine, path, window_days, summarise=None: write_adlb(engine, path, window_days))
    one_pass = derived()
    a, b = by_parts.labs, one_pass.labs
    for name in ("worst", "te", "te_late", "baseline"):
        assert getattr(a, name).equals(getattr(b, name)), name
    assert (a.worst >= 3).to_numpy().sum() > 0 and a.te_late.notna().to_numpy().sum() > 1_000
    assert a.shift == b.shift and a.defaulted == b.defaulted
    assert by_parts.worst_grades == one_pass.worst_grades
    assert by_parts.adsl.equals(one_pass.adsl) and by_parts.adtte.equals(one_pass.adtte)
    assert (by_parts.adtte["PARAMCD"] == "HEM3TE").sum() > 0
