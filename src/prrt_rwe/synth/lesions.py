"""Lesion measurements (lesions.csv) for the sites that send them.

Each target lesion's diameter is its baseline diameter times the time point's size ratio
(assessments.py), written to 0.1 mm, so the target sums in assessments.csv equal the sums
of these rows and RECIST 1.1 recomputed from them gives the recorded response:
NE = targets unmeasured; CR = targets and non-targets absent; PD by a `new` lesion or, for
patients without targets, unequivocal progression of a non-target lesion.
Targets are non-nodal (liver first when the liver is involved); non-targets are lymph
nodes or bone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.synth.assessments import CR, MAX_TARGETS, NE, PD, Series, target_diameters

ROLES = ("target", "non_target", "new")
STATUSES = ("present", "absent", "unequivocal_progression")
ORGANS = ("liver", "pancreas", "lung", "peritoneum", "lymph_node", "bone", "other")
TARGET_ORGANS = np.array([0, 1, 2, 3, 6])
MAX_NON_TARGETS = 2


@dataclass(frozen=True)
class Lesions:
    patient: np.ndarray
    day: np.ndarray
    lesion_id: np.ndarray   # 0..3 targets T1-T4, 4..5 non-targets N1-N2, 6 new NEW1
    role: np.ndarray
    organ: np.ndarray
    lymph_node: np.ndarray
    diameter: np.ndarray
    status: np.ndarray


LESION_IDS = tuple(f"T{i + 1}" for i in range(MAX_TARGETS)) + ("N1", "N2", "NEW1")


def make_lesions(rng: np.random.Generator, s: Series, patients: np.ndarray,
                 liver_mets: np.ndarray) -> Lesions:
    """Rows for ``patients`` (local indices of patients at lesion sites)."""
    m = len(patients)
    day = np.column_stack([s.baseline_day[patients], s.day[patients]])
    code = np.column_stack([np.full(m, -2), s.code[patients]])
    ratio = np.column_stack([np.ones(m), s.ratio[patients]])
    new = np.column_stack([np.zeros(m, bool), s.new_lesion[patients]])
    targets = s.targets[patients]
    present = code != -1
    c = day.shape[1]
    n_nt = np.where(s.measurable[patients], rng.integers(0, MAX_NON_TARGETS + 1, m),
                    rng.integers(1, MAX_NON_TARGETS + 1, m))
    t_organ = rng.choice(TARGET_ORGANS, (m, MAX_TARGETS))
    t_organ[:, 0] = np.where(liver_mets[patients], 0, t_organ[:, 0])
    nt_organ = np.where(rng.random((m, MAX_NON_TARGETS)) < 0.6, 4, 5)

    diam_t = target_diameters(targets, np.where(code[:, :, None] == CR, 0.0, ratio[:, :, None])[:, :, 0])
    has_t = ~np.isnan(targets)[:, None, :] & present[:, :, None]
    stat_t = np.where(code == CR, 1, 0)[:, :, None] * np.ones((1, 1, MAX_TARGETS), int)
    has_n = (np.arange(MAX_NON_TARGETS)[None, None, :] < n_nt[:, None, None]) & present[:, :, None]
    unequivocal = (code == PD) & ~new & ~s.measurable[patients][:, None]
    stat_n = np.where(code == CR, 1, np.where(unequivocal, 2, 0))[:, :, None] * np.ones((1, 1, MAX_NON_TARGETS), int)
    has_new = (new & present)[:, :, None]
    new_d = np.round(rng.uniform(8, 25, (m, c, 1)), 1)

    slots = MAX_TARGETS + MAX_NON_TARGETS + 1
    has = np.concatenate([has_t, has_n, has_new], axis=2)
    diameter = np.concatenate([diam_t, np.full((m, c, MAX_NON_TARGETS), np.nan), new_d], axis=2)
    diameter[:, :, :MAX_TARGETS] = np.where((code == NE)[:, :, None], np.nan, diameter[:, :, :MAX_TARGETS])
    status = np.concatenate([stat_t, stat_n, np.zeros((m, c, 1), int)], axis=2)
    role = np.broadcast_to(np.array([0] * MAX_TARGETS + [1] * MAX_NON_TARGETS + [2]), (m, c, slots))
    organ = np.concatenate([np.broadcast_to(t_organ[:, None, :], (m, c, MAX_TARGETS)),
                            np.broadcast_to(nt_organ[:, None, :], (m, c, MAX_NON_TARGETS)),
                            np.broadcast_to(np.where(liver_mets[patients], 0, 5)[:, None, None], (m, c, 1))],
                           axis=2)
    p, k, l = np.nonzero(has)
    return Lesions(
        patient=patients[p], day=day[p, k], lesion_id=l, role=role[p, k, l], organ=organ[p, k, l],
        lymph_node=organ[p, k, l] == 4, diameter=diameter[p, k, l], status=status[p, k, l],
    )
