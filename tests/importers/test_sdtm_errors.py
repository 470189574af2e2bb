"""Bad SDTM input: clear errors at dataset, record number and variable; nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import sdtm_fixture_writer as fixture
from typer.testing import CliRunner

from prrt_rwe.cli import app
from prrt_rwe.importers.problems import ImportFailed
from prrt_rwe.importers.sdtm.convert import import_sdtm


def _study(tmp_path: Path, **changes) -> Path:
    """The fixture study as XPT, with ``changes``: domain -> function(frame) -> frame (None drops it)."""
    folder = tmp_path / "sdtm"
    folder.mkdir()
    for domain, frame in fixture.DOMAINS.items():
        frame = changes[domain](frame.copy()) if domain in changes else frame
        if frame is not None:
            pyreadstat.write_xport(frame, str(folder / f"{domain.lower()}.xpt"), table_name=domain,
                                   file_format_version=5)
    return folder


def _fail(folder: Path, out: Path, **kw) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_sdtm(folder, out, **kw)
    assert not out.exists()
    return [p.format() for p in info.value.problems]


def _set(row: int, column: str, value):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame
    return edit


def test_an_xpt_that_is_not_sdtm(tmp_path):
    adsl = pd.DataFrame({"STUDYID": ["PRRT01"], "USUBJID": [fixture.S1], "TRT01A": ["LU"], "AGE": [64.0]})
    folder = _study(tmp_path, DM=lambda f: adsl, RS=_set(0, "DOMAIN", "ADRS"))
    (folder / "lb.xpt").write_bytes(b"this is not a SAS transport file")
    lines = _fail(folder, tmp_path / "out", impute_partial_dates="first")
    assert lines[0] == "dm.xpt:1:DOMAIN: I008 not an SDTM DM dataset: variables DOMAIN, SITEID, SEX missing"
    assert lines[1].startswith("lb.xpt:1:: I001 cannot read as SAS XPT: ")
    assert lines[2] == "rs.xpt:1:DOMAIN: I008 not an SDTM RS dataset: DOMAIN is 'ADRS', not 'RS'"


def test_partial_dates_need_the_imputation_option(tmp_path):
    lines = _fail(_study(tmp_path), tmp_path / "out")
    assert lines == [
        f"ae.xpt:2:AESTDTC: I011 USUBJID '{fixture.S2}', AESEQ 1: partial date '2021-05' (give "
        "--impute-partial-dates first to take the first day of the month or year)",
        f"dm.xpt:2:DTHDTC: I011 USUBJID '{fixture.S2}': partial date '2022-07' (give "
        "--impute-partial-dates first to take the first day of the month or year)",
        f"rs.xpt:5:RSDTC: I011 USUBJID '{fixture.S2}', RSSEQ 2: partial date '2021-09' (give "
        "--impute-partial-dates first to take the first day of the month or year)",
    ]


def test_unknown_units_subjects_and_codes(tmp_path):
    folder = _study(tmp_path, EX=_set(3, "EXDOSU", "mg"), RS=_set(0, "USUBJID", "PRRT01-999-001"),
                    TU=_set(0, "TUSTRESC", "MEASURABLE"))
    lines = _fail(folder, tmp_path / "out", impute_partial_dates="first")
    assert lines == [
        f"ex.xpt:4:EXDOSU: I010 USUBJID '{fixture.S2}', EXSEQ 1: activity unit 'mg' is not GBq, MBq or mCi",
        "rs.xpt:1:USUBJID: I012 USUBJID 'PRRT01-999-001', RSSEQ 1: subject not in DM",
        f"tu.xpt:1:TUSTRESC: I013 USUBJID '{fixture.S1}', TUSEQ 1: lesion role 'MEASURABLE' is not "
        "TARGET, NON-TARGET or NEW",
    ]


def test_required_domain_missing(tmp_path):
    lines = _fail(_study(tmp_path, EX=lambda f: None), tmp_path / "out", impute_partial_dates="first")
    assert lines == ["ex.xpt:1:: I009 required domain EX missing from sdtm (ex.xpt or ex.json)"]


def test_validation_errors_are_reported_at_the_sdtm_record(tmp_path):
    folder = _study(tmp_path, DM=_set(2, "AGE", 15.0), LB=_set(1, "LBSTRESU", "mg/L"))
    lines = _fail(folder, tmp_path / "out", impute_partial_dates="first")
    assert lines == [
        f"dm.xpt:3:AGE: E005 USUBJID '{fixture.S3}': value '15' outside the allowed range 18–110 "
        "(format-v1 patients.csv, column age)",
        f"lb.xpt:2:LBSTRESU: E007 USUBJID '{fixture.S1}', LBSEQ 2: unknown unit 'mg/L' for test "
        "'hemoglobin' (format-v1 labs.csv, column unit)",
    ]


def test_cli(tmp_path):
    folder = _study(tmp_path)
    runner = CliRunner()
    failed = runner.invoke(app, ["import", "sdtm", str(folder), "--out", str(tmp_path / "a")])
    assert failed.exit_code == 1 and "I011" in failed.output and "nothing written" in failed.output
    assert not (tmp_path / "a").exists()
    usage = runner.invoke(app, ["import", "sdtm", str(folder), "--out", str(tmp_path / "a"),
                                "--impute-partial-dates", "last"])
    assert usage.exit_code == 2
    inside = runner.invoke(app, ["import", "sdtm", str(folder), "--out", str(folder / "registry"),
                                 "--impute-partial-dates", "first"])
    assert inside.exit_code == 2 and "inside the registry folder" in inside.output
    assert not (folder / "registry").exists()
    ok = runner.invoke(app, ["import", "sdtm", str(folder), "--out", str(tmp_path / "a"),
                             "--impute-partial-dates", "first"])
    assert ok.exit_code == 0, ok.output
    assert "patients 4" in ok.output and (tmp_path / "a" / "import_report.json").is_file()
    assert runner.invoke(app, ["validate", str(tmp_path / "a")]).exit_code == 0
