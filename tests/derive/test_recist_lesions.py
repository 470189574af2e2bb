"""Time-point response recomputed from lesions, and the discrepancy table.

Rules: derivations.md "Tumour response" (target CR incl. nodes < 10 mm; PR >= 30 % below
baseline sum; PD >= 20 % and >= 5 mm above the nadir incl. baseline, new lesion, unequivocal
non-target progression; NE if a target is unmeasured) and RECIST 1.1 Table 1 where silent.
"""

from __future__ import annotations

import pytest

from derive_builders import cohort, day, treated


def _les(pid, d, lid, role, diam=None, status="present", node=False):
    return {"patient_id": pid, "date": day(d), "lesion_id": lid, "role": role,
            "diameter_mm": diam, "status": status, "lymph_node": node}


# (patient, lesion rows, recorded responses by day, expected recomputed by day)
CASES = {
    # baseline T1 40 + node T2 20 = 60, non-target present
    "L": ([_les("L", -7, "T1", "target", 40.0), _les("L", -7, "T2", "target", 20.0, node=True),
           _les("L", -7, "N1", "non_target"),
           # day 56: 20 + 12 = 32 <= 0.7 x 60 = 42 -> PR
           _les("L", 56, "T1", "target", 20.0), _les("L", 56, "T2", "target", 12.0, node=True),
           _les("L", 56, "N1", "non_target"),
           # day 112: T1 absent, node 9 < 10 -> target CR; non-target present -> PR (Table 1)
           _les("L", 112, "T1", "target", status="absent"),
           _les("L", 112, "T2", "target", 9.0, node=True), _les("L", 112, "N1", "non_target"),
           # day 168: all gone incl. non-target -> CR
           _les("L", 168, "T1", "target", status="absent"),
           _les("L", 168, "T2", "target", 9.0, node=True),
           _les("L", 168, "N1", "non_target", status="absent")],
          {56: "PR", 112: "CR", 168: "CR"}, {56: "PR", 112: "PR", 168: "CR"}),
    # baseline 50; day 56: 40 (20 % below: SD, nadir 40); day 112: 48 = 1.2 x 40 and +8 mm -> PD
    "P": ([_les("P", -7, "T1", "target", 50.0), _les("P", 56, "T1", "target", 40.0),
           _les("P", 112, "T1", "target", 48.0)],
          {56: "SD", 112: "SD"}, {56: "SD", 112: "PD"}),
    # baseline 20 (nadir); day 56: 24 = +20 % but only +4 mm < 5 -> SD
    "Q": ([_les("Q", -7, "T1", "target", 20.0), _les("Q", 56, "T1", "target", 24.0)],
          {56: "PD"}, {56: "SD"}),
    # baseline 50; day 56: 35 = exactly 30 % below -> PR
    "R": ([_les("R", -7, "T1", "target", 50.0), _les("R", 56, "T1", "target", 35.0)],
          {56: "PR"}, {56: "PR"}),
    # decimal millimetres exactly on the limits: baseline 15.4, day 56: 20.4 = +5 mm and
    # +32.5 % -> PD (in binary 20.4 - 15.4 < 5); "V": baseline 33.3, 23.31 = -30 % -> PR
    # (in binary 10 x 23.31 > 7 x 33.3)
    "D": ([_les("D", -7, "T1", "target", 15.4), _les("D", 56, "T1", "target", 20.4)],
          {56: "PD"}, {56: "PD"}),
    "V": ([_les("V", -7, "T1", "target", 33.3), _les("V", 56, "T1", "target", 23.31)],
          {56: "PR"}, {56: "PR"}),
    # two targets; day 56: T2 not measured -> NE; day 84: T2 still missing but a new lesion -> PD
    "N": ([_les("N", -7, "T1", "target", 30.0), _les("N", -7, "T2", "target", 30.0),
           _les("N", 56, "T1", "target", 20.0),
           _les("N", 84, "T1", "target", 20.0), _les("N", 84, "X1", "new")],
          {56: "NE", 84: "PD"}, {56: "NE", 84: "PD"}),
    # unequivocal non-target progression with stable targets -> PD
    "U": ([_les("U", -7, "T1", "target", 30.0), _les("U", -7, "N1", "non_target"),
           _les("U", 56, "T1", "target", 30.0),
           _les("U", 56, "N1", "non_target", status="unequivocal_progression")],
          {56: "SD"}, {56: "PD"}),
}


@pytest.fixture(scope="module")
def adam():
    from prrt_rwe.derive import derive_all
    people = [treated(p) for p in CASES]
    lesions = [r for rows, _, _ in CASES.values() for r in rows]
    recorded = [{"patient_id": p, "date": day(d), "overall_response": r}
                for p, (_, rec, _) in CASES.items() for d, r in rec.items()]
    return derive_all(cohort(*people, assessments=recorded, lesions=lesions))


@pytest.mark.parametrize("pid", list(CASES))
def test_recomputed_time_point_response(adam, pid):
    ovr = adam.adrs[(adam.adrs["PARAMCD"] == "OVR") & (adam.adrs["SUBJID"] == pid)]
    assert dict(zip(ovr["ADY"].astype(int), ovr["AVALC_LESIONS"])) == CASES[pid][2]


def test_discrepancy_table(adam):
    d = adam.recist_discrepancies
    got = sorted(zip(d["SUBJID"], d["ADY"], d["AVALC"], d["AVALC_LESIONS"]))
    # every (recorded, recomputed) difference of CASES, by hand
    assert got == [("L", 112, "CR", "PR"), ("P", 112, "SD", "PD"), ("Q", 56, "PD", "SD"),
                   ("U", 56, "SD", "PD")]


def test_no_lesions_no_column():
    from prrt_rwe.derive import derive_all
    adam = derive_all(cohort(treated("1")))
    assert "AVALC_LESIONS" not in adam.adrs.columns
    assert len(adam.recist_discrepancies) == 0
