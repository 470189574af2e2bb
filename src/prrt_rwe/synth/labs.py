"""Laboratory series (labs.csv): blood counts, chemistry and chromogranin A.

Schedule (days from C1): baseline 1-14 days before C1; before each later cycle; a nadir
count 21-35 days after each cycle; then every ~3 months for a year after the last cycle;
then blood counts and creatinine every ~4 months to the end of follow-up (late_effects.py,
with the kidney's drift, renal decline and the cytopenia before MDS/AML).
Values are generated in canonical units, then written in the site's unit (sites.py) with
fixed decimals; CTCAE grades (derivations.md table) are taken from the values as written.
Patients chosen for hematologic grade >= 3 (treatment.py) reach it at the nadir after
their toxic cycle; everyone else stays at grade <= 2 in platelets, neutrophils, wbc and
hemoglobin. Renal grade >= 3 (creatinine > 3 x baseline) in calibration.RENAL_GRADE3_SHARE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.schema.units import UNITS
from prrt_rwe.synth import calibration as cal
from prrt_rwe.synth import late_effects as le
from prrt_rwe.synth.sites import UNIT_CHOICES, Sites

CBC = ("platelets", "neutrophils", "wbc", "lymphocytes", "hemoglobin")
CHEMISTRY = ("creatinine", "bilirubin", "alt", "ast", "albumin")
TESTS = CBC + CHEMISTRY + ("chromogranin_a",)
UNIT_GROUP = {"platelets": "count", "neutrophils": "count", "wbc": "count", "lymphocytes": "count",
              "hemoglobin": "hemoglobin", "creatinine": "creatinine", "bilirubin": "bilirubin",
              "albumin": "albumin", "chromogranin_a": "chromogranin_a"}
# decimals written per (test, unit)
DECIMALS = {
    ("platelets", "10^9/L"): 0, ("platelets", "10^3/uL"): 0, ("platelets", "G/L"): 0,
    ("neutrophils", "10^9/L"): 2, ("neutrophils", "10^3/uL"): 2, ("neutrophils", "G/L"): 2,
    ("wbc", "10^9/L"): 1, ("wbc", "10^3/uL"): 1, ("wbc", "G/L"): 1,
    ("lymphocytes", "10^9/L"): 2, ("lymphocytes", "10^3/uL"): 2, ("lymphocytes", "G/L"): 2,
    ("platelets", "/uL"): 0, ("neutrophils", "/uL"): 0, ("wbc", "/uL"): 0, ("lymphocytes", "/uL"): 0,
    ("hemoglobin", "g/dL"): 1, ("hemoglobin", "g/L"): 0, ("hemoglobin", "mmol/L"): 1,
    ("creatinine", "mg/dL"): 2, ("creatinine", "umol/L"): 0,
    ("bilirubin", "mg/dL"): 1, ("bilirubin", "umol/L"): 0,
    ("alt", "U/L"): 0, ("ast", "U/L"): 0, ("albumin", "g/dL"): 1, ("albumin", "g/L"): 0,
    ("chromogranin_a", "ng/mL"): 0, ("chromogranin_a", "ug/L"): 0,
    ("chromogranin_a", "nmol/L"): 1, ("chromogranin_a", "U/L"): 0,
}
# Site reference ranges in canonical units (JCCLS common ranges); hemoglobin, creatinine by sex.
RANGES = {
    "platelets": (158, 348), "neutrophils": (1.8, 7.0), "wbc": (3.3, 8.6),
    "lymphocytes": (1.0, 4.0), "hemoglobin": ((116, 148), (137, 168)),
    "creatinine": ((40.7, 69.9), (57.5, 94.6)), "bilirubin": (6.8, 25.7), "alt": (10, 42),
    "ast": (13, 30), "albumin": (41, 51),
}
CGA_ULN = {"ng/mL": 100.0, "ug/L": 100.0, "nmol/L": 3.0, "U/L": 36.0}
CGA_MEDIAN = {"ng/mL": 250.0, "ug/L": 250.0, "nmol/L": 7.5, "U/L": 90.0}
# Grade 3 thresholds (canonical, derivations.md CTCAE v5.0 table): grade >= 3 below these.
GRADE3_BELOW = {"platelets": 50.0, "neutrophils": 1.0, "wbc": 2.0, "hemoglobin": 80.0}
GRADE4_BELOW = {"platelets": 25.0, "neutrophils": 0.5, "wbc": 1.0}
TOXIC_TEST_SHARE = {"platelets": 0.6, "neutrophils": 0.2, "hemoglobin": 0.12, "wbc": 0.08}
NON_TOXIC_FLOOR = {"platelets": 52.0, "neutrophils": 1.05, "wbc": 2.1, "hemoglobin": 84.0}
P_CGA = 0.7
N_FOLLOW_UP = 4


@dataclass(frozen=True)
class Labs:
    patient: np.ndarray   # local patient index per row
    day: np.ndarray
    test: np.ndarray      # index into TESTS
    unit: np.ndarray      # unit text index into UNIT_LABELS
    value: np.ndarray     # in the written unit, rounded
    decimals: np.ndarray
    lln: np.ndarray
    uln: np.ndarray
    worst_hem_grade: np.ndarray  # per patient: worst post-baseline grade in the 4 counts
    worst_hem_test: np.ndarray   # index into TESTS of that grade, -1 none
    worst_hem_day: np.ndarray
    renal_day: np.ndarray        # day of the renal grade >= 3 value, NaN none
    late: le.LateEffects | None = None  # latent late effects (renal decline, MDS/AML)


UNIT_LABELS = tuple(sorted({u for units in UNITS.values() for u in units}))
FACTOR = np.array([[UNITS[t].get(u, (None, np.nan))[1] for u in UNIT_LABELS] for t in TESTS])


def schedule(rng, cycle_day: np.ndarray, end: np.ndarray) -> np.ndarray:
    """(n, 12) lab days in chronological slot order; NaN = no sample."""
    n = len(end)
    base = -rng.integers(1, 15, n).astype(float)
    nadir = cycle_day + rng.integers(21, 36, cycle_day.shape)
    pre = cycle_day[:, 1:] - rng.integers(1, 5, (n, 3))
    last = np.nanmax(cycle_day, axis=1)
    fu = last[:, None] + 91.0 * np.arange(1, N_FOLLOW_UP + 1) + rng.integers(-7, 8, (n, N_FOLLOW_UP))
    fu = np.minimum(fu, last[:, None] + 360)
    slots = np.column_stack([base, nadir[:, 0], pre[:, 0], nadir[:, 1], pre[:, 1], nadir[:, 2],
                             pre[:, 2], nadir[:, 3], fu])
    with np.errstate(invalid="ignore"):
        return np.where(slots <= end[:, None], slots, np.nan)


NADIR_SLOTS = np.array([1, 3, 5, 7])
CHEM_SLOTS = np.array([0, 2, 4, 6, 8, 9, 10, 11])
CGA_SLOTS = np.array([0, 8, 9, 10, 11])
FULL_CHEM_SLOTS = np.array([0, 8, 9, 10, 11])  # bilirubin, alt, ast, albumin


def _canonical_values(rng, n, male, toxic_cycle, renal):
    """(n, 12) canonical values per test."""
    s = 12
    ln = lambda med, sd, shape=(n, 1): med * np.exp(rng.normal(0, sd, shape))  # noqa: E731
    v = {}
    depress = np.ones((n, s))
    depress[:, NADIR_SLOTS] = rng.uniform(0.55, 0.9, (n, 4))
    recover = rng.uniform(0.8, 1.0, (n, s))
    recover[:, 0] = 1.0
    v["platelets"] = np.maximum(ln(230, 0.25), 110) * depress * recover
    v["neutrophils"] = np.maximum(ln(3.6, 0.3), 1.6) * np.where(depress < 1, rng.uniform(0.65, 1.0, (n, s)), 1) * recover
    v["lymphocytes"] = ln(1.6, 0.35) * np.where(np.arange(s) > 0, rng.uniform(0.5, 0.95, (n, s)), 1.0)
    v["wbc"] = v["neutrophils"] + v["lymphocytes"] + ln(0.5, 0.2)
    v["hemoglobin"] = np.maximum(np.where(male, 138.0, 125.0)[:, None] + rng.normal(0, 11, (n, 1)), 95) \
        * rng.uniform(0.88, 1.0, (n, s))
    for test, floor in NON_TOXIC_FLOOR.items():
        v[test] = np.maximum(v[test], floor * rng.uniform(1.0, 1.1, (n, s)))
    _toxic_nadir(rng, v, toxic_cycle)
    uln_cr = np.where(male, 104.0, 84.0)[:, None]
    cr0 = np.minimum(ln(1.0, 0.2) * np.where(male, 80.0, 62.0)[:, None], 1.2 * uln_cr)
    # visit-to-visit noise +-5 % (the draw of the former 0.95-1.25 range, re-centred on 1)
    cr = cr0 * np.where(np.arange(s) > 0, 1 + (rng.uniform(0.95, 1.25, (n, s)) - 1.10) / 3, 1.0)
    v["creatinine"] = np.where(renal[:, None] & (np.arange(s) >= 8), cr0 * rng.uniform(3.2, 4.0, (n, 1)), cr)
    v["bilirubin"] = ln(10, 0.35) * rng.uniform(0.9, 1.1, (n, s))
    v["alt"] = ln(20, 0.4) * rng.uniform(0.8, 1.25, (n, s))
    v["ast"] = ln(22, 0.35) * rng.uniform(0.8, 1.25, (n, s))
    v["albumin"] = (40 + rng.normal(0, 3.5, (n, 1))) * rng.uniform(0.95, 1.05, (n, s))
    v["chromogranin_a"] = ln(1.0, 1.2) * rng.uniform(0.5, 1.3, (n, s))  # x assay median
    return v


def _toxic_nadir(rng, v, toxic_cycle):
    n = len(toxic_cycle)
    tests = list(TOXIC_TEST_SHARE)
    which = rng.choice(len(tests), n, p=list(TOXIC_TEST_SHARE.values()))
    rows = np.flatnonzero(toxic_cycle > 0)
    cols = NADIR_SLOTS[toxic_cycle[rows] - 1]
    depth = rng.uniform(0.3, 0.92, n)
    for t_i, test in enumerate(tests):
        sel = which[rows] == t_i
        r, c = rows[sel], cols[sel]
        if test == "hemoglobin":
            v[test][r, c] = rng.uniform(62, 77, len(r))
        else:
            v[test][r, c] = GRADE3_BELOW[test] * depth[r]
        if test == "neutrophils":  # white cells follow the neutrophils down
            v["wbc"][r, c] = np.minimum(v["wbc"][r, c], v[test][r, c] + 0.8)


def make_labs(rng: np.random.Generator, sites: Sites, site: np.ndarray, male: np.ndarray,
              cycle_day: np.ndarray, toxic_cycle: np.ndarray, end: np.ndarray) -> Labs:
    n = len(site)
    late_rng = rng.spawn(1)[0]   # late effects: draws that leave this generator's stream alone
    days = schedule(rng, cycle_day, end)
    renal = rng.random(n) < cal.RENAL_GRADE3_SHARE
    renal = renal & ~np.isnan(days[:, 8])
    canon = _canonical_values(rng, n, male, toxic_cycle, renal)
    has_cga = rng.random(n) < P_CGA
    # (patient, slot, test) in nonzero order = patient, date (slots are chronological), test
    measured = np.zeros((n, days.shape[1], len(TESTS)), bool)
    for t_i, test in enumerate(TESTS):
        measured[:, _slots(test), t_i] = True
    measured &= ~np.isnan(days)[:, :, None]
    measured[:, :, TESTS.index("chromogranin_a")] &= has_cga[:, None]
    p, k, t = np.nonzero(measured)
    d = days[p, k]
    cv = np.empty(len(p))
    for t_i, test in enumerate(TESTS):
        sel = t == t_i
        cv[sel] = canon[test][p[sel], k[sel]]
    late = le.make_late_effects(late_rng, np.nanmax(cycle_day, axis=1), end)
    p, d, t, cv = _with_late_rows(late_rng, late, canon, renal, (p, d, t, cv))
    unit, dec, value, lln, uln = _in_site_units(sites, site[p], male[p], t, cv)
    grade, g_test, g_day = _worst_hematologic(p, d, t, value, unit, n)
    return Labs(p, d, t, unit, value, dec, lln, uln, grade, g_test, g_day,
                np.where(renal, days[:, 8], np.nan), late)


def _with_late_rows(rng, late: le.LateEffects, canon: dict, renal: np.ndarray, rows):
    """Append the late visits, apply the kidney's drift and the pre-MDS/AML cytopenia, and
    return (patient, day, test, canonical value) sorted by patient, day, test."""
    p, d, t, cv = rows
    baseline = {test: canon[test][:, 0] for test in le.LATE_TESTS}
    baseline["creatinine"] = np.where(renal, canon["creatinine"][:, 8], canon["creatinine"][:, 0])
    values = le.late_values(rng, late, baseline, NON_TOXIC_FLOOR)
    lp, lk = np.nonzero(~np.isnan(late.visit_day))
    parts = [(p, d, t, cv)]
    for test in le.LATE_TESTS:
        parts.append((lp, late.visit_day[lp, lk], np.full(lp.size, TESTS.index(test)), values[test][lp, lk]))
    p, d, t, cv = (np.concatenate([part[i] for part in parts]) for i in range(4))
    cr = t == TESTS.index("creatinine")
    cv[cr] *= le.creatinine_multiplier(late, p[cr], d[cr])
    for test, low in le.prodrome_counts(rng, p.size).items():
        sel = (t == TESTS.index(test)) & le.in_prodrome(late, p, d)
        cv[sel] = np.minimum(cv[sel], low[sel])
    order = np.lexsort((t, d, p))
    return p[order], d[order], t[order], cv[order]


def _slots(test: str) -> np.ndarray:
    if test in CBC:
        return np.arange(12)
    if test == "creatinine":
        return CHEM_SLOTS
    if test == "chromogranin_a":
        return CGA_SLOTS
    return FULL_CHEM_SLOTS


def _in_site_units(sites, site, male, t, canon):
    m = len(t)
    unit_idx = np.empty(m, np.int64)
    dec = np.empty(m, np.int64)
    value = np.empty(m)
    lln = np.full(m, np.nan)
    uln = np.full(m, np.nan)
    gives = sites.gives_ranges[site]
    for t_i, test in enumerate(TESTS):
        rows = np.flatnonzero(t == t_i)
        group = UNIT_GROUP.get(test)
        choices = UNIT_CHOICES[group] if group else (("U/L", 1.0),)
        choice = sites.units[group][site[rows]] if group else np.zeros(len(rows), np.int64)
        for c_i, (u, _share) in enumerate(choices):
            r = rows[choice == c_i]
            if len(r) == 0:
                continue
            factor = UNITS[test][u][1]
            d = DECIMALS[(test, u)]
            unit_idx[r] = UNIT_LABELS.index(u)
            dec[r] = d
            if test == "chromogranin_a":
                value[r] = np.round(canon[r] * CGA_MEDIAN[u], d)
                uln[r] = np.where(gives[r], CGA_ULN[u], np.nan)
                continue
            value[r] = np.round(canon[r] / factor, d)
            lo, hi = RANGES[test]
            if isinstance(lo, tuple):  # by sex: ((female lln, uln), (male lln, uln))
                female, male_range = RANGES[test]
                lo = np.where(male[r], male_range[0], female[0])
                hi = np.where(male[r], male_range[1], female[1])
            rd = d + 1 if d < 2 else d
            lln[r] = np.where(gives[r], np.round(np.asarray(lo) / factor, rd), np.nan)
            uln[r] = np.where(gives[r], np.round(np.asarray(hi) / factor, rd), np.nan)
    return unit_idx, dec, value, lln, uln


def grade3_written(test: str, canonical: np.ndarray) -> np.ndarray:
    """CTCAE grade (0, 3 or 4 resolution) from a canonical value as written."""
    g = np.where(canonical < GRADE3_BELOW[test], 3, 0)
    if test in GRADE4_BELOW:
        g = np.where(canonical < GRADE4_BELOW[test], 4, g)
    return g


def _worst_hematologic(p, d, t, value, unit, n):
    grade = np.zeros(n, np.int64)
    g_test = np.full(n, -1)
    g_day = np.full(n, np.nan)
    for test in GRADE3_BELOW:
        t_i = TESTS.index(test)
        rows = np.flatnonzero((t == t_i) & (d > 0))
        g = grade3_written(test, value[rows] * FACTOR[t_i, unit[rows]])
        order = np.argsort(-g, kind="stable")  # worst first, earliest first among equals
        r, gg = rows[order], g[order]
        first = np.unique(p[r], return_index=True)[1]
        r, gg = r[first], gg[first]
        upd = gg > grade[p[r]]
        grade[p[r][upd]] = gg[upd]
        g_test[p[r][upd]] = t_i
        g_day[p[r][upd]] = d[r][upd]
    return grade, g_test, g_day
