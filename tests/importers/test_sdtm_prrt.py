"""A PRRT study in SDTM (tests/importers/sdtm_fixture_writer.py), as SAS XPT and as Dataset-JSON
v1.1: both give the same format-v1 files, with the values worked out below by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sdtm_fixture_writer import S1, S2, S3, S4, write_json, write_xpt

from prrt_rwe.importers.sdtm.convert import import_sdtm
from prrt_rwe.ingest.validation import check_parts

TABLES = ("patients", "cycles", "assessments", "lesions", "labs", "adverse_events")


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("sdtm")
    out = {}
    for kind, writer in (("xpt", write_xpt), ("json", write_json)):
        result = import_sdtm(writer(tmp / kind), tmp / f"registry_{kind}", impute_partial_dates="first")
        out[kind] = result
    return out


def _rows(result, table: str) -> list[dict[str, str]]:
    with (result.out / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_xpt_and_dataset_json_give_the_same_registry(imported):
    for table in TABLES:
        xpt = (imported["xpt"].out / f"{table}.csv").read_bytes()
        assert xpt == (imported["json"].out / f"{table}.csv").read_bytes(), table


@pytest.mark.parametrize("kind", ["xpt", "json"])
def test_patients_from_dm_and_suppdm(imported, kind):
    patients = {p["patient_id"]: p for p in _rows(imported[kind], "patients")}
    assert list(patients) == [S1, S2, S3, S4]
    p1, p2 = patients[S1], patients[S2]
    assert (p1["site_id"], p1["sex"], p1["age"]) == ("101", "M", "64")
    assert (p1["primary_site"], p1["ki67_percent"], p1["krenning_score"]) == ("pancreas", "4", "4")
    assert (p1["liver_metastases"], p1["bone_metastases"], p1["ssa_concomitant"]) == ("Y", "N", "Y")
    assert p1["last_contact_date"] == "2022-09-30" and p1["death_date"] == ""
    assert p2["death_date"] == "2022-07-01"  # DTHDTC 2022-07, first day of the month
    assert p2["ki67_percent"] == "12.5" and patients[S3]["liver_tumor_burden_percent"] == ""


def test_cycles_in_gbq_from_gbq_mbq_and_mci(imported):
    cycles = [(c["patient_id"], c["cycle"], c["date"], c["agent"], c["activity_gbq"])
              for c in _rows(imported["xpt"], "cycles")]
    assert cycles == [
        (S1, "1", "2021-03-01", "lu177_dotatate", "7.4"),   # EXSTDTC 2021-03-01T10:30: the date
        (S1, "2", "2021-04-26", "lu177_dotatate", "7.4"),   # EX records out of date order
        (S1, "3", "2021-06-28", "lu177_dotatate", "7.4"),
        (S2, "1", "2021-04-12", "lu177_dotatate", "7.4"),   # 7400 MBq / 1000
        (S2, "2", "2021-06-07", "lu177_dotatate", "7.2"),   # 7200 MBq / 1000; OCTREOTIDE LAR left out
        (S3, "1", "2021-05-03", "lu177_dotatate", "7.4"),   # 200 mCi x 0.037 = 7.4
        (S3, "2", "2021-06-28", "lu177_dotatate", "5.55"),  # 150 mCi x 0.037 = 5.55
        (S4, "1", "2021-06-07", "lu177_dotatate", "7.4"),
    ]


def test_assessments_and_baseline_scans(imported):
    rows = [(a["patient_id"], a["date"], a["overall_response"]) for a in _rows(imported["xpt"], "assessments")]
    assert rows == [
        (S1, "2021-06-01", "PR"), (S1, "2021-08-30", "PR"),   # the independent assessor's SD left out
        (S2, "2021-07-12", "SD"), (S2, "2021-09-01", "PD"),   # RSDTC 2021-09 -> first day
        (S3, "2021-08-02", "NON_CR_NON_PD"), (S4, "2021-09-06", "NE"),  # NEWLPROG left out
        (S1, "2021-02-15", ""), (S2, "2021-03-30", ""),       # last TR date on or before RFXSTDTC
    ]


def test_lesions_from_tu_and_tr(imported):
    rows = [(r["patient_id"], r["date"], r["lesion_id"], r["role"], r["organ"], r["lymph_node"],
             r["diameter_mm"], r["status"]) for r in _rows(imported["xpt"], "lesions")]
    assert rows == [
        (S1, "2021-02-15", "NT01", "non_target", "bone", "no", "", "present"),
        (S1, "2021-02-15", "T01", "target", "liver", "no", "30", ""),
        (S1, "2021-02-15", "T02", "target", "lymph node", "yes", "18", ""),  # SAXIS 18, not LDIAM 25
        (S1, "2021-06-01", "NT01", "non_target", "bone", "no", "", "absent"),
        (S1, "2021-06-01", "T01", "target", "liver", "no", "20", ""),          # 2.0 cm
        (S1, "2021-06-01", "T02", "target", "lymph node", "yes", "9", ""),
        (S2, "2021-03-30", "T01", "target", "liver", "no", "45", ""),          # 4.5 cm; assessor's 44 left out
        (S2, "2021-07-12", "T01", "target", "liver", "no", "47", ""),
        (S2, "2021-09-13", "NEW01", "new", "lung", "no", "", "present"),       # TU only, on TUDTC
    ]


def test_labs_keep_their_units_and_validation_converts_them(imported):
    labs = [(r["test"], r["value"], r["unit"], r["lln"], r["uln"]) for r in _rows(imported["xpt"], "labs")]
    assert labs == [
        ("platelets", "210", "10^9/L", "150", "400"), ("hemoglobin", "12.5", "g/dL", "12", "16"),
        ("creatinine", "0.9", "mg/dL", "0.6", "1.2"), ("platelets", "62", "10^9/L", "150", "400"),
        ("hemoglobin", "118", "g/L", "120", "160"), ("creatinine", "74", "umol/L", "45", "84"),
        ("albumin", "3.8", "g/dL", "3.5", "5.2"),
        ("neutrophils", "3100", "/uL", "", ""),  # no LBSTRESN: LBORRES in LBORRESU; GLUC left out
    ]
    parts = []   # a registry this small is one part (validation.check_parts)
    check_parts(imported["xpt"].out, parts.append)
    canonical = parts[0]["labs"].values
    # registry-format-v1 factors: g/dL x10, creatinine mg/dL x88.42, /uL x0.001
    assert canonical["value"].round(6).tolist() == [210, 125, 79.578, 62, 118, 74, 38, 3.1]
    assert canonical["unit"].tolist() == ["10^9/L", "g/L", "umol/L", "10^9/L", "g/L", "umol/L", "g/L", "10^9/L"]


def test_adverse_events(imported):
    rows = [(r["patient_id"], r["term"], r["onset_date"], r["grade"], r["serious"])
            for r in _rows(imported["xpt"], "adverse_events")]
    assert rows == [(S1, "Platelet count decreased", "2021-03-29", "3", "no"),  # AEDECOD
                    (S2, "Nausea", "2021-05-01", "1", "no"),                    # AESTDTC 2021-05
                    (S3, "tiredness", "2021-05-10", "2", "yes")]                # no AEDECOD: AETERM


def test_import_report(imported):
    report = imported["xpt"].report.to_dict()
    assert report["rows_read"] == {"ae.xpt": 3, "dm.xpt": 4, "ex.xpt": 9, "lb.xpt": 9, "rs.xpt": 8,
                                   "suppdm.xpt": 36, "tr.xpt": 10, "tu.xpt": 5}
    assert report["rows_written"] == {"patients": 4, "cycles": 8, "assessments": 8, "lesions": 9,
                                      "labs": 8, "adverse_events": 3}
    assert report["notes"] == ["partial dates imputed to the first day of the month (or year), "
                               "--impute-partial-dates first: AE.AESTDTC 1, DM.DTHDTC 1, RS.RSDTC 1"]
    assert {(v["source"], v["value"]) for v in report["values_not_mapped"]} == {
        ("EX.EXTRT", "OCTREOTIDE LAR"), ("LB.LBTESTCD", "GLUC"), ("RS.RSEVAL", "INDEPENDENT ASSESSOR"),
        ("RS.RSTESTCD", "NEWLPROG"), ("TR.TREVAL", "INDEPENDENT ASSESSOR")}
    assert "SUPPDM.QNAM=COMPLT16" in report["fields_not_used"] and "DM.ARM" in report["fields_not_used"]
    assert report["options"]["impute_partial_dates"] == "first"
    assert check_parts(imported["xpt"].out).issues == ()
