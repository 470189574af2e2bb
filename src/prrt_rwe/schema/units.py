"""Laboratory units: canonical unit per test and conversion factors.

Source: shared/spec/registry-format-v1.md, labs.csv "unit". Units are matched
case-insensitively, with spaces removed and ``µ``/``μ`` read as ``u``. An unknown unit is an
error, never a guess. Chromogranin A assays in ng/mL, nmol/L and U/L are kept apart.
"""

from __future__ import annotations

_COUNT = {"10^9/L": ("10^9/L", 1.0), "10^3/uL": ("10^9/L", 1.0), "G/L": ("10^9/L", 1.0),
          "/uL": ("10^9/L", 0.001), "/mm3": ("10^9/L", 0.001)}

# test -> {accepted unit as written in the spec: (canonical unit, factor to canonical)}
UNITS: dict[str, dict[str, tuple[str, float]]] = {
    "platelets": _COUNT,
    "neutrophils": _COUNT,
    "wbc": _COUNT,
    "lymphocytes": _COUNT,
    "hemoglobin": {"g/L": ("g/L", 1.0), "g/dL": ("g/L", 10.0), "mmol/L": ("g/L", 16.114)},
    "creatinine": {"umol/L": ("umol/L", 1.0), "mg/dL": ("umol/L", 88.42)},
    "bilirubin": {"umol/L": ("umol/L", 1.0), "mg/dL": ("umol/L", 17.1)},
    "alt": {"U/L": ("U/L", 1.0)},
    "ast": {"U/L": ("U/L", 1.0)},
    "albumin": {"g/L": ("g/L", 1.0), "g/dL": ("g/L", 10.0)},
    "chromogranin_a": {"ng/mL": ("ng/mL", 1.0), "ug/L": ("ng/mL", 1.0),
                       "nmol/L": ("nmol/L", 1.0), "U/L": ("U/L", 1.0)},
}

# Creatinine mg/dL <-> umol/L factor, shared with CKD-EPI (derivations.md "Kidney function").
CREATININE_UMOL_PER_MGDL = 88.42


def normalize_unit(unit: str) -> str:
    """Matching form of a unit: lower case, no spaces, micro sign read as ``u``."""
    return unit.strip().replace("\u00b5", "u").replace("\u03bc", "u").replace(" ", "").lower()


_LOOKUP = {test: {normalize_unit(u): conv for u, conv in units.items()} for test, units in UNITS.items()}


def to_canonical(test: str, unit: str) -> tuple[str, float] | None:
    """(canonical unit, factor) for a test's unit, or None when the unit is unknown."""
    return _LOOKUP.get(test, {}).get(normalize_unit(unit))
