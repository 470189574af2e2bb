"""Generated arrays -> registry format v1 columns (Arrow string arrays, schema names).

Column names come from prrt_rwe.schema.registry_v1; every table is keyed by site and
patient, rows sorted by site, patient, then date (patients are numbered in site order).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from prrt_rwe.schema.registry_v1 import PRIMARY_SITES, RESPONSES
from prrt_rwe.synth import writer as w
from prrt_rwe.synth.adverse_events import TERMS
from prrt_rwe.synth.baseline import GRADES
from prrt_rwe.synth.hormonal import RESPONSES as HORMONAL_RESPONSES
from prrt_rwe.synth.hormonal import SYNDROMES
from prrt_rwe.synth.labs import TESTS, UNIT_LABELS
from prrt_rwe.synth.lesions import LESION_IDS, ORGANS, ROLES, STATUSES
from prrt_rwe.synth.sites import MODALITIES, Sites

Columns = dict[str, pa.Array]


def sites_table(sites: Sites) -> Columns:
    idx = np.arange(sites.count)
    return {"site_id": w.codes(idx, sites.ids), "name": w.codes(idx, sites.names),
            "country": w.text(["JP"] * sites.count)}


def _ids(sites: Sites, site: np.ndarray, number: np.ndarray, rows: np.ndarray) -> Columns:
    width = max(5, len(str(int(sites.sizes.max()))))
    pid = pc.utf8_lpad(pc.cast(pa.array(number[rows]), pa.string()), width, "0")
    return {"site_id": w.codes(site[rows], sites.ids), "patient_id": pid}


def patients_table(sites, sim) -> Columns:
    b, fu = sim["baseline"], sim["followup"]
    n = b.n
    rows = np.arange(n)
    miss = b.missing
    c1 = b.c1.astype(float)
    return {
        **_ids(sites, sim["site"], sim["number"], rows),
        "sex": w.codes(np.where(b.male, 0, 1), ("M", "F")),
        "age": w.integer(b.age),
        "primary_site": w.codes(b.primary_site, PRIMARY_SITES),
        "who_grade": w.codes(b.grade, GRADES, miss["who_grade"]),
        "ki67_percent": w.fixed(b.ki67, 1, miss["ki67_percent"]),
        "krenning_score": w.integer(b.krenning, miss["krenning_score"]),
        "functioning": w.yesno(b.functioning, miss["functioning"] & ~b.functioning),
        "ecog": w.integer(b.ecog, miss["ecog"]),
        "liver_metastases": w.yesno(b.liver_mets),
        "liver_tumor_burden_percent": w.fixed(b.liver_burden, 0, miss["liver_tumor_burden_percent"]),
        "largest_liver_lesion_mm": w.fixed(b.liver_lesion, 0, miss["largest_liver_lesion_mm"]),
        "bone_metastases": w.yesno(b.bone_mets, miss["bone_metastases"]),
        "prior_lines": w.integer(b.prior_lines, miss["prior_lines"]),
        "prior_ssa": w.yesno(b.prior_ssa),
        "ssa_concomitant": w.yesno(b.ssa, miss["ssa_concomitant"]),
        "diagnosis_date": w.dates(b.diagnosis.astype(float), miss["diagnosis_date"]),
        "next_therapy_date": w.dates(c1 + fu.next_therapy_day),
        "last_contact_date": w.dates(c1 + sim["last_contact"]),
        "death_date": w.dates(c1 + fu.death_day),
    }


def cycles_table(sites, sim) -> Columns:
    tx, b = sim["treatment"], sim["baseline"]
    p, k = np.nonzero(~np.isnan(tx.day))
    return {
        **_ids(sites, sim["site"], sim["number"], p),
        "cycle": w.integer(k + 1),
        "date": w.dates(b.c1[p] + tx.day[p, k]),
        "agent": w.codes(np.zeros(len(p), int), ("lu177_dotatate",)),
        "activity_gbq": w.fixed(tx.activity[p, k], 2),
    }


def assessments_table(sites, sim) -> Columns:
    s, b = sim["series"], sim["baseline"]
    n = b.n
    day = np.column_stack([s.baseline_day, s.day])
    code = np.column_stack([np.full(n, -1), s.code])
    present = np.column_stack([np.ones(n, bool), s.code >= 0])
    sums = np.column_stack([np.where(s.measurable, np.nansum(s.targets, axis=1), np.nan), s.sums])
    new = np.column_stack([np.zeros(n, bool), s.new_lesion])
    ne = code == RESPONSES.index("NE")
    new_missing = ne | (np.arange(day.shape[1])[None, :] == 0)
    p, k = np.nonzero(present)
    modality = sites.modality[sim["site"][p]]
    return {
        **_ids(sites, sim["site"], sim["number"], p),
        "date": w.dates(b.c1[p] + day[p, k]),
        "overall_response": w.codes(code[p, k], RESPONSES),
        "sum_diameters_mm": w.fixed(sums[p, k], 1),
        "new_lesions": w.yesno(new[p, k], new_missing[p, k]),
        "modality": w.codes(modality, MODALITIES),
    }


def lesions_table(sites, sim) -> Columns:
    les, b = sim["lesions"], sim["baseline"]
    p = les.patient
    return {
        **_ids(sites, sim["site"], sim["number"], p),
        "date": w.dates(b.c1[p] + les.day),
        "lesion_id": w.codes(les.lesion_id, LESION_IDS),
        "role": w.codes(les.role, ROLES),
        "organ": w.codes(les.organ, ORGANS),
        "lymph_node": w.yesno(les.lymph_node),
        "diameter_mm": w.fixed(les.diameter, 1),
        "status": w.codes(les.status, STATUSES),
    }


def labs_table(sites, sim) -> Columns:
    labs, b = sim["labs"], sim["baseline"]
    p = labs.patient
    return {
        **_ids(sites, sim["site"], sim["number"], p),
        "date": w.dates(b.c1[p] + labs.day),
        "test": w.codes(labs.test, TESTS),
        "value": w.fixed(labs.value, labs.decimals),
        "unit": w.codes(labs.unit, UNIT_LABELS),
        **_reference_ranges(labs, sim["site"][p], b.male[p]),
    }


def _reference_ranges(labs, site, male) -> Columns:
    """lln/uln depend only on (site, test, sex): format each distinct range once."""
    key = (site * len(TESTS) + labs.test) * 2 + male
    size = int(key.max()) + 1 if len(key) else 0
    range_dec = np.where(labs.decimals < 2, labs.decimals + 1, labs.decimals)
    out = {}
    for name, values in (("lln", labs.lln), ("uln", labs.uln)):
        table = np.full(size, np.nan)
        dec = np.zeros(size, np.int64)
        table[key], dec[key] = values, range_dec
        labels = tuple(x or "" for x in w.fixed(table, dec).to_pylist())
        out[name] = w.codes(key, labels, np.isnan(values))
    return out


def adverse_events_table(sites, sim) -> Columns:
    ae, b = sim["aes"], sim["baseline"]
    p = ae.patient
    v4 = sites.ctcae4[sim["site"][p]]
    return {
        **_ids(sites, sim["site"], sim["number"], p),
        "term": w.codes(ae.term, TERMS),
        "onset_date": w.dates(b.c1[p] + ae.day),
        "grade": w.integer(ae.grade),
        "ctcae_version": w.codes(np.where(v4, 0, 1), ("4.03", "5.0")),
        "serious": w.yesno(ae.serious),
    }


def hormonal_table(sites, sim) -> Columns:
    h = sim["hormonal"]
    return {
        **_ids(sites, sim["site"], sim["number"], h.patient),
        "syndrome": w.codes(h.syndrome, SYNDROMES),
        "response": w.codes(h.response, HORMONAL_RESPONSES),
    }


def chunk_tables(sites: Sites, sim) -> dict[str, Columns]:
    return {
        "patients": patients_table(sites, sim),
        "cycles": cycles_table(sites, sim),
        "assessments": assessments_table(sites, sim),
        "lesions": lesions_table(sites, sim),
        "labs": labs_table(sites, sim),
        "adverse_events": adverse_events_table(sites, sim),
        "hormonal_symptoms": hormonal_table(sites, sim),
    }
