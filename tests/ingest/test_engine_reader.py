"""Validation in parts of whole patients (ingest/engine_reader.py, issue 17): the findings of a
registry read in many parts are those of the same registry read as one part, byte for byte;
line numbers survive the parts; a key written with invisible characters falls in the part of
its patient."""

from __future__ import annotations

import pytest

from prrt_rwe.ingest import engine_reader
from prrt_rwe.ingest.load import ingest
from prrt_rwe.ingest.validation import validate
from prrt_rwe.synth.generator import generate


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("messy") / "registry"
    generate(folder, patients=150, sites=12, seed=5, messy=True)
    return folder


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(engine_reader, "ROWS_PER_PART", 2000)   # about 8 parts for 150 patients


def _with_cell(tmp_path, seed: int, table: str, row: int, column: str, value: str):
    """A generated registry (150 patients) whose ``table`` has ``value`` in ``column`` of line
    ``row`` + 1: (folder, the file, its lines, not yet written back)."""
    folder = tmp_path / "registry"
    generate(folder, patients=150, sites=12, seed=seed)
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    cells = lines[row].split(",")
    cells[head.index(column)] = value
    lines[row] = ",".join(cells)
    return folder, path, lines


def test_many_parts_give_the_one_part_findings(messy, monkeypatch):
    one = validate(messy)
    monkeypatch.setattr(engine_reader, "ROWS_PER_PART", 2000)
    many = validate(messy)
    assert len(one.issues) > 20 and {i.code for i in one.issues} >= {"E004", "E008", "E009", "E012"}
    assert many.to_dict() == one.to_dict()


def test_bad_date_on_the_last_lab_line_named_and_nothing_ingested(messy, tmp_path, small_parts):
    folder, labs, lines = _with_cell(tmp_path, 5, "labs", -1, "date", "2021-02-30")
    labs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "r.duckdb"
    result = ingest(folder, db)
    errors = [i.format() for i in result.validation.errors]
    assert errors == [f"labs.csv:{len(lines)}:date: E004 cannot read '2021-02-30' as a date (YYYY-MM-DD)"]
    assert not result.ok and not db.exists()


def test_invisible_characters_in_a_key_keep_the_patient_together(tmp_path, small_parts):
    folder = tmp_path / "registry"
    generate(folder, patients=150, sites=12, seed=6)
    labs = folder / "labs.csv"
    lines = labs.read_text(encoding="utf-8").splitlines()
    site, patient = lines[1].split(",")[:2]
    lines[1] = lines[1].replace(f"{site},{patient},", f"{site}\u200b,{patient} ,", 1)
    labs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(folder)
    assert [i.code for i in report.issues if i.file == "labs.csv" and i.line == 2] == ["W111"]
    assert not [i for i in report.issues if i.code == "E009"]   # not an orphan: its patient is found


def test_a_file_the_scan_finds_not_plain_is_read_as_before(tmp_path, small_parts):
    """A blank line inside labs.csv (pyarrow's reader would skip it): the scan says the lines
    are not one record each, so the file is read by csv_reader and every line keeps its number."""
    folder, labs, lines = _with_cell(tmp_path, 8, "labs", 10, "date", "2021-02-30")
    labs.write_text("\n".join(lines[:5] + [""] + lines[5:]) + "\n", encoding="utf-8")
    report = validate(folder)
    assert [i.format() for i in report.errors if i.file == "labs.csv"] == [
        "labs.csv:12:date: E004 cannot read '2021-02-30' as a date (YYYY-MM-DD)"]


def test_an_unpadded_file_gets_the_parts_of_trimmed_keys():
    """``_row_parts(trim=False)``, for a file whose scan saw no byte to trim, gives every row the
    part the trimmed key gives (and trimming does change the part of a padded key)."""
    import pyarrow as pa

    from prrt_rwe.ingest.database import connect

    con = connect(":memory:")
    try:
        sites = [f"S{i % 7:02d}" for i in range(500)]
        patients = [f"{i:05d}" for i in range(500)]
        batch = pa.RecordBatch.from_arrays([pa.array(sites), pa.array(patients)], names=["c0", "c1"])
        trimmed = engine_reader._row_parts(con, batch, (0, 1), 9, True)
        assert engine_reader._row_parts(con, batch, (0, 1), 9, True, trim=False).tolist() == trimmed.tolist()
        padded = pa.RecordBatch.from_arrays([pa.array([s + " " for s in sites]), pa.array(patients)],
                                            names=["c0", "c1"])
        assert engine_reader._row_parts(con, padded, (0, 1), 9, True).tolist() == trimmed.tolist()
        assert engine_reader._row_parts(con, padded, (0, 1), 9, True, trim=False).tolist() != trimmed.tolist()
    finally:
        con.close()


def test_non_ascii_cells_read_without_pyarrows_utf8_check_are_the_text(tmp_path, small_parts):
    """The Arrow path reads without pyarrow's UTF-8 check (the scan decoded the file): non-ASCII
    cells come out as written, in every part; a file that is not UTF-8 is E014 and not staged."""
    folder, events, lines = _with_cell(tmp_path, 9, "adverse_events", 3, "term", "Übelkeit – 恶心")
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "r.duckdb"
    assert ingest(folder, db).ok
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT term FROM adverse_events WHERE source_line = 4").fetchone()[0] == "Übelkeit – 恶心"
    finally:
        con.close()
    events.write_bytes(events.read_bytes().replace("Übelkeit".encode(), b"\xdcbelkeit"))
    report = validate(folder)
    assert [i.code for i in report.errors if i.file == "adverse_events.csv"] == ["E014"]
    assert "not UTF-8: byte 0xdc" in [i.message for i in report.errors if i.file == "adverse_events.csv"][0]


def test_batches_read_ahead_are_the_readers(tmp_path):
    """The Arrow path's batches, the next parsed on a worker thread (ingest/read_ahead.py, issue
    17), are those of pyarrow's reader in order; the reader's error is raised where it comes."""
    import itertools

    import pyarrow as pa
    import pyarrow.csv as pacsv

    from prrt_rwe.ingest.read_ahead import read_ahead

    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},x{i}\n" for i in range(20_000)), encoding="utf-8")

    def batches():
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 12))
        ahead = read_ahead(lambda _: engine_reader._next_batch(reader), itertools.count(), "t")
        return list(itertools.takewhile(lambda b: b is not None, ahead))

    expected = list(pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 12)))
    got = batches()
    assert len(expected) > 10 and len(got) == len(expected)
    assert pa.Table.from_batches(got).equals(pa.Table.from_batches(expected))
    with path.open("a", encoding="utf-8") as f:
        f.write("1,2,3\n")   # a ragged last row
    with pytest.raises(pa.ArrowInvalid):
        batches()
