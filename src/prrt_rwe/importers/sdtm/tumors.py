"""TU and TR -> lesions, and the baseline scan dates (shared/spec/importers.md, "CDISC SDTM").

TU identifies each lesion (TULNKID): role from TUSTRESC (TARGET, NON-TARGET, NEW), organ TULOC,
a lymph node when TULOC names one. TR measures it per date (TRDTC): LDIAM (TRSTRESN in
TRSTRESU mm or cm) -> diameter_mm (for a node its short axis SAXIS when recorded, RECIST 1.1
section 3.2), TUMSTATE (PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION) -> status. One lesions row
per subject, lesion and date. Only the evaluator's records (TUEVAL, TREVAL) are read. The
baseline scan of a subject is its last TR or TU date (TRDTC, TUDTC) on or before the reference
date (RFXSTDTC).
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


def _identities(ctx: SdtmContext, tu: Dataset | None) -> dict[tuple[str, str], dict[str, str]]:
    """(USUBJID, TULNKID) -> role, organ, lymph_node (and the TU date of a new lesion)."""
    out = {}
    if tu is None:
        return out
    keep = ctx.evaluated(tu, "TUEVAL")
    for rec in tu.frame.index[keep]:
        role = ROLES.get(tu.frame.at[rec, "TUSTRESC"].upper())
        if role is None:
            ctx.problem(tu, rec, "TUSTRESC", "I013", f"lesion role '{tu.frame.at[rec, 'TUSTRESC']}' "
                        "is not TARGET, NON-TARGET or NEW")
            continue
        organ = tu.frame.at[rec, "TULOC"] if tu.has("TULOC") else ""
        key = (tu.frame.at[rec, "USUBJID"], tu.frame.at[rec, "TULNKID"])
        out[key] = {"role": role, "organ": organ.lower(),
                    "lymph_node": "yes" if "LYMPH NODE" in organ.upper() else "no",
                    "date": ctx.date(tu, rec, "TUDTC") if tu.has("TUDTC") else "", "rec": rec}
    ctx.report.fields_not_used.update(f"TU.{v}" for v in tu.frame.columns if v not in TU_USED)
    return out


def _measure(ctx: SdtmContext, tr: Dataset, rec: int) -> str:
    value, unit = tr.frame.at[rec, "TRSTRESN"] if tr.has("TRSTRESN") else "", tr.column("TRSTRESU")[rec]
    if value == "":
        return ""
    factor = MM_PER_UNIT.get(unit.strip().lower(), None if unit else 1.0)
    if factor is None:
        ctx.problem(tr, rec, "TRSTRESU", "I010", f"diameter unit '{unit}' is not mm or cm")
        return ""
    return number_text(float(value) * factor)


def _measurements(ctx: SdtmContext, tr: Dataset, identity: dict) -> dict[tuple[str, str, str], dict]:
    """(USUBJID, date, TRLNKID) -> one lesions row from the evaluator's TR records."""
    found: dict[tuple[str, str, str], dict] = {}
    for rec in tr.frame.index[ctx.evaluated(tr, "TREVAL")]:
        test = tr.frame.at[rec, "TRTESTCD"].upper()
        if test not in MEASURES:
            ctx.report.not_mapped("TR.TRTESTCD", test, "not LDIAM, SAXIS or TUMSTATE")
            continue
        subject = ctx.subject(tr, rec)
        date = ctx.date(tr, rec, "TRDTC")
        if subject is None or not date:
            continue
        lnkid = tr.frame.at[rec, "TRLNKID"]
        who = identity.get((subject.patient, lnkid))
        if who is None:
            role = ROLES.get(tr.column("TRGRPID")[rec].upper())
            if role is None:
                ctx.problem(tr, rec, "TRLNKID", "I013", f"lesion '{lnkid}' is not identified in TU")
                continue
            who = {"role": role, "organ": "", "lymph_node": ""}
        row = found.setdefault((subject.patient, date, lnkid), {
            "site_id": subject.site, "patient_id": subject.patient, "date": date, "lesion_id": lnkid,
            "role": who["role"], "organ": who["organ"], "lymph_node": who["lymph_node"],
            "diameter_mm": "", "status": "", "_source": (tr, int(rec)), "saxis": False})
        if test == "TUMSTATE":
            state = STATES.get(tr.frame.at[rec, "TRSTRESC"].upper())
            if state is None:
                ctx.problem(tr, rec, "TRSTRESC", "I013", f"lesion state '{tr.frame.at[rec, 'TRSTRESC']}' "
                            "is not PRESENT, ABSENT or UNEQUIVOCAL PROGRESSION")
            row["status"] = state or ""
        elif test == "SAXIS" and who["lymph_node"] == "yes":
            row["diameter_mm"], row["saxis"] = _measure(ctx, tr, rec), True
        elif test == "LDIAM" and not row["saxis"]:
            row["diameter_mm"] = _measure(ctx, tr, rec)
    ctx.report.fields_not_used.update(f"TR.{v}" for v in tr.frame.columns if v not in TR_USED)
    return found


def read_lesions(ctx: SdtmContext, tu: Dataset | None, tr: Dataset | None, rows: RegistryRows
                 ) -> dict[str, tuple[str, Dataset, int]]:
    """Lesions rows; returns USUBJID -> (baseline date, dataset, record) for subjects with one."""
    identity = _identities(ctx, tu)
    found = _measurements(ctx, tr, identity) if tr is not None else {}
    _new_lesions_without_measure(ctx, tu, identity, found)
    scans = []
    for key in sorted(found):
        row = found[key]
        ds, rec = row.pop("_source")
        row.pop("saxis")
        rows.add("lesions", row, ctx.source(ds, rec, COLUMNS))
        scans.append((row["patient_id"], row["date"], ds, rec))
    scans += [(pid, who["date"], tu, who["rec"]) for (pid, _), who in identity.items()
              if who["date"] and pid in ctx.subjects]
    baseline: dict[str, tuple[str, Dataset, int]] = {}
    for pid, date, ds, rec in sorted(scans, key=lambda s: (s[0], s[1])):
        ref = ctx.subjects[pid].reference
        if ref and date <= ref and (pid not in baseline or date > baseline[pid][0]):
            baseline[pid] = (date, ds, int(rec))
    return baseline


def _new_lesions_without_measure(ctx: SdtmContext, tu: Dataset | None, identity: dict, found: dict) -> None:
    """A new lesion recorded in TU only: one row on its TUDTC, status present."""
    measured = {(p, lnk) for p, _, lnk in found}
    for (usubjid, lnkid), who in identity.items():
        if who["role"] != "new" or (usubjid, lnkid) in measured or usubjid not in ctx.subjects:
            continue
        if not who["date"]:
            ctx.problem(tu, who["rec"], "TUDTC", "I005", f"new lesion '{lnkid}' without a date "
                        "(no TUDTC and no TR record)")
            continue
        subject = ctx.subjects[usubjid]
        found[(usubjid, who["date"], lnkid)] = {
            "site_id": subject.site, "patient_id": usubjid, "date": who["date"], "lesion_id": lnkid,
            "role": "new", "organ": who["organ"], "lymph_node": who["lymph_node"], "diameter_mm": "",
            "status": "present", "_source": (tu, int(who["rec"])), "saxis": False}
