"""Institutions: unequal sizes and site-level practice (lab units, ranges, scan schedule).

Sizes: a lognormal weight per site (few large centres, many small, as the 33 institutions of
Okamoto 2026); every site gets at least one patient when there are enough patients.
Patients are numbered per site, so two sites reuse patient numbers (format v1 keys).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Units a site reports in (only units that prrt_rwe.schema.units accepts), with shares.
COUNT_UNITS = (("10^9/L", 0.45), ("10^3/uL", 0.3), ("G/L", 0.1), ("/uL", 0.15))
HEMOGLOBIN_UNITS = (("g/dL", 0.7), ("g/L", 0.25), ("mmol/L", 0.05))
CREATININE_UNITS = (("mg/dL", 0.7), ("umol/L", 0.3))
BILIRUBIN_UNITS = (("mg/dL", 0.7), ("umol/L", 0.3))
ALBUMIN_UNITS = (("g/dL", 0.7), ("g/L", 0.3))
CHROMOGRANIN_UNITS = (("ng/mL", 0.6), ("ug/L", 0.1), ("nmol/L", 0.2), ("U/L", 0.1))
UNIT_CHOICES = {
    "count": COUNT_UNITS, "hemoglobin": HEMOGLOBIN_UNITS, "creatinine": CREATININE_UNITS,
    "bilirubin": BILIRUBIN_UNITS, "albumin": ALBUMIN_UNITS, "chromogranin_a": CHROMOGRANIN_UNITS,
}
SHARE_SITES_WITH_RANGES = 0.6
SHARE_SITES_WITH_LESIONS = 0.3
SCAN_INTERVALS_DAYS = (84.0, 91.0, 91.0, 98.0, 112.0)
MODALITIES = ("CT", "MRI", "PET_CT", "other")
MODALITY_SHARE = (0.7, 0.2, 0.08, 0.02)
SHARE_SITES_CTCAE_4 = 0.25
SITE_WEIGHT_SIGMA = 1.1


@dataclass(frozen=True)
class Sites:
    ids: tuple[str, ...]
    names: tuple[str, ...]
    sizes: np.ndarray          # patients per site
    starts: np.ndarray         # global index of each site's first patient
    units: dict[str, np.ndarray]  # unit group -> index into UNIT_CHOICES[group] per site
    gives_ranges: np.ndarray   # bool: site fills lln/uln
    has_lesions: np.ndarray    # bool: site sends lesions.csv rows
    scan_interval: np.ndarray  # days between restaging scans
    modality: np.ndarray       # index into MODALITIES
    ctcae4: np.ndarray         # bool: AEs graded with CTCAE 4.03

    @property
    def count(self) -> int:
        return len(self.ids)

    def site_of(self, patient_index: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.starts, patient_index, side="right") - 1

    def patient_number(self, patient_index: np.ndarray, site: np.ndarray) -> np.ndarray:
        return patient_index - self.starts[site] + 1


def make_sites(rng: np.random.Generator, n_sites: int, n_patients: int) -> Sites:
    if n_sites < 1:
        raise ValueError("sites must be >= 1")
    weights = np.exp(rng.normal(0.0, SITE_WEIGHT_SIGMA, n_sites))
    floor = 1 if n_patients >= n_sites else 0
    sizes = floor + rng.multinomial(n_patients - floor * n_sites, weights / weights.sum())
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    width = max(2, len(str(n_sites)))
    ids = tuple(f"S{i + 1:0{width}d}" for i in range(n_sites))
    units = {g: rng.choice(len(c), n_sites, p=[s for _, s in c]) for g, c in UNIT_CHOICES.items()}
    return Sites(
        ids=ids,
        names=tuple(f"Institution {i + 1:0{width}d}" for i in range(n_sites)),
        sizes=sizes,
        starts=starts,
        units=units,
        gives_ranges=rng.random(n_sites) < SHARE_SITES_WITH_RANGES,
        has_lesions=rng.random(n_sites) < SHARE_SITES_WITH_LESIONS,
        scan_interval=rng.choice(SCAN_INTERVALS_DAYS, n_sites),
        modality=rng.choice(len(MODALITIES), n_sites, p=MODALITY_SHARE),
        ctcae4=rng.random(n_sites) < SHARE_SITES_CTCAE_4,
    )
