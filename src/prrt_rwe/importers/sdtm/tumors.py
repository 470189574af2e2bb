"""TU and TR -> lesions, and the baseline scan dates (shared/spec/importers.md, "CDISC SDTM").

TU identifies each lesion (TULNKID): role from TUSTRESC (TARGET, NON-TARGET, NEW), organ TULOC,
a lymph node when TULOC names one. TR measures it per date (TRDTC): LDIAM (TRSTRESN in
TRSTRESU mm or cm) -> diameter_mm (for a node its short axis SAXIS when recorded, RECIST 1.1
section 3.2), TUMSTATE (PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION) -> status. One lesions row
per subject, lesion and date; a new lesion in TU only gets one row on its TUDTC. Only the
evaluator's records (TUEVAL, TREVAL) are read. The baseline scan of a subject is its last TR or
TU date (TRDTC, TUDTC) on or before the reference date (RFXSTDTC).
"""

from __future__ import annotations

from prrt_rwe.importers.registry_output import RegistryRows
from prrt_rwe.importers.sdtm.context import SdtmContext
from prrt_rwe.importers.sdtm.datasets import Dataset
from prrt_rwe.importers.sdtm.exposure import number_text

ROLES = {"TARGET": "target", "NON-TARGET": "non_target", "NON TARGET": "non_target", "NEW": "new"}
STATES = {"PRESENT": "present", "ABSENT": "absent", "UNEQUIVOCAL PROGRESSION": "unequivocal_progression",
          "UNEQUIVOCAL": "unequivocal_progression"}
MM_PER_UNIT = {"mm": 1.0, "cm": 10.0}
MEASURES = ("LDIAM", "SAXIS", "TUMSTATE")
TU_USED = ("STUDYID", "DOMAIN", "USUBJID", "TULNKID", "TUSTRESC", "TULOC", "TUEVAL", "TUDTC", "TUSEQ",
           "TUTESTCD")
TR_USED = ("STUDYID", "DOMAIN", "USUBJID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRSTRESN", "TRSTRESU",
           "TRDTC", "TREVAL", "TRSEQ", "TRGRPID")
COLUMNS = {"date": "TRDTC", "lesion_id": "TRLNKID", "role": "TUSTRESC", "organ": "TULOC",
           "lymph_node": "TULOC", "diameter_mm": "TRSTRESN", "status": "TRSTRESC"}


def _identities(ctx: SdtmContext, tu: Dataset | None) -> dict[tuple[str, str], dict]:
    """(USUBJID, TULNKID) -> role, organ, lymph_node, TU date and record."""
    out = {}
    if tu is None:
        return out
    for i in ctx.evaluated(tu, "TUEVAL"):
        role = ROLES.get(tu.value("TUSTRESC", i).upper())
        if role is None:
            ctx.problem(tu, i, "TUSTRESC", "I013", f"lesion role '{tu.value('TUSTRESC', i)}' "
                        "is not TARGET, NON-TARGET or NEW")
            continue
        organ = tu.value("TULOC", i)
        out[(tu.value("USUBJID", i), tu.value("TULNKID", i))] = {
            "role": role, "organ": organ.lower(), "lymph_node": "yes" if "LYMPH NODE" in organ.upper() else "no",
            "date": ctx.date(tu, i, "TUDTC"), "i": i}
    ctx.unused(tu, TU_USED)
    return out


def _measure(ctx: SdtmContext, tr: Dataset, i: int) -> str:
    value, unit = tr.value("TRSTRESN", i), tr.value("TRSTRESU", i)
    if value == "":
        return ""
    factor = MM_PER_UNIT.get(unit.strip().lower(), None if unit else 1.0)
    if factor is None:
        ctx.problem(tr, i, "TRSTRESU", "I010", f"diameter unit '{unit}' is not mm or cm")
        return ""
    return number_text(float(value) * factor)


