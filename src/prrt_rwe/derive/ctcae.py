"""CTCAE v5.0 grades from laboratory values (grade tables as data).

Source: NCI CTCAE v5.0 (2017), "Investigations" and "Blood and lymphatic system
disorders"; shared/spec/derivations.md "Laboratory toxicity". Values are in the canonical
units of schema/units.py. Intervals are half-open as CTCAE writes them: ``<75-50`` means
50 <= x < 75, ``>1.5-3.0 x ULN`` means 1.5 ULN < x <= 3.0 ULN. Grades 2-4 of the decreased
counts use the absolute limits whatever the LLN (as admiral's grading metadata).

A value within a relative 1e-9 of a limit counts as equal to it (:func:`below`,
:func:`above`): unit conversion leaves binary rounding, e.g. creatinine 2.1 mg/dL x 88.42
comes out above 3 x (0.7 mg/dL x 88.42) although it is exactly 3 x ULN (grade 2, not 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DecreaseGrades:
    """Grade of a "count decreased" test: G1 = [g2_below, LLN), G2 = [g3_below, g2_below), ...

    ``g4_below`` None = grade 4 not gradable from the value (hemoglobin: CTCAE v5 grade 4
    "life-threatening consequences" is clinical).
    """

    term: str
    g2_below: float
    g3_below: float
    g4_below: float | None


# derivations.md table; CTCAE v5.0 terms.
DECREASE_GRADES: dict[str, DecreaseGrades] = {
    "platelets": DecreaseGrades("Platelet count decreased", 75.0, 50.0, 25.0),
    "neutrophils": DecreaseGrades("Neutrophil count decreased", 1.5, 1.0, 0.5),
    "wbc": DecreaseGrades("White blood cell decreased", 3.0, 2.0, 1.0),
    "lymphocytes": DecreaseGrades("Lymphocyte count decreased", 0.8, 0.5, 0.2),
    "hemoglobin": DecreaseGrades("Anemia", 100.0, 80.0, None),
}

# Creatinine increased (CTCAE v5.0): x ULN limits and x baseline limits.
# ULN: G1 > 1.0, G2 > 1.5, G3 > 3.0, G4 > 6.0 times ULN.
CREATININE_ULN_MULTIPLES = ((1, 1.0), (2, 1.5), (3, 3.0), (4, 6.0))
# Baseline: G2 > 1.5, G3 > 3.0 times baseline (apply even when the value is <= ULN).
CREATININE_BASELINE_MULTIPLES = ((2, 1.5), (3, 3.0))
CREATININE_TERM = "Creatinine increased"

GRADED_TESTS = (*DECREASE_GRADES, "creatinine")

# derivations.md "Default reference ranges when lln/uln are missing": test -> (limit, F, M).
DEFAULT_RANGES: dict[str, tuple[str, float, float]] = {
    "platelets": ("lln", 150.0, 150.0),
    "neutrophils": ("lln", 2.0, 2.0),
    "wbc": ("lln", 4.0, 4.0),
    "lymphocytes": ("lln", 1.0, 1.0),
    "hemoglobin": ("lln", 120.0, 135.0),
    "creatinine": ("uln", 84.0, 104.0),
}


LIMIT_RTOL = 1e-9


def below(x, limit) -> np.ndarray:
    """x < limit, with x within LIMIT_RTOL of the limit counting as equal (not below)."""
    x, limit = np.asarray(x, dtype=float), np.asarray(limit, dtype=float)
    with np.errstate(invalid="ignore"):
        return (x < limit) & ~(np.abs(x - limit) <= LIMIT_RTOL * np.abs(limit))


def above(x, limit) -> np.ndarray:
    """x > limit, with x within LIMIT_RTOL of the limit counting as equal (not above)."""
    x, limit = np.asarray(x, dtype=float), np.asarray(limit, dtype=float)
    with np.errstate(invalid="ignore"):
        return (x > limit) & ~(np.abs(x - limit) <= LIMIT_RTOL * np.abs(limit))


def grade_decrease(test: str, value, lln) -> np.ndarray:
    """CTCAE grade 0-4 of a decreased-count test; NaN where value or LLN is missing."""
    t = DECREASE_GRADES[test]
    x = np.asarray(value, dtype=float)
    lln = np.asarray(lln, dtype=float)
    g = np.where(below(x, lln), 1.0, 0.0)
    g = np.where(below(x, t.g2_below), 2.0, g)
    g = np.where(below(x, t.g3_below), 3.0, g)
    if t.g4_below is not None:
        g = np.where(below(x, t.g4_below), 4.0, g)
    # below an absolute limit the grade is known even without an LLN
    unknown = np.isnan(x) | (np.isnan(lln) & ~below(x, t.g2_below))
    return np.where(unknown, np.nan, g)


def grade_creatinine(value, uln, baseline) -> np.ndarray:
    """CTCAE v5 creatinine increased: highest grade of the ULN and baseline criteria.

    NaN when value is missing; a missing ULN or baseline leaves only the other criterion.
    """
    x = np.asarray(value, dtype=float)
    uln = np.asarray(uln, dtype=float)
    base = np.asarray(baseline, dtype=float)
    g = np.zeros(x.shape)
    for grade, mult in CREATININE_ULN_MULTIPLES:
        g = np.where(above(x, mult * uln), float(grade), g)
    for grade, mult in CREATININE_BASELINE_MULTIPLES:
        g = np.where(above(x, mult * base), np.maximum(g, float(grade)), g)
    unknown = np.isnan(x) | (np.isnan(uln) & np.isnan(base))
    return np.where(unknown, np.nan, g)


def default_limits(test: str, sex) -> tuple[str, np.ndarray] | None:
    """(``lln`` or ``uln``, default per row by sex F/M) or None when the test has no default."""
    if test not in DEFAULT_RANGES:
        return None
    limit, female, male = DEFAULT_RANGES[test]
    return limit, np.where(np.asarray(sex, dtype=object) == "F", female, male)


def rules_table() -> dict:
    """The grading rules in force, JSON-able (for AdamDatasets.rules)."""
    return {
        "source": "NCI CTCAE v5.0; derivations.md 'Laboratory toxicity'",
        "decrease": {k: {"term": v.term, "g2_below": v.g2_below, "g3_below": v.g3_below,
                         "g4_below": v.g4_below, "g1": "x < LLN"} for k, v in DECREASE_GRADES.items()},
        "creatinine": {"term": CREATININE_TERM,
                       "uln_multiples_above": {str(g): m for g, m in CREATININE_ULN_MULTIPLES},
                       "baseline_multiples_above": {str(g): m for g, m in CREATININE_BASELINE_MULTIPLES}},
        "default_ranges": {k: {"limit": v[0], "F": v[1], "M": v[2]} for k, v in DEFAULT_RANGES.items()},
    }
