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
