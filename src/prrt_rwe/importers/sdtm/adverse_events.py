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
GRADE_WORD = re.compile(r"(?i)^grade\s*")


def read_adverse_events(ctx: SdtmContext, ae: Dataset, rows: RegistryRows) -> None:
    for i, (decod, term, grade, serious) in enumerate(zip(ae.col("AEDECOD"), ae.col("AETERM"),
                                                          ae.col("AETOXGR"), ae.col("AESER"))):
        subject = ctx.subject(ae, i)
        onset = ctx.date(ae, i, "AESTDTC")
        if subject is None or (ae.value("AESTDTC", i) and not onset):
            continue
        rows.add("adverse_events", {
            "site_id": subject.site, "patient_id": subject.patient, "term": decod or term,
            "onset_date": onset, "grade": GRADE_WORD.sub("", grade),
            "serious": SERIOUS.get(serious.upper(), serious)},
            ctx.source(ae, i, {"term": "AEDECOD" if decod else "AETERM", "onset_date": "AESTDTC",
                               "grade": "AETOXGR", "serious": "AESER"}))
    ctx.unused(ae, AE_USED)
