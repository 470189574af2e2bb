"""REDCap round trip: examples/minimal collected in REDCap, exported, imported, analysed.

Three exports of the same registry (tests/importers/redcap_project_writer.py): our template as
a raw export with YYYY-MM-DD dates; a network's own project (other form and field names, coded
primary site, metastases as a checkbox, site from the data access group) exported with
DD/MM/YYYY dates and read through a mapping file; our template as a labels export with
MM/DD/YYYY dates, half its records without the site_id field (the data access group gives the
site). Each import must give back the registry's files cell for cell, and `analyze` on it a
results.json byte-identical to the original's.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from redcap_project_writer import network_mapping_text, network_project, template_project, write_export

from prrt_rwe.importers.redcap.convert import import_redcap
from prrt_rwe.study import analyze

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal"
TABLES = ("patients", "cycles", "assessments", "lesions", "labs", "adverse_events", "hormonal_symptoms")

EXPORTS = {
    "template_raw_ymd": dict(project=template_project, date_format="ymd", labels=False,
                             site_field_every=1, mapping=False),
    "network_raw_dmy": dict(project=network_project, date_format="dmy", labels=False,
                            site_field_every=1, mapping=True),
    "template_labels_mdy": dict(project=template_project, date_format="mdy", labels=True,
                                site_field_every=2, mapping=False),
}


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("original")
    analyze(MINIMAL, out)
    return out / "results.json"


def _cells(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module", params=sorted(EXPORTS))
def imported(request, tmp_path_factory):
    spec = EXPORTS[request.param]
    tmp = tmp_path_factory.mktemp(request.param)
    project = spec["project"]()
    dictionary = project.write_dictionary(tmp / "data_dictionary.csv")
    export = write_export(MINIMAL, tmp / "export.csv", project, date_format=spec["date_format"],
                          labels=spec["labels"], site_field_every=spec["site_field_every"])
    mapping = None
    if spec["mapping"]:
        mapping = tmp / "map.toml"
        mapping.write_text(network_mapping_text(), encoding="utf-8")
    result = import_redcap(export, dictionary, tmp / "registry", mapping=mapping,
                           date_format=None if spec["mapping"] else spec["date_format"],
                           labels=spec["labels"])
    return request.param, export, result


def test_export_looks_like_redcap(imported):
    name, export, _ = imported
    header = export.read_text(encoding="utf-8").splitlines()[0].split(",")
    if name == "template_labels_mdy":
        assert header[:4] == ["Record ID", "Repeat Instrument", "Repeat Instance", "Data Access Group"]
        assert "Complete?" in header
    else:
        assert header[:4] == ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance",
                              "redcap_data_access_group"]
    if name == "network_raw_dmy":
        assert {"met_site___1", "met_site___2", "met_site___3", "prior_ssa"} <= set(header)
        assert "liver_metastases" not in header and "site_id" not in header


def test_import_gives_back_every_cell(imported):
    _, _, result = imported
    for table in TABLES:
        original = _cells(MINIMAL / f"{table}.csv")
        back = _cells(result.out / f"{table}.csv")
        assert len(back) == len(original), table
        for row_in, row_out in zip(original, back):
            assert {k: row_out.get(k, "") for k in row_in} == row_in, table


def test_import_report_counts_rows(imported):
    _, _, result = imported
    report = result.report.to_dict()
    assert report["rows_written"]["patients"] == 20
    assert report["rows_written"]["labs"] == len(_cells(MINIMAL / "labs.csv"))
    assert report["fields_not_used"] == []
    assert (result.out / "import_report.json").is_file()


def test_analyze_gives_identical_results_json(imported, original, tmp_path):
    _, _, result = imported
    analyze(result.out, tmp_path / "out")
    assert (tmp_path / "out" / "results.json").read_bytes() == original.read_bytes()