def _lesion_row(ctx: SdtmContext, tr: Dataset, i: int, date: str, identity: dict) -> dict | None:
    """A new lesions row for TR record ``i`` (its lesion's identity from TU, else TRGRPID)."""
    subject = ctx.subject(tr, i)
    if subject is None or not date:
        return None
    lnkid = tr.value("TRLNKID", i)
    who = identity.get((subject.patient, lnkid))
    if who is None:
        role = ROLES.get(tr.value("TRGRPID", i).upper())
        if role is None:
            ctx.problem(tr, i, "TRLNKID", "I013", f"lesion '{lnkid}' is not identified in TU")
            return None
        who = {"role": role, "organ": "", "lymph_node": ""}
    return {"site_id": subject.site, "patient_id": subject.patient, "date": date, "lesion_id": lnkid,
            "role": who["role"], "organ": who["organ"], "lymph_node": who["lymph_node"],
            "diameter_mm": "", "status": "", "_source": (tr, i), "_saxis": False}


def _measurements(ctx: SdtmContext, tr: Dataset, identity: dict) -> dict[tuple[str, str, str], dict]:
    """(USUBJID, date, TRLNKID) -> one lesions row from the evaluator's TR records."""
    found: dict[tuple[str, str, str], dict] = {}
    tests = tr.col("TRTESTCD")
    for i in ctx.evaluated(tr, "TREVAL"):
        test = tests[i].upper()
        if test not in MEASURES:
            ctx.report.not_mapped("TR.TRTESTCD", test, "not LDIAM, SAXIS or TUMSTATE")
            continue
        date = ctx.date(tr, i, "TRDTC")
        key = (tr.value("USUBJID", i), date, tr.value("TRLNKID", i))
        row = found.get(key) or _lesion_row(ctx, tr, i, date, identity)
        if row is None:
            continue
        found[key] = row
        if test == "TUMSTATE":
            state = STATES.get(tr.value("TRSTRESC", i).upper())
            if state is None:
                ctx.problem(tr, i, "TRSTRESC", "I013", f"lesion state '{tr.value('TRSTRESC', i)}' "
                            "is not PRESENT, ABSENT or UNEQUIVOCAL PROGRESSION")
            row["status"] = state or ""
        elif test == "SAXIS" and row["lymph_node"] == "yes":
            row["diameter_mm"], row["_saxis"] = _measure(ctx, tr, i), True
        elif test == "LDIAM" and not row["_saxis"]:
            row["diameter_mm"] = _measure(ctx, tr, i)
    ctx.unused(tr, TR_USED)
    return found


def _new_lesions_without_measure(ctx: SdtmContext, tu: Dataset | None, identity: dict, found: dict) -> None:
    """A new lesion recorded in TU only: one row on its TUDTC, status present."""
    measured = {(p, lnk) for p, _, lnk in found}
    for (usubjid, lnkid), who in identity.items():
        if who["role"] != "new" or (usubjid, lnkid) in measured or usubjid not in ctx.subjects:
            continue
        if not who["date"]:
            ctx.problem(tu, who["i"], "TUDTC", "I005", f"new lesion '{lnkid}' without a date "
                        "(no TUDTC and no TR record)")
            continue
        subject = ctx.subjects[usubjid]
        found[(usubjid, who["date"], lnkid)] = {
            "site_id": subject.site, "patient_id": usubjid, "date": who["date"], "lesion_id": lnkid,
            "role": "new", "organ": who["organ"], "lymph_node": who["lymph_node"], "diameter_mm": "",
            "status": "present", "_source": (tu, who["i"]), "_saxis": False}


def read_lesions(ctx: SdtmContext, tu: Dataset | None, tr: Dataset | None, rows: RegistryRows
                 ) -> dict[str, tuple[str, Dataset, int]]:
    """Lesions rows; returns USUBJID -> (baseline date, dataset, record position)."""
    identity = _identities(ctx, tu)
    found = _measurements(ctx, tr, identity) if tr is not None else {}
    _new_lesions_without_measure(ctx, tu, identity, found)
    scans = []
    for key in sorted(found):
        row = found[key]
        ds, i = row.pop("_source")
        row.pop("_saxis")
        rows.add("lesions", row, ctx.source(ds, i, COLUMNS))
        scans.append((row["patient_id"], row["date"], ds, i))
    scans += [(pid, who["date"], tu, who["i"]) for (pid, _), who in identity.items()
              if who["date"] and pid in ctx.subjects]
    baseline: dict[str, tuple[str, Dataset, int]] = {}
    for pid, date, ds, i in sorted(scans, key=lambda s: (s[0], s[1])):
        ref = ctx.subjects[pid].reference
        if ref and date <= ref and (pid not in baseline or date > baseline[pid][0]):
            baseline[pid] = (date, ds, i)
    return baseline
