"""Bad REDCap input: clear errors at the export's line, record, instance and field; nothing written.

The exports are examples/minimal written by tests/importers/redcap_project_writer.py, then
spoiled one cell or row at a time.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from redcap_project_writer import network_project, template_project, write_export
from typer.testing import CliRunner

from prrt_rwe.cli import app
from prrt_rwe.importers.problems import ImportFailed
from prrt_rwe.importers.redcap.convert import import_redcap

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal"


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("redcap")
    project = template_project()
    return (write_export(MINIMAL, tmp / "export.csv", project, site_field_every=1),
            project.write_dictionary(tmp / "data_dictionary.csv"))


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _spoil(source: Path, target: Path, edit) -> Path:
    header, *data = _rows(source)
    edit(header, data)
    with target.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *(r for r in data if r is not None)])
    return target


def _instance(rows: list[list[str]], record: str, form: str, instance: str) -> list[str]:
    return next(r for r in rows if r[:3] == [record, form, instance])


def _line(path: Path, record: str, form: str, instance: str) -> int:
    return next(n for n, r in enumerate(_rows(path), start=1) if r[:3] == [record, form, instance])


def _fail(export, dictionary, out, **kw) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_redcap(export, dictionary, out, **kw)
    assert not out.exists()
    assert not any(p.name.startswith(f".{out.name}") for p in out.parent.iterdir())
    return [p.format() for p in info.value.problems]


def test_export_of_another_project_does_not_match_the_dictionary(source, tmp_path):
    _, dictionary = source
    other = write_export(MINIMAL, tmp_path / "other.csv", network_project())
    lines = _fail(other, dictionary, tmp_path / "out")
    assert ("other.csv:1:study_no: I002 export column 5 'study_no' is not a field of "
            "data_dictionary.csv: the export and the data dictionary are not of the same project") in lines
    assert any(line.startswith("other.csv:1:met_site___1: I002 ") for line in lines)


def test_repeat_instance_without_its_parent_record(source, tmp_path):
    export, dictionary = source

    def drop_base_row(header, rows):
        base = next(i for i, r in enumerate(rows) if r[0] == "S01-2" and r[1] == "")
        rows[base] = None

    bad = _spoil(export, tmp_path / "orphan.csv", drop_base_row)
    lines = _fail(bad, dictionary, tmp_path / "out")
    first = _line(bad, "S01-2", "cycles", "1")
    assert lines[0] == (f"orphan.csv:{first}:record_id: I003 record 'S01-2', cycles instance 1: repeat "
                        "instance without its parent record (the export has no row of this record's "
                        "non-repeating forms)")
    assert all(" I003 record 'S01-2', " in line for line in lines)


def test_unknown_choice_code_names_line_record_and_field(source, tmp_path):
    export, dictionary = source
    header = _rows(export)[0]

    def bad_codes(header, rows):
        rows[0][header.index("sex")] = "X"
        _instance(rows, "S01-1", "cycles", "2")[header.index("cyc_agent")] = "lu177_psma"

    bad = _spoil(export, tmp_path / "codes.csv", bad_codes)
    lines = _fail(bad, dictionary, tmp_path / "out")
    line_of_cycle_2 = _line(bad, "S01-1", "cycles", "2")
    assert lines == [
        "codes.csv:2:sex: I004 record 'S01-1': unknown code 'X' for sex (choices: M (Male), F (Female))",
        f"codes.csv:{line_of_cycle_2}:cyc_agent: I004 record 'S01-1', cycles instance 2: unknown code "
        "'lu177_psma' for cyc_agent (choices: lu177_dotatate (177Lu-DOTATATE), lu177_dotatoc "
        "(177Lu-DOTATOC), lu177_edotreotide (177Lu-edotreotide), other (Other))",
    ]
    assert "cyc_agent" in header


def test_dates_in_another_format_than_told(source, tmp_path):
    _, dictionary = source
    dmy = write_export(MINIMAL, tmp_path / "dmy.csv", template_project(), date_format="dmy", site_field_every=1)
    lines = _fail(dmy, dictionary, tmp_path / "out")  # read as ymd, the default
    assert lines[0] == ("dmy.csv:2:diagnosis_date: I005 record 'S01-1': cannot read '10/03/2019' as a date "
                        "in the export's format YYYY-MM-DD (--date-format ymd)")
    lines = _fail(dmy, dictionary, tmp_path / "out", date_format="mdy")  # 10/03 reads, 25/... does not
    assert all(" I005 " in line and "MM/DD/YYYY" in line for line in lines)


def test_validation_errors_are_reported_at_the_export_row(source, tmp_path):
    export, dictionary = source

    def impossible(header, rows):
        rows[0][header.index("age")] = "150"
        _instance(rows, "S01-1", "labs", "2")[header.index("lab_unit")] = "mg/L"

    bad = _spoil(export, tmp_path / "values.csv", impossible)
    lines = _fail(bad, dictionary, tmp_path / "out")
    lab_line = _line(bad, "S01-1", "labs", "2")
    assert lines == [
        "values.csv:2:age: E005 record 'S01-1': value '150' outside the allowed range 18–110 "
        "(format-v1 patients.csv, column age)",
        f"values.csv:{lab_line}:lab_unit: E007 record 'S01-1', labs instance 2: unknown unit 'mg/L' for "
        "test 'hemoglobin' (format-v1 labs.csv, column unit)",
    ]


def test_failed_import_leaves_an_earlier_import_untouched(source, tmp_path):
    export, dictionary = source
    out = tmp_path / "registry"
    import_redcap(export, dictionary, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = _spoil(export, tmp_path / "bad.csv", lambda h, rows: rows[0].__setitem__(h.index("sex"), "X"))
    with pytest.raises(ImportFailed):
        import_redcap(bad, dictionary, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_cli_exit_codes_and_output(source, tmp_path):
    export, dictionary = source
    runner = CliRunner()
    tpl = runner.invoke(app, ["redcap-template", "--out", str(tmp_path / "tpl")])
    assert tpl.exit_code == 0 and (tmp_path / "tpl" / "data_dictionary.csv").is_file()
    ok = runner.invoke(app, ["import", "redcap", "--records", str(export), "--dictionary", str(dictionary),
                             "--out", str(tmp_path / "reg")])
    assert ok.exit_code == 0, ok.output
    assert "W104 record 'S01-7': model covariate 'ki67_percent' missing" in ok.output
    assert "imported into" in ok.output and "patients 20" in ok.output
    other = tmp_path / "not-an-import"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    refused = runner.invoke(app, ["import", "redcap", "--records", str(export), "--dictionary",
                                  str(dictionary), "--out", str(other)])
    assert refused.exit_code == 2 and (other / "notes.txt").read_text() == "keep me"
    usage = runner.invoke(app, ["import", "redcap", "--records", str(export), "--dictionary",
                                str(dictionary), "--out", str(tmp_path / "x"), "--date-format", "iso"])
    assert usage.exit_code == 2
    bad = _spoil(export, tmp_path / "bad.csv", lambda h, rows: rows[0].__setitem__(h.index("sex"), "X"))
    failed = runner.invoke(app, ["import", "redcap", "--records", str(bad), "--dictionary", str(dictionary),
                                 "--out", str(tmp_path / "y")])
    assert failed.exit_code == 1
    assert "bad.csv:2:sex: I004 record 'S01-1': unknown code 'X'" in failed.output
    assert "Traceback" not in failed.output and not (tmp_path / "y").exists()


def test_mapping_file_errors_name_the_key(source, tmp_path):
    export, dictionary = source
    mapping = tmp_path / "map.toml"
    mapping.write_text('date_fromat = "dmy"\n[forms]\ncycle = "prrt_cycle"\n[fields.cycles]\n'
                       'date = "cycle_date"\nactivity = "activity"\n', encoding="utf-8")
    lines = _fail(export, dictionary, tmp_path / "out", mapping=mapping)
    assert lines == [
        "map.toml:1:date_fromat: I006 unknown key 'date_fromat' (known: date_format, site, forms, fields, "
        "codes, events)",
        "map.toml:3:forms.cycle: I006 unknown format-v1 table 'cycle' (one of patients, cycles, "
        "assessments, lesions, labs, adverse_events, hormonal_symptoms)",
        "map.toml:6:fields.cycles.activity: I006 'activity' is not a column of cycles that REDCap fills",
    ]
    mapping.write_text('[fields.cycles]\ndate = "cycle_date"\n', encoding="utf-8")
    assert _fail(export, dictionary, tmp_path / "out", mapping=mapping) == [
        "map.toml:1:fields.cycles.date: I006 field 'cycle_date' (for cycles.date) is not in data_dictionary.csv"]
