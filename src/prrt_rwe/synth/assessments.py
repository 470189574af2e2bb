"""RECIST 1.1 time-point series on a realistic restaging schedule (assessments.csv).

Scans every ~3 months (site interval, +-9 day jitter), 7 % missed, 3 % not evaluable.
The series is built so that the *derived* outcomes (derivations.md "Tumour response",
"Time to event") recover the latent ones:
- latent responders get PR from their first evaluable scan and a confirmation >= 28 days
  later before progression (an extra confirmation scan 28-56 days after the first PR when
  the next regular scan would come too late; progression is then moved after it, which
  touches < 1 % of patients);
- some non-responders have one unconfirmed PR followed by SD;
- progression is recorded at the first scan on or after the latent progression day (25 %
  at an unscheduled scan within 3 weeks, for symptoms); no scans follow PD.
Target sums follow the response codes with margins that survive rounding (lesions.py holds
the per-lesion measurements that add up to them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.schema.registry_v1 import RESPONSES
from prrt_rwe.synth.baseline import Baseline
from prrt_rwe.synth.outcomes import Latent

CR, PR, SD, NCN, PD, NE = (RESPONSES.index(c) for c in ("CR", "PR", "SD", "NON_CR_NON_PD", "PD", "NE"))
P_MISSED, P_NE = 0.07, 0.03
P_UNCONFIRMED_PR = 0.10      # of non-responders
P_NON_MEASURABLE = 0.04      # of non-responders: non-target disease only
P_SYMPTOMATIC_PD = 0.25
P_PD_NEW_LESION = 0.5
SCAN_JITTER_SD = 9.0
MAX_TARGETS = 4


@dataclass(frozen=True)
class Series:
    """Per-patient scan matrices, columns sorted by day (NaN = no scan)."""

    day: np.ndarray           # (n, C) days from C1
    code: np.ndarray          # (n, C) index into RESPONSES
    ratio: np.ndarray         # (n, C) target-size ratio to baseline (NaN for NE / none)
    new_lesion: np.ndarray    # (n, C) bool: PD by a new lesion
    baseline_day: np.ndarray  # (n,) baseline scan day (<= 0)
    measurable: np.ndarray    # (n,) has target lesions
    targets: np.ndarray       # (n, MAX_TARGETS) baseline target diameters (NaN = none)
    t_event: np.ndarray       # latent PFS event day after the confirmation adjustment
    death_day: np.ndarray     # (n,) day of death (float, may lie beyond follow-up)
    pd_day: np.ndarray        # (n,) day of the PD scan or NaN

    @property
    def sums(self) -> np.ndarray:
        return target_sums(self.targets, self.ratio)


def target_diameters(targets: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """(n, C, T) diameters as written: baseline diameter x ratio, 0.1 mm."""
    return np.round(targets[:, None, :] * ratio[:, :, None], 1)


def target_sums(targets: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    d = target_diameters(targets, ratio)
    s = np.nansum(d, axis=2)
    return np.where(np.isnan(ratio) | ~np.isfinite(targets[:, :1]), np.nan, np.round(s, 1))


def _first(mask: np.ndarray) -> np.ndarray:
    """Index of the first True per row, -1 when none."""
    idx = mask.argmax(axis=1)
    return np.where(mask.any(axis=1), idx, -1)


def _take(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    out = np.take_along_axis(a, np.maximum(idx, 0)[:, None], axis=1)[:, 0]
    return np.where(idx >= 0, out, np.nan)


def _regular_scans(rng, interval, n_cols):
    n = len(interval)
    steps = interval[:, None] + rng.normal(0, SCAN_JITTER_SD, (n, n_cols))
    steps = np.clip(steps, interval[:, None] - 25, interval[:, None] + 25)
    day = np.round(np.cumsum(steps, axis=1))
    present = rng.random((n, n_cols)) >= P_MISSED
    return np.where(present, day, np.nan), rng.random((n, n_cols)) < P_NE


def _targets(rng, n, measurable):
    count = rng.integers(1, MAX_TARGETS + 1, n)
    d = np.round(10 + np.exp(rng.normal(np.log(12), 0.7, (n, MAX_TARGETS))), 1)
    d = np.minimum(d, 120.0)
    has = (np.arange(MAX_TARGETS)[None, :] < count[:, None]) & measurable[:, None]
    return np.where(has, d, np.nan)


def make_series(rng: np.random.Generator, b: Baseline, lat: Latent, interval: np.ndarray,
                horizon: np.ndarray) -> Series:
    """``horizon``: last day any record can exist (dropout or data cut-off, from C1)."""
    n = b.n
    n_cols = int(np.ceil(max(float(horizon.max()), 1.0) / 59.0)) + 1
    reg, ne = _regular_scans(rng, interval, n_cols)
    onset, conf_day, extra_conf, t_event = _confirmation(rng, reg, ne, lat)
    progression = ~lat.death_first
    death = np.floor(np.where(lat.death_first, np.ceil(t_event), t_event + lat.post_progression))
    symptomatic = progression & (rng.random(n) < P_SYMPTOMATIC_PD)
    extra_pd = np.where(symptomatic, np.ceil(t_event) + rng.integers(0, 22, n), np.nan)
    day = np.column_stack([reg, extra_conf, extra_pd])
    ne = np.column_stack([ne, np.zeros((n, 2), bool)])
    with np.errstate(invalid="ignore"):
        candidate = np.where(day >= t_event[:, None], day, np.inf)
    pd_day = np.where(progression, candidate.min(axis=1), np.inf)
    end = np.minimum(np.floor(horizon), death)
    pd_day = np.where(pd_day <= end, pd_day, np.nan)
    day, ne = _observed(day, ne, np.where(np.isnan(pd_day), end, pd_day))
    measurable = ~(~lat.responder & (rng.random(n) < P_NON_MEASURABLE))
    targets = _targets(rng, n, measurable)
    code, ratio, new = _codes_and_ratios(rng, lat, day, ne, onset, conf_day, pd_day,
                                         np.nansum(targets, axis=1))
    code = np.where(~measurable[:, None] & np.isin(code, (SD, PR, NE)), NCN, code)
    new = new | (~measurable[:, None] & (code == PD) & (rng.random((n, 1)) < P_PD_NEW_LESION))
    return Series(
        day=day, code=code, ratio=np.where(measurable[:, None], ratio, np.nan), new_lesion=new,
        baseline_day=-rng.integers(0, 46, n).astype(float),
        measurable=measurable, targets=targets,
        t_event=t_event, death_day=death, pd_day=pd_day,
    )


def _confirmation(rng, reg, ne, lat):
    """First evaluable scan (a responder's first PR) and the confirming scan >= 28 days later.

    The confirming scan is the next regular one when it comes before progression; otherwise
    an extra scan 28-56 days after the first PR, with progression moved after it. Marks the
    confirming regular scan evaluable (``ne`` is changed in place).
    Returns (onset day, confirmation day, extra scan day or NaN, adjusted event day).
    """
    n, n_cols = reg.shape
    j0 = _first(~np.isnan(reg) & ~ne)
    onset = _take(reg, j0)
    after = (np.arange(n_cols)[None, :] > j0[:, None]) & ~np.isnan(reg) & (j0[:, None] >= 0)
    j1 = _first(after)
    conf_regular = np.where(j1 >= 0, _take(reg, j1), np.inf)
    resp = lat.responder
    fix = resp & (j1 >= 0)
    ne[np.arange(n)[fix], j1[fix]] = False
    need_extra = resp & (lat.t_event <= conf_regular) & (j0 >= 0)
    extra_conf = np.where(need_extra, onset + rng.integers(28, 57, n), np.nan)
    t_event = np.where(need_extra, np.maximum(lat.t_event, extra_conf + 1), lat.t_event)
    return onset, np.where(need_extra, extra_conf, conf_regular), extra_conf, t_event


def _observed(day, ne, last):
    """Scans after C1 up to ``last``, sorted by day; a second scan on the same day dropped."""
    with np.errstate(invalid="ignore"):
        keep = ~np.isnan(day) & (day <= last[:, None]) & (day > 0)
    day = np.where(keep, day, np.nan)
    order = np.argsort(np.where(np.isnan(day), np.inf, day), axis=1, kind="stable")
    day = np.take_along_axis(day, order, axis=1)
    ne = np.take_along_axis(ne, order, axis=1)
    dup = np.zeros_like(ne)
    dup[:, 1:] = day[:, 1:] == day[:, :-1]
    return np.where(dup, np.nan, day), ne


def _codes_and_ratios(rng, lat, day, ne, onset, conf_day, pd_day, s0):
    code, pr_resp, upr, after_upr = _codes(rng, lat, day, ne, onset, conf_day, pd_day)
    ratio, new = _ratios(rng, code, pr_resp, upr, after_upr, s0)
    return code, ratio, new


def _codes(rng, lat, day, ne, onset, conf_day, pd_day):
    """Time-point responses: PD at the PD scan, NE, responders PR (CR after confirmation for
    complete responders), one unconfirmed PR at the first evaluable scan for some others."""
    n, c = day.shape
    present = ~np.isnan(day)
    is_pd = present & (day == pd_day[:, None])
    ne = ne & present & ~is_pd
    with np.errstate(invalid="ignore"):
        pr_resp = lat.responder[:, None] & (day >= onset[:, None])
        cr = lat.complete[:, None] & (day > conf_day[:, None])
    first_eval = _first(present & ~ne)
    upr_patient = ~lat.responder & (rng.random(n) < P_UNCONFIRMED_PR)
    upr = upr_patient[:, None] & (np.arange(c)[None, :] == first_eval[:, None]) & present
    with np.errstate(invalid="ignore"):
        after_upr = upr_patient[:, None] & (day > _take(day, first_eval)[:, None])
    code = np.full((n, c), SD, np.int8)
    code[pr_resp | upr] = PR
    code[cr & pr_resp] = CR
    code[ne] = NE
    code[is_pd] = PD
    code[~present] = -1
    return code, pr_resp, upr, after_upr


def _ratios(rng, code, pr_resp, upr, after_upr, s0):
    """Target-sum ratio to baseline per time point, inside each code's RECIST band with
    margins: SD 0.90-1.04 (< 1.2 x nadir), unconfirmed PR 0.64-0.68 then SD 0.72-0.75,
    responders 0.45-0.65 shrinking; PD by a new lesion or by sum (>= 25 % and 6.5 mm above
    the nadir, for RECIST's 20 % and 5 mm). Returns (ratio, PD-by-new-lesion flags)."""
    n, c = code.shape
    is_pd = code == PD
    ratio = rng.uniform(0.90, 1.04, (n, c))
    ratio = np.where(after_upr, rng.uniform(0.72, 0.75, (n, c)), ratio)
    ratio = np.where(upr, rng.uniform(0.64, 0.68, (n, c)), ratio)
    shrink = np.where(pr_resp, rng.uniform(0.88, 0.98, (n, c)), 1.0)
    r_resp = rng.uniform(0.45, 0.65, (n, 1)) * np.cumprod(shrink, axis=1)
    ratio = np.where(pr_resp, np.maximum(r_resp, 0.2), ratio)
    ratio = np.where(code == CR, 0.0, ratio)
    ratio = np.where((code == NE) | (code < 0), np.nan, ratio)
    before_pd = np.where(is_pd, np.nan, np.where(np.isnan(ratio), np.inf, ratio))
    nadir = np.minimum(1.0, np.nanmin(before_pd, axis=1))
    new = is_pd & ((rng.random((n, 1)) < P_PD_NEW_LESION) | (nadir[:, None] == 0))
    with np.errstate(divide="ignore"):
        pd_by_sum = nadir[:, None] * rng.uniform(1.25, 1.45, (n, 1)) + (6.5 / s0)[:, None]
    pd_with_new = nadir[:, None] * rng.uniform(1.0, 1.15, (n, 1))
    return np.where(is_pd, np.where(new, pd_with_new, pd_by_sum), ratio), new
