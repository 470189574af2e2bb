"""Hormonal syndromes (hormonal_symptoms.csv): one row per functioning patient.

Share functioning and responses from okamoto2026.results.hormonal_marked_improvement
(18 of 24 with marked improvement); syndromes follow the primary (pancreas: insulinoma,
gastrinoma, glucagonoma, VIPoma; others mostly carcinoid syndrome).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.synth import calibration as cal

SYNDROMES = ("carcinoid", "insulinoma", "gastrinoma", "glucagonoma", "vipoma", "other")
SYNDROME_SHARE_PANCREAS = (0.0, 0.2, 0.25, 0.15, 0.1, 0.3)
SYNDROME_SHARE_OTHER = (0.85, 0.0, 0.0, 0.0, 0.0, 0.15)
RESPONSES = tuple(cal.HORMONAL_RESPONSE_SHARE)


@dataclass(frozen=True)
class Hormonal:
    patient: np.ndarray
    syndrome: np.ndarray  # index into SYNDROMES
    response: np.ndarray  # index into RESPONSES


def make_hormonal(rng: np.random.Generator, functioning: np.ndarray, pancreas: np.ndarray) -> Hormonal:
    p = np.flatnonzero(functioning)
    syn_p = rng.choice(len(SYNDROMES), len(p), p=SYNDROME_SHARE_PANCREAS)
    syn_o = rng.choice(len(SYNDROMES), len(p), p=SYNDROME_SHARE_OTHER)
    resp = rng.choice(len(RESPONSES), len(p), p=list(cal.HORMONAL_RESPONSE_SHARE.values()))
    return Hormonal(p, np.where(pancreas[p], syn_p, syn_o), resp)
