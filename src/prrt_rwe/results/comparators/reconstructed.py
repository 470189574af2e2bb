"""Our MAIC-weighted cohort against a trial arm reconstructed from its published Kaplan-Meier
curve (Guyot et al. 2012; :func:`prrt_rwe.stats.reconstruct_km`).

Cox model of PFS on one indicator (1 = our cohort, 0 = the reconstructed arm), Efron ties,
case weights = the MAIC weights rescaled to sum to our n, 1 for each reconstructed patient,
robust (sandwich) variance as R ``coxph(..., weights = w, robust = TRUE)`` does for
non-integer weights.  The HR is ours / the trial arm's (< 1: fewer progressions or deaths
here).  Times in months; ours from C1, the trial's from randomisation.
"""

from __future__ import annotations

import numpy as np

from prrt_rwe import stats
from prrt_rwe.results import survival as surv


def reconstruct(km) -> stats.ReconstructedIPD:
    """The comparator file's curve and at-risk table as pseudo-IPD (ReconstructionError if bad)."""
    return stats.reconstruct_km(km.time_months, km.survival, km.at_risk_months, km.n_at_risk,
                                total_events=km.total_events)


def hazard_ratio(ipd: stats.ReconstructedIPD, pts, w: np.ndarray) -> tuple[dict, dict]:
    """(results.json ``pfs_hr_vs_reconstructed``, overlay-curve extras)."""
    has = pts.has_pfs
    ours_t = pts.pfs_days[has] / surv.DAYS_PER_MONTH
    ours_e = pts.pfs_event[has].astype(int)
    ours_w = w[has] * (has.sum() / w[has].sum())
    time = np.concatenate([ours_t, ipd.time])
    event = np.concatenate([ours_e, ipd.event])
    group = np.concatenate([np.ones(ours_t.size), np.zeros(ipd.time.size)])
    weights = np.concatenate([ours_w, np.ones(ipd.time.size)])
    fit = stats.cox_ph(time, event, group[:, None], weights=weights, robust=True)
    lo, hi = fit.ci95[0]
    trial = stats.kaplan_meier(ipd.time, ipd.event)
    extras = {"n_reconstructed": int(ipd.time.size), "events_reconstructed": int(ipd.event.sum()),
              "curve": {"time_months": trial.time.tolist(), "survival": trial.survival.tolist()},
              "variance": "robust"}
    return {"hr": float(fit.hazard_ratio[0]), "ci95": [float(lo), float(hi)], "p": float(fit.p[0])}, extras
