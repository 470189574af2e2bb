"""Baseline characteristics at the first cycle (patients.csv), with true model covariates.

Joint structure: Ki-67 follows the WHO grade (G1 < 3 %, G2 3-20 %, G3 > 20 %, NEC higher);
Krenning 4 is rarer in high grades; liver tumour burden and largest lesion are linked by a
Gaussian copula (rho 0.6). Model covariates go missing completely at random so that ~9 %
of patients have at least one missing (okamoto2026: 422 -> 383). The true flags used by
outcomes.py are computed from complete values, after rounding as written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from prrt_rwe.schema.registry_v1 import PRIMARY_SITES
from prrt_rwe.synth import calibration as cal
from prrt_rwe.synth.calendar import epoch_day

GRADES = ("G1", "G2", "G3", "NEC")
PANCREAS = frozenset({"pancreas"})
HINDGUT = frozenset({"colon", "rectum"})
MIDGUT = frozenset({"small_intestine", "appendix", "cecum"})
P_LIVER_METS = {"pancreas": 0.85, "hindgut": 0.8, "midgut": 0.85, "other": 0.6}
P_KRENNING4_BY_GRADE = np.array([0.6, 0.6, 0.4, 0.25])
# MCAR missingness of the model covariates; union ~ 9.4 % (see module docstring).
P_MISSING = {"ki67": 0.045, "krenning": 0.015, "liver_burden": 0.02, "liver_lesion": 0.02,
             "ssa": 0.005}
P_MISSING_OTHER = {"who_grade": 0.03, "ecog": 0.05, "functioning": 0.01, "bone": 0.03,
                   "prior_lines": 0.02, "diagnosis": 0.05}
LIVER_COPULA_RHO = 0.6
LIVER_BURDEN_BETA = (1.3, 3.2)
LIVER_LESION_MEDIAN_MM, LIVER_LESION_SIGMA = 30.0, 0.6

MAX_YEARS_SINCE_DIAGNOSIS = 40.0  # cap of the log-normal time from diagnosis to C1


@dataclass(frozen=True)
class Baseline:
    n: int
    male: np.ndarray
    age: np.ndarray
    primary_site: np.ndarray     # index into PRIMARY_SITES
    group: np.ndarray            # 0 other (incl. foregut, midgut), 1 pancreas, 2 hindgut
    grade: np.ndarray            # index into GRADES
    ki67: np.ndarray             # float, complete
    krenning: np.ndarray         # int, complete
    functioning: np.ndarray
    ecog: np.ndarray
    liver_mets: np.ndarray
    liver_burden: np.ndarray     # percent; 0 without liver metastases
    liver_lesion: np.ndarray     # mm; NaN without liver metastases
    bone_mets: np.ndarray
    prior_lines: np.ndarray
    prior_ssa: np.ndarray
    ssa: np.ndarray
    c1: np.ndarray               # epoch day of the first cycle
    diagnosis: np.ndarray        # epoch day
    missing: dict[str, np.ndarray]  # column -> bool mask of cells written empty

    # true model covariates (derivations.md "Baseline covariates")
    @property
    def ki67_lt10(self) -> np.ndarray:
        return self.ki67 < 10

    @property
    def krenning4(self) -> np.ndarray:
        return self.krenning == 4

    @property
    def liver_burden_lt50(self) -> np.ndarray:
        return ~self.liver_mets | (self.liver_burden < 50)

    @property
    def liver_lesion_le30(self) -> np.ndarray:
        return ~self.liver_mets | (self.liver_lesion <= 30)

    @property
    def high_grade(self) -> np.ndarray:
        return self.grade >= 2

    @property
    def complete_case(self) -> np.ndarray:
        cols = ("ki67_percent", "krenning_score", "liver_tumor_burden_percent",
                "largest_liver_lesion_mm", "ssa_concomitant")
        return ~np.any([self.missing[c] for c in cols], axis=0)


def _primary(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    names = list(cal.PRIMARY_SITE_SHARE)
    p = np.array([cal.PRIMARY_SITE_SHARE[k] for k in names])
    drawn = rng.choice(len(names), n, p=p / p.sum())
    to_schema = np.array([PRIMARY_SITES.index(k) for k in names])
    group_of = np.array([1 if k in PANCREAS else 2 if k in HINDGUT else 0 for k in names])
    return to_schema[drawn], group_of[drawn]


def _ki67(rng: np.random.Generator, grade: np.ndarray) -> np.ndarray:
    u = rng.random(len(grade))
    g1 = 0.5 + 2.4 * u
    g2 = np.exp(np.log(3.0) + u * (np.log(19.9) - np.log(3.0)))
    g3 = 20.1 + 34.9 * u  # WHO 2019: G3 > 20 %
    nec = 30.0 + 60.0 * u
    return np.round(np.choose(grade, [g1, g2, g3, nec]), 1)


def _liver(rng: np.random.Generator, group: np.ndarray):
    n = len(group)
    p_mets = np.array([P_LIVER_METS["other"], P_LIVER_METS["pancreas"], P_LIVER_METS["hindgut"]])
    mets = rng.random(n) < p_mets[group]
    z1 = rng.standard_normal(n)
    z2 = LIVER_COPULA_RHO * z1 + np.sqrt(1 - LIVER_COPULA_RHO**2) * rng.standard_normal(n)
    a, b = LIVER_BURDEN_BETA
    burden = np.clip(np.round(100 * special.betaincinv(a, b, special.ndtr(z1))), 1, 100)
    lesion = np.clip(np.round(LIVER_LESION_MEDIAN_MM * np.exp(LIVER_LESION_SIGMA * z2)), 5, 250)
    return mets, np.where(mets, burden, 0.0), np.where(mets, lesion, np.nan)


def _missing(rng: np.random.Generator, n: int, liver_mets: np.ndarray) -> dict[str, np.ndarray]:
    m = {
        "ki67_percent": rng.random(n) < P_MISSING["ki67"],
        "krenning_score": rng.random(n) < P_MISSING["krenning"],
        "liver_tumor_burden_percent": liver_mets & (rng.random(n) < P_MISSING["liver_burden"]),
        "largest_liver_lesion_mm": liver_mets & (rng.random(n) < P_MISSING["liver_lesion"]),
        "ssa_concomitant": rng.random(n) < P_MISSING["ssa"],
    }
    other = {"who_grade": "who_grade", "ecog": "ecog", "functioning": "functioning",
             "bone_metastases": "bone", "prior_lines": "prior_lines", "diagnosis_date": "diagnosis"}
    for col, key in other.items():
        m[col] = rng.random(n) < P_MISSING_OTHER[key]
    return m


def make_baseline(rng: np.random.Generator, n: int) -> Baseline:
    primary, group = _primary(rng, n)
    p_grade = np.array([cal.WHO_GRADE_SHARE[g] for g in GRADES])
    grade = rng.choice(4, n, p=p_grade / p_grade.sum())
    krenning4 = rng.random(n) < P_KRENNING4_BY_GRADE[grade]
    krenning = np.where(krenning4, 4, np.where(rng.random(n) < 0.9, 3, 2))
    mets, burden, lesion = _liver(rng, group)
    start, end = epoch_day(cal.ACCRUAL_START), epoch_day(cal.ACCRUAL_END)
    c1 = rng.integers(start, end + 1, n)
    # log-normal around 3 years, capped at 40 (a tail draw at 1e5 patients reached 120 years,
    # a diagnosis before 1900 that validation rightly refuses as E005)
    years_since_dx = np.minimum(np.exp(rng.normal(np.log(3.0), 0.8, n)), MAX_YEARS_SINCE_DIAGNOSIS)
    return Baseline(
        n=n,
        male=rng.random(n) < 0.55,
        age=np.clip(np.round(rng.normal(cal.AGE_MEDIAN, 11.0, n)), 25, 90).astype(np.int64),
        primary_site=primary,
        group=group,
        grade=grade,
        ki67=_ki67(rng, grade),
        krenning=krenning,
        functioning=rng.random(n) < cal.FUNCTIONING_SHARE,
        ecog=rng.choice(3, n, p=[0.6, 0.33, 0.07]),
        liver_mets=mets,
        liver_burden=burden,
        liver_lesion=lesion,
        bone_mets=rng.random(n) < 0.25,
        prior_lines=np.minimum(rng.poisson(1.0, n), 6),
        prior_ssa=rng.random(n) < 0.7,
        ssa=rng.random(n) < cal.SSA_CONCOMITANT_SHARE,
        c1=c1,
        diagnosis=c1 - 30 - np.round(365.25 * years_since_dx).astype(np.int64),
        missing=_missing(rng, n, mets),
    )
