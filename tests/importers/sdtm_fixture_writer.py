"""Test helper: a small PRRT study in CDISC SDTM, written as SAS XPT (pyreadstat) and as
CDISC Dataset-JSON v1.1.

Four subjects at two sites. EX doses in GBq, MBq and mCi (with a non-PRRT SSA row), LB in SI
and conventional units (haemoglobin g/dL and g/L, creatinine mg/dL and umol/L, albumin g/dL,
one result only in LBORRES), partial dates (DTHDTC, RSDTC, AESTDTC), TR diameters in mm and cm
and a node's short axis, a new lesion in TU only, and the covariates SDTM lacks in SUPPDM.
The values the importer must produce are worked out next to each assertion in
tests/importers/test_sdtm_prrt.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyreadstat

STUDY = "PRRT01"
S1, S2, S3, S4 = "PRRT01-101-001", "PRRT01-101-002", "PRRT01-102-001", "PRRT01-102-002"


def _frame(domain: str, rows: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    if "DOMAIN" not in frame.columns and not domain.startswith("SUPP"):
        frame.insert(0, "DOMAIN", domain)
    frame.insert(0, "STUDYID", STUDY)
    return frame


DOMAINS = {
    "DM": _frame("DM", [
        (S1, "001", "101", 64, "YEARS", "M", "2021-03-01", "", "177LU-DOTATATE"),
        (S2, "002", "101", 58, "YEARS", "F", "2021-04-12", "2022-07", "177LU-DOTATATE"),
        (S3, "001", "102", 71, "YEARS", "F", "2021-05-03", "", "177LU-DOTATATE"),
        (S4, "002", "102", 49, "YEARS", "M", "2021-06-07", "", "177LU-DOTATATE"),
    ], ("USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RFXSTDTC", "DTHDTC", "ARM")),
    "SUPPDM": _frame("SUPPDM", [
        ("DM", subj, q, v) for subj, values in {
            S1: (("primary_site", "pancreas"), ("ki67_percent", "4"), ("krenning_score", "4"),
                 ("liver_metastases", "Y"), ("liver_tumor_burden_percent", "20"),
                 ("largest_liver_lesion_mm", "28"), ("bone_metastases", "N"), ("prior_lines", "1"),
                 ("ssa_concomitant", "Y"), ("last_contact_date", "2022-09-30"), ("COMPLT16", "Y")),
            S2: (("primary_site", "small_intestine"), ("ki67_percent", "12.5"), ("krenning_score", "3"),
                 ("liver_metastases", "Y"), ("liver_tumor_burden_percent", "60"),
                 ("largest_liver_lesion_mm", "45"), ("bone_metastases", "Y"), ("prior_lines", "2"),
                 ("ssa_concomitant", "N")),
            S3: (("primary_site", "rectum"), ("ki67_percent", "2"), ("krenning_score", "4"),
                 ("liver_metastases", "N"), ("bone_metastases", "N"), ("prior_lines", "0"),
                 ("ssa_concomitant", "Y"), ("last_contact_date", "2022-11-15")),
            S4: (("primary_site", "lung"), ("ki67_percent", "8"), ("krenning_score", "4"),
                 ("liver_metastases", "N"), ("bone_metastases", "Y"), ("prior_lines", "1"),
                 ("ssa_concomitant", "N"), ("last_contact_date", "2022-12-01")),
        }.items() for q, v in values
    ], ("RDOMAIN", "USUBJID", "QNAM", "QVAL")),
    "EX": _frame("EX", [
        (S1, 1, "LUTETIUM (177LU) OXODOTREOTIDE", 7.4, "GBq", "2021-03-01T10:30"),
        (S1, 3, "LUTETIUM (177LU) OXODOTREOTIDE", 7.4, "GBq", "2021-06-28"),
        (S1, 2, "LUTETIUM (177LU) OXODOTREOTIDE", 7.4, "GBq", "2021-04-26"),
        (S2, 1, "LUTATHERA", 7400, "MBq", "2021-04-12"),
        (S2, 2, "LUTATHERA", 7200, "MBq", "2021-06-07"),
        (S2, 3, "OCTREOTIDE LAR", 30, "mg", "2021-04-12"),
        (S3, 1, "177LU-DOTATATE", 200, "mCi", "2021-05-03"),
        (S3, 2, "177LU-DOTATATE", 150, "mCi", "2021-06-28"),
        (S4, 1, "177LU-DOTATATE", 7.4, "GBq", "2021-06-07"),
    ], ("USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXDOSU", "EXSTDTC")),
    "RS": _frame("RS", [
        (S1, 1, "OVRLRESP", "PR", "INVESTIGATOR", "2021-06-01"),
        (S1, 2, "OVRLRESP", "PR", "INVESTIGATOR", "2021-08-30"),
        (S1, 3, "OVRLRESP", "SD", "INDEPENDENT ASSESSOR", "2021-08-30"),
        (S2, 1, "OVRLRESP", "SD", "INVESTIGATOR", "2021-07-12"),
        (S2, 2, "OVRLRESP", "PD", "INVESTIGATOR", "2021-09"),
        (S3, 1, "OVRLRESP", "NON-CR/NON-PD", "INVESTIGATOR", "2021-08-02"),
        (S4, 1, "OVRLRESP", "NE", "INVESTIGATOR", "2021-09-06"),
        (S4, 2, "NEWLPROG", "N", "INVESTIGATOR", "2021-09-06"),
    ], ("USUBJID", "RSSEQ", "RSTESTCD", "RSSTRESC", "RSEVAL", "RSDTC")),
    "TU": _frame("TU", [
        (S1, 1, "T01", "TARGET", "LIVER", "INVESTIGATOR", ""),
        (S1, 2, "T02", "TARGET", "LYMPH NODE", "INVESTIGATOR", ""),
        (S1, 3, "NT01", "NON-TARGET", "BONE", "INVESTIGATOR", ""),
        (S2, 1, "T01", "TARGET", "LIVER", "INVESTIGATOR", ""),
        (S2, 2, "NEW01", "NEW", "LUNG", "INVESTIGATOR", "2021-09-13"),
    ], ("USUBJID", "TUSEQ", "TULNKID", "TUSTRESC", "TULOC", "TUEVAL", "TUDTC")),
    "TR": _frame("TR", [
        (S1, 1, "T01", "TARGET", "LDIAM", "30", 30.0, "mm", "INVESTIGATOR", "2021-02-15"),
        (S1, 2, "T02", "TARGET", "LDIAM", "25", 25.0, "mm", "INVESTIGATOR", "2021-02-15"),
        (S1, 3, "T02", "TARGET", "SAXIS", "18", 18.0, "mm", "INVESTIGATOR", "2021-02-15"),
        (S1, 4, "NT01", "NON-TARGET", "TUMSTATE", "PRESENT", None, "", "INVESTIGATOR", "2021-02-15"),
        (S1, 5, "T01", "TARGET", "LDIAM", "2.0", 2.0, "cm", "INVESTIGATOR", "2021-06-01"),
        (S1, 6, "T02", "TARGET", "SAXIS", "9", 9.0, "mm", "INVESTIGATOR", "2021-06-01"),
        (S1, 7, "NT01", "NON-TARGET", "TUMSTATE", "ABSENT", None, "", "INVESTIGATOR", "2021-06-01"),
        (S2, 1, "T01", "TARGET", "LDIAM", "4.5", 4.5, "cm", "INVESTIGATOR", "2021-03-30"),
        (S2, 2, "T01", "TARGET", "LDIAM", "44", 44.0, "mm", "INDEPENDENT ASSESSOR", "2021-03-30"),
        (S2, 3, "T01", "TARGET", "LDIAM", "47", 47.0, "mm", "INVESTIGATOR", "2021-07-12"),
    ], ("USUBJID", "TRSEQ", "TRLNKID", "TRGRPID", "TRTESTCD", "TRSTRESC", "TRSTRESN", "TRSTRESU",
        "TREVAL", "TRDTC")),
    "LB": _frame("LB", [
        (S1, 1, "PLAT", "210", 210.0, "10^9/L", 150.0, 400.0, "", "", "2021-02-22"),
        (S1, 2, "HGB", "12.5", 12.5, "g/dL", 12.0, 16.0, "", "", "2021-02-22"),
        (S1, 3, "CREAT", "0.9", 0.9, "mg/dL", 0.6, 1.2, "", "", "2021-02-22"),
        (S1, 4, "PLAT", "62", 62.0, "10^9/L", 150.0, 400.0, "", "", "2021-03-29"),
        (S2, 1, "HGB", "118", 118.0, "g/L", 120.0, 160.0, "", "", "2021-04-05"),
        (S2, 2, "CREAT", "74", 74.0, "umol/L", 45.0, 84.0, "", "", "2021-04-05"),
        (S2, 3, "ALB", "3.8", 3.8, "g/dL", 3.5, 5.2, "", "", "2021-04-05"),
        (S2, 4, "GLUC", "5.2", 5.2, "mmol/L", 3.9, 5.6, "", "", "2021-04-05"),
        (S3, 1, "NEUT", "", None, "", None, None, "3100", "/uL", "2021-05-24"),
    ], ("USUBJID", "LBSEQ", "LBTESTCD", "LBSTRESC", "LBSTRESN", "LBSTRESU", "LBSTNRLO", "LBSTNRHI",
        "LBORRES", "LBORRESU", "LBDTC")),
    "AE": _frame("AE", [
        (S1, 1, "LOW PLATELETS", "Platelet count decreased", "2021-03-29", "3", "N"),
        (S2, 1, "NAUSEA", "Nausea", "2021-05", "1", "N"),
        (S3, 1, "tiredness", "", "2021-05-10", "GRADE 2", "Y"),
    ], ("USUBJID", "AESEQ", "AETERM", "AEDECOD", "AESTDTC", "AETOXGR", "AESER")),
}


def write_xpt(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for domain, frame in DOMAINS.items():
        pyreadstat.write_xport(frame, str(folder / f"{domain.lower()}.xpt"), table_name=domain,
                               file_format_version=5)
    return folder


def _json_value(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def dataset_json(domain: str, frame: pd.DataFrame) -> dict:
    """One dataset in CDISC Dataset-JSON v1.1 (top-level metadata, columns, rows)."""
    types = {"int64": "integer", "float64": "double"}
    return {
        "datasetJSONCreationDateTime": "2024-01-01T00:00:00",
        "datasetJSONVersion": "1.1.0",
        "fileOID": f"prrt-rwe.tests/{domain}",
        "originator": "prrt-rwe tests",
        "sourceSystem": {"name": "tests", "version": "1"},
        "studyOID": STUDY,
        "metaDataVersionOID": "MDV.1",
        "itemGroupOID": f"IG.{domain}",
        "isReferenceData": False,
        "records": len(frame),
        "name": domain,
        "label": domain,
        "columns": [{"itemOID": f"IT.{domain}.{c}", "name": c, "label": c,
                     "dataType": types.get(str(frame[c].dtype), "string")} for c in frame.columns],
        "rows": [[_json_value(v) for v in row] for row in frame.itertuples(index=False)],
    }


def write_json(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for domain, frame in DOMAINS.items():
        (folder / f"{domain.lower()}.json").write_text(json.dumps(dataset_json(domain, frame), indent=1),
                                                       encoding="utf-8")
    return folder
