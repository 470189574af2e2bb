"""A ten-patient, three-site registry small enough to check every headline number by hand.

Every date is C1 (2024-01-10, the same for all) plus a day offset, so the study days in the
expected values below can be read straight off these tables. The expected numbers are
worked out in tests/e2e/test_analyze_hand_registry.py, next to each assertion.

Patients (site-patient): A1 A2 A3 A4 | B1 B2 B3 | C1 C2 C3
  C3 has no cycle            -> excluded "no PRRT cycle"
  B3 has no baseline scan    -> excluded "no baseline assessment"
  C2 has no Ki-67            -> excluded "missing covariate"
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

C1 = date(2024, 1, 10)


def day(offset: int) -> str:
    return (C1 + timedelta(days=offset)).isoformat()


PATIENT_COLUMNS = ("site_id", "patient_id", "sex", "age", "primary_site", "who_grade", "ki67_percent",
                   "krenning_score", "functioning", "ecog", "liver_metastases",
                   "liver_tumor_burden_percent", "largest_liver_lesion_mm", "prior_lines",
                   "ssa_concomitant", "next_therapy_date", "last_contact_date", "death_date")

# site, id, sex, age, primary, who, ki67, krenning, functioning, liver mets, burden %, lesion mm,
# SSA, next therapy day, last contact day, death day
PATIENTS = (
    ("A", "1", "F", 60, "pancreas", "G2", 5, 4, "yes", "no", "", "", "yes", None, 500, None),
    ("A", "2", "M", 70, "small_intestine", "G1", 2, 3, "no", "yes", 20, 25, "no", None, 450, None),
    ("A", "3", "F", 55, "colon", "G2", 12, 4, "no", "yes", 60, 40, "yes", None, 420, None),
    ("A", "4", "F", 66, "pancreas", "G2", 8, 4, "no", "no", "", "", "no", None, 480, None),
    ("B", "1", "M", 58, "rectum", "G3", 25, 3, "no", "yes", 30, 35, "yes", None, 200, 200),
    ("B", "2", "M", 72, "lung", "NEC", 30, 4, "yes", "yes", 10, 20, "no", None, 100, 100),
    ("B", "3", "F", 62, "pancreas", "G1", 3, 4, "yes", "no", "", "", "yes", None, 300, None),
    ("C", "1", "F", 64, "stomach", "G2", 15, 4, "yes", "no", "", "", "yes", 150, 460, None),
    ("C", "2", "M", 68, "pancreas", "G2", "", 4, "no", "no", "", "", "no", None, 410, None),
    ("C", "3", "F", 50, "cecum", "G1", 4, 3, "yes", "no", "", "", "no", None, 300, None),
)

# site, id, cycle days (7.4 GBq each)
CYCLES = (
    ("A", "1", (0, 56, 112, 168)), ("A", "2", (0, 56)), ("A", "3", (0, 56, 112, 168)),
    ("A", "4", (0, 56, 112, 168)), ("B", "1", (0, 56)), ("B", "2", (0,)), ("B", "3", (0, 56, 112)),
    ("C", "1", (0, 56, 112)), ("C", "2", (0,)),
)

# site, id, ((day, recorded time-point response; "" = baseline scan), ...)
ASSESSMENTS = (
    ("A", "1", ((-5, ""), (91, "PR"), (182, "PR"), (274, "PD"))),
    ("A", "2", ((-21, ""), (91, "SD"), (182, "SD"), (366, "SD"))),
    ("A", "3", ((-2, ""), (51, "PR"), (65, "PR"), (143, "PD"))),
    ("A", "4", ((-7, ""), (90, "CR"), (180, "CR"), (400, "CR"))),
    ("B", "1", ((-10, ""), (60, "PD"))),
    ("B", "2", ((-4, ""),)),
    ("B", "3", ((30, "SD"), (90, "PR"))),
    ("C", "1", ((-3, ""), (56, "PR"), (112, "PR"), (200, "PD"))),
    ("C", "2", ((-5, ""), (90, "SD"))),
)

# site, id, day, test, value, unit, lln, uln
LABS = (
    ("A", "1", -5, "platelets", 200, "10^9/L", 150, 400),
    ("A", "1", 30, "platelets", 40, "10^9/L", 150, 400),
    ("A", "1", 60, "platelets", 120, "10^9/L", 150, 400),
    ("A", "1", -5, "creatinine", 70, "umol/L", 45, 84),
    ("A", "1", 360, "creatinine", 110, "umol/L", 45, 84),
    ("A", "2", 30, "platelets", 80, "10^9/L", 150, 400),
    ("A", "2", -10, "creatinine", 80, "umol/L", 60, 104),
    ("A", "2", 380, "creatinine", 85, "umol/L", 60, 104),
    ("A", "3", 40, "neutrophils", 0.4, "10^9/L", 2.0, 7.5),
    ("A", "4", 30, "hemoglobin", 95, "g/L", 120, 160),
    ("B", "1", 30, "lymphocytes", 0.3, "10^9/L", 1.0, 4.0),
    ("B", "2", -3, "creatinine", 80, "umol/L", 60, 104),
    ("B", "2", 40, "creatinine", 260, "umol/L", 60, 104),
    ("B", "3", 20, "platelets", 20, "10^9/L", 150, 400),
    ("C", "1", 30, "wbc", 2.5, "10^9/L", 4.0, 10.0),
    ("C", "2", 10, "platelets", 160, "10^9/L", 150, 400),
    ("C", "2", 400, "platelets", 30, "10^9/L", 150, 400),
)

# site, id, term, onset day, grade
ADVERSE_EVENTS = (
    ("A", "1", "Platelet count decreased", 30, 3),
    ("A", "2", "anemia", 50, 2),
    ("A", "3", "Febrile neutropenia", 41, 3),
    ("B", "1", "Platelet count decreased", -2, 3),
    ("B", "2", "Acute kidney injury", 40, 3),
    ("C", "1", "Myelodysplastic syndrome", 300, 2),
)

# site, id, syndrome, response
HORMONAL = (
    ("A", "1", "carcinoid", "marked_improvement"),
    ("B", "2", "insulinoma", "improvement"),
    ("B", "3", "carcinoid", "no_change"),
    ("C", "1", "gastrinoma", "not_evaluable"),
    ("C", "3", "carcinoid", "marked_improvement"),
)


def _write(path: Path, header, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _opt_day(offset):
    return "" if offset is None else day(offset)


def write_registry(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "patients.csv", PATIENT_COLUMNS,
           [(s, p, sex, age, prim, who, ki, kr, fn, 0, liv, bur, les, 0, ssa, _opt_day(nt),
             _opt_day(lc), _opt_day(dd))
            for s, p, sex, age, prim, who, ki, kr, fn, liv, bur, les, ssa, nt, lc, dd in PATIENTS])
    _write(folder / "cycles.csv", ("site_id", "patient_id", "cycle", "date", "agent", "activity_gbq"),
           [(s, p, i + 1, day(d), "lu177_dotatate", 7.4) for s, p, days in CYCLES for i, d in enumerate(days)])
    _write(folder / "assessments.csv", ("site_id", "patient_id", "date", "overall_response"),
           [(s, p, day(d), r) for s, p, rows in ASSESSMENTS for d, r in rows])
    _write(folder / "labs.csv", ("site_id", "patient_id", "date", "test", "value", "unit", "lln", "uln"),
           [(s, p, day(d), t, v, u, lo, hi) for s, p, d, t, v, u, lo, hi in LABS])
    _write(folder / "adverse_events.csv", ("site_id", "patient_id", "term", "onset_date", "grade"),
           [(s, p, term, day(d), g) for s, p, term, d, g in ADVERSE_EVENTS])
    _write(folder / "hormonal_symptoms.csv", ("site_id", "patient_id", "syndrome", "response"), HORMONAL)
    return folder
