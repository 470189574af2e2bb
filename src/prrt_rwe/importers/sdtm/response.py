"""RS -> assessments (shared/spec/importers.md, "CDISC SDTM").

The RECIST 1.1 overall responses: RSTESTCD = OVRLRESP of the evaluator (RSEVAL, investigator by
default; rows with an RSCAT other than RECIST 1.1 are left out). RSSTRESC CR, PR, SD,
NON-CR/NON-PD, PD, NE -> the format-v1 codes (:data:`RESPONSES`); another value is I013.
Records without a result (RSSTAT NOT DONE) are left out and counted. The baseline scan is the
subject's last TR or TU date on or before RFXSTDTC (tumors.py), added as an assessment without a
response unless RS holds that date already.
"""

from __future__ import annotations

import re
from collections import Counter

from prrt_rwe.importers.registry_output import RegistryRows
from prrt_rwe.importers.sdtm.context import SdtmContext
from prrt_rwe.importers.sdtm.datasets import Dataset

OVERALL = "OVRLRESP"
RESPONSES = {"CR": "CR", "PR": "PR", "SD": "SD", "NON-CR/NON-PD": "NON_CR_NON_PD",
             "NON CR/NON PD": "NON_CR_NON_PD", "NON-CR/NON PD": "NON_CR_NON_PD", "PD": "PD", "NE": "NE",
             "NOT EVALUABLE": "NE"}
RECIST = re.compile(r"(?i)recist\s*1\.1")
COLUMNS = {"date": "RSDTC", "overall_response": "RSSTRESC"}
RS_USED = ("STUDYID", "DOMAIN", "USUBJID", "RSSEQ", "RSTESTCD", "RSSTRESC", "RSEVAL", "RSDTC", "RSCAT",
           "RSSTAT")


def _overall_rows(ctx: SdtmContext, rs: Dataset) -> list[int]:
    tests = [t.upper() for t in rs.col("RSTESTCD")]
    for value, n in sorted(Counter(t for t in tests if t != OVERALL).items()):
        ctx.report.not_mapped("RS.RSTESTCD", value, "not the overall response OVRLRESP", rows=n)
    return [i for i in ctx.evaluated(rs, "RSEVAL") if tests[i] == OVERALL]


def read_assessments(ctx: SdtmContext, rs: Dataset | None, rows: RegistryRows,
                     baseline: dict[str, tuple[str, Dataset, int]]) -> None:
    dates: set[tuple[str, str]] = set()
    if rs is not None:
        for i in _overall_rows(ctx, rs):
            category, result = rs.value("RSCAT", i), rs.value("RSSTRESC", i)
            if category and not RECIST.search(category):
                ctx.report.not_mapped("RS.RSCAT", category, "not RECIST 1.1")
                continue
            if not result:
                ctx.report.not_mapped("RS.RSSTRESC", "(empty)", "no result (RSSTAT)")
                continue
            code = RESPONSES.get(re.sub(r"\s+", " ", result.upper()))
            if code is None:
                ctx.problem(rs, i, "RSSTRESC", "I013", f"overall response '{result}' is not one of "
                            "CR, PR, SD, NON-CR/NON-PD, PD, NE")
                continue
            subject = ctx.subject(rs, i)
            date = ctx.date(rs, i, "RSDTC")
            if subject is None or not date:
                continue
            dates.add((subject.patient, date))
            rows.add("assessments", {"site_id": subject.site, "patient_id": subject.patient, "date": date,
                                     "overall_response": code}, ctx.source(rs, i, COLUMNS))
        ctx.unused(rs, RS_USED)
    for patient, (date, ds, i) in sorted(baseline.items()):
        if (patient, date) in dates:
            continue
        subject = ctx.subjects[patient]
        rows.add("assessments", {"site_id": subject.site, "patient_id": patient, "date": date,
                                 "overall_response": ""}, ctx.source(ds, i, {"date": f"{ds.domain}DTC"}))
