"""LB -> labs (shared/spec/importers.md, "CDISC SDTM").

LBTESTCD (:data:`TESTS`) -> the format-v1 test; the standardized result LBSTRESN in LBSTRESU
with the range LBSTNRLO/LBSTNRHI (else, when no standardized result exists, LBORRES in LBORRESU
with LBORNRLO/LBORNRHI). Units pass unchanged: the usual validation converts SI and
conventional units (g/dL, mg/dL, /uL ...) and refuses unknown ones. Other tests and records
without a result are left out and counted.
"""

from __future__ import annotations

from prrt_rwe.importers.registry_output import RegistryRows
from prrt_rwe.importers.sdtm.context import SdtmContext
from prrt_rwe.importers.sdtm.datasets import Dataset

TESTS = {"PLAT": "platelets", "NEUT": "neutrophils", "WBC": "wbc", "LYM": "lymphocytes",
         "HGB": "hemoglobin", "CREAT": "creatinine", "BILI": "bilirubin", "ALT": "alt", "AST": "ast",
         "ALB": "albumin"}
STANDARD = ("LBSTRESN", "LBSTRESU", "LBSTNRLO", "LBSTNRHI")
ORIGINAL = ("LBORRES", "LBORRESU", "LBORNRLO", "LBORNRHI")
LB_USED = ("STUDYID", "DOMAIN", "USUBJID", "LBSEQ", "LBTESTCD", "LBDTC", *STANDARD, *ORIGINAL)
_COLUMNS = {names: dict(zip(("value", "unit", "lln", "uln"), names), date="LBDTC", test="LBTESTCD")
            for names in (STANDARD, ORIGINAL)}


def read_labs(ctx: SdtmContext, lb: Dataset, rows: RegistryRows) -> None:
    standard, original = [[lb.col(v) for v in names] for names in (STANDARD, ORIGINAL)]
    for i, code in enumerate(lb.col("LBTESTCD")):
        test = TESTS.get(code.upper())
        if test is None:
            ctx.report.not_mapped("LB.LBTESTCD", code.upper(), "not a format-v1 laboratory test")
            continue
        names, cols = (STANDARD, standard) if standard[0][i] else (ORIGINAL, original)
        value, unit, low, high = (c[i] for c in cols)
        if not value:
            ctx.report.not_mapped("LB.LBSTRESN", "(empty)", "no result")
            continue
        subject = ctx.subject(lb, i)
        date = ctx.date(lb, i, "LBDTC")
        if subject is None or not date:
            continue
        rows.add("labs", {"site_id": subject.site, "patient_id": subject.patient, "date": date, "test": test,
                          "value": value, "unit": unit, "lln": low, "uln": high},
                 ctx.source(lb, i, _COLUMNS[names]))
    ctx.unused(lb, LB_USED)
