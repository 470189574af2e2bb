"""EX -> cycles (shared/spec/importers.md, "CDISC SDTM").

One cycle per EXSTDTC of the PRRT product (EXTRT matching ``--treatment``, default
:data:`DEFAULT_TREATMENT`), numbered 1, 2, ... by date; two administrations on one date are
I007. Activity EXDOSE in EXDOSU: GBq, MBq (/ 1000) or mCi (x 0.037, 1 mCi = 37 MBq); any other
unit is I010, never a guess. The agent code comes from EXTRT (:data:`AGENTS`), else ``other``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from prrt_rwe.importers.registry_output import RegistryRows
from prrt_rwe.importers.sdtm.context import SdtmContext
from prrt_rwe.importers.sdtm.datasets import Dataset
from prrt_rwe.ingest.parse import NUMBER_RE

DEFAULT_TREATMENT = r"(?i)177lu|lutetium|lutathera"
GBQ_PER_UNIT = {"gbq": 1.0, "mbq": 0.001, "mci": 0.037}
AGENTS = ((r"(?i)edotreotide", "lu177_edotreotide"), (r"(?i)dotatoc", "lu177_dotatoc"),
          (r"(?i)dotatate|lutathera|oxodotreotide", "lu177_dotatate"))
COLUMNS = {"cycle": "EXSTDTC", "date": "EXSTDTC", "agent": "EXTRT", "activity_gbq": "EXDOSE"}
EX_USED = ("STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXDOSU", "EXSTDTC")


def number_text(x: float) -> str:
    """A converted number written with 10 significant digits (200 mCi -> 7.4, not 7.3999...)."""
    return f"{x:.10g}"


@lru_cache(maxsize=256)
def _agent(extrt: str) -> str:
    return next((code for pattern, code in AGENTS if re.search(pattern, extrt)), "other")


def _activity(ctx: SdtmContext, ex: Dataset, i: int) -> str:
    dose, unit = ex.value("EXDOSE", i), ex.value("EXDOSU", i)
    if not dose:
        return ""
    factor = GBQ_PER_UNIT.get(unit.strip().lower())
    if factor is None:
        ctx.problem(ex, i, "EXDOSU", "I010", f"activity unit '{unit}' is not GBq, MBq or mCi")
        return ""
    if not re.fullmatch(NUMBER_RE, dose):
        return dose  # validation reports it as unreadable
    return number_text(float(dose) * factor)


def read_cycles(ctx: SdtmContext, ex: Dataset, rows: RegistryRows, treatment: str) -> None:
    pattern = re.compile(treatment)
    found: dict[str, list[tuple[str, int, dict[str, str]]]] = {}
    for i, extrt in enumerate(ex.col("EXTRT")):
        if not pattern.search(extrt):
            ctx.report.not_mapped("EX.EXTRT", extrt, "not the PRRT product (--treatment)")
            continue
        subject = ctx.subject(ex, i)
        date = ctx.date(ex, i, "EXSTDTC")
        if subject is None or not date:
            if subject is not None and not ex.value("EXSTDTC", i):
                ctx.problem(ex, i, "EXSTDTC", "I005", "PRRT administration without EXSTDTC")
            continue
        cells = {"site_id": subject.site, "patient_id": subject.patient, "date": date,
                 "agent": _agent(extrt), "activity_gbq": _activity(ctx, ex, i)}
        found.setdefault(subject.patient, []).append((date, i, cells))
    for items in found.values():
        items.sort(key=lambda item: (item[0], item[1]))
        for n, (date, i, cells) in enumerate(items, start=1):
            if n > 1 and items[n - 2][0] == date:
                ctx.problem(ex, i, "EXSTDTC", "I007", f"second PRRT administration on {date}")
                continue
            rows.add("cycles", {**cells, "cycle": str(n)}, ctx.source(ex, i, COLUMNS))
    ctx.unused(ex, EX_USED)


def first_cycle_dates(rows: RegistryRows) -> dict[str, str]:
    """patient -> date of cycle 1 (the reference when DM lacks RFXSTDTC)."""
    return {c["patient_id"]: c["date"] for c in rows.rows.get("cycles", ()) if c["cycle"] == "1"}
