"""AE -> adverse_events (shared/spec/importers.md, "CDISC SDTM").

term = AEDECOD (the MedDRA preferred term, which CTCAE v5.0 terms are), else AETERM; onset =
AESTDTC; grade = AETOXGR (a leading "GRADE" dropped); serious = AESER Y/N.
"""

from __future__ import annotations

import re

from prrt_rwe.importers.registry_output import RegistryRows
from prrt_rwe.importers.sdtm.context import SdtmContext
from prrt_rwe.importers.sdtm.datasets import Dataset

SERIOUS = {"Y": "yes", "N": "no"}
AE_USED = ("STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AETERM", "AEDECOD", "AESTDTC", "AETOXGR", "AESER")


def read_adverse_events(ctx: SdtmContext, ae: Dataset, rows: RegistryRows) -> None:
    for rec in ae.frame.index:
        subject = ctx.subject(ae, rec)
        onset = ctx.date(ae, rec, "AESTDTC")
        if subject is None or (ae.frame.at[rec, "AESTDTC"] and not onset):
            continue
        decod = ae.column("AEDECOD")[rec]
        serious = ae.column("AESER")[rec].upper()
        grade = re.sub(r"(?i)^grade\s*", "", ae.column("AETOXGR")[rec])
        rows.add("adverse_events", {
            "site_id": subject.site, "patient_id": subject.patient, "term": decod or ae.frame.at[rec, "AETERM"],
            "onset_date": onset, "grade": grade, "serious": SERIOUS.get(serious, serious)},
            ctx.source(ae, rec, {"term": "AEDECOD" if decod else "AETERM", "onset_date": "AESTDTC",
                                 "grade": "AETOXGR", "serious": "AESER"}))
    ctx.report.fields_not_used.update(f"AE.{v}" for v in ae.frame.columns if v not in AE_USED)
