"""Gray's K-sample test for equality of cumulative incidence functions (Gray 1988, Ann Stat
16:1141-54), as R ``cmprsk::cuminc(ftime, fstatus, group, strata, rho = 0)$Tests``.

For the cause of interest, the score of group k sums over the distinct event times
fb(t) (d_1k − d_1 R_k / sum_r R_r), with R_k = Y_k (1 − F_1k(t−)) / S_k(t−) (Y_k at risk,
S_k the group's Kaplan–Meier, F_1k its cumulative incidence) and fb = (1 − F_1(t−))^rho;
its variance is Gray's (the ``crst`` Fortran routine of cmprsk 2.2-11, translated line by
line, including its small-sample factors). The statistic s' V⁻¹ s over the first K − 1 groups
is chi-square with K − 1 df; strata add their scores and variances. Groups are the sorted
distinct labels (R factor levels); events of every other cause are the competing ones.
Cost O(n) counting plus O(T K²) for T distinct times (the Fortran loop, compiled).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit
from scipy.special import chdtrc

from prrt_rwe.stats.competing_data import competing_data
from prrt_rwe.stats.event_table import time_index
from prrt_rwe.stats.survival_data import SurvivalDataError, as_labels

__all__ = ["GrayTest", "gray_test"]


@dataclass(frozen=True)
class GrayTest:
    statistic: float
    df: int
    p: float
    groups: tuple
    score: np.ndarray      # scores of the first K − 1 groups
    variance: np.ndarray   # their (K − 1)² variance
    cause: int
    rho: float = 0.0
    strata: tuple = ()
    test: str = "Gray (cmprsk::cuminc)"


@njit(cache=CACHE)
def _crst(d, rs0, rho):
    """Score (ng-1) and packed variance of one stratum; d[t, group, m] with m = 0 censored,
    1 cause of interest, 2 other cause (cmprsk crst, variables named as there)."""
    n_times, ng, _ = d.shape
    ng1 = ng - 1
    rs = rs0.astype(np.float64).copy()
    s = np.zeros(ng1)
    v = np.zeros((ng1, ng1))
    f1m = np.zeros(ng)
    f1 = np.zeros(ng)
    skmm = np.ones(ng)
    skm = np.ones(ng)
    v3 = np.zeros(ng)
    v2 = np.zeros((ng1, ng))
    c = np.zeros((ng, ng))
    a = np.zeros((ng, ng))
    fm = 0.0
    f = 0.0
    for it in range(n_times):
        nd1 = 0.0
        nd2 = 0.0
        for i in range(ng):
            nd1 += d[it, i, 1]
            nd2 += d[it, i, 2]
        if nd1 > 0 or nd2 > 0:
            tr = 0.0
            tq = 0.0
            for i in range(ng):
                if rs[i] <= 0:
                    continue
                td = d[it, i, 1] + d[it, i, 2]
                skm[i] = skmm[i] * (rs[i] - td) / rs[i]
                f1[i] = f1m[i] + (skmm[i] * d[it, i, 1]) / rs[i]
                tr += rs[i] / skmm[i]
                tq += rs[i] * (1 - f1m[i]) / skmm[i]
            f = fm + nd1 / tr
            fb = (1 - fm) ** rho
            for i in range(ng):
                for j in range(i, ng):
                    a[i, j] = 0.0
                if rs[i] <= 0:
                    continue
                t1 = rs[i] / skmm[i]
                a[i, i] = fb * t1 * (1 - t1 / tr)
                c[i, i] += a[i, i] * nd1 / (tr * (1 - fm))
                for j in range(i + 1, ng):
                    if rs[j] <= 0:
                        continue
                    a[i, j] = -fb * t1 * rs[j] / (skmm[j] * tr)
                    c[i, j] += a[i, j] * nd1 / (tr * (1 - fm))
            for i in range(1, ng):
                for j in range(i):
                    a[i, j] = a[j, i]
                    c[i, j] = c[j, i]
            for i in range(ng1):
                if rs[i] <= 0:
                    continue
                s[i] += fb * (d[it, i, 1] - nd1 * rs[i] * (1 - f1m[i]) / (skmm[i] * tq))
            if nd1 > 0:
                for k in range(ng):
                    if rs[k] <= 0:
                        continue
                    t4 = 1.0
                    if skm[k] > 0:
                        t4 = 1 - (1 - f) / skm[k]
                    t5 = 1.0
                    if nd1 > 1:
                        t5 = 1 - (nd1 - 1) / (tr * skmm[k] - 1)
                    t3 = t5 * skmm[k] * nd1 / (tr * rs[k])
                    v3[k] += t4 * t4 * t3
                    for i in range(ng1):
                        t1 = a[i, k] - t4 * c[i, k]
                        v2[i, k] += t1 * t4 * t3
                        for j in range(i + 1):
                            t2 = a[j, k] - t4 * c[j, k]
                            v[i, j] += t1 * t2 * t3
            if nd2 > 0:
                for k in range(ng):
                    if skm[k] <= 0 or d[it, k, 2] <= 0:
                        continue
                    t4 = (1 - f) / skm[k]
                    t5 = 1.0
                    if d[it, k, 2] > 1:
                        t5 = 1 - (d[it, k, 2] - 1.0) / (rs[k] - 1.0)
                    t3 = t5 * ((skmm[k] ** 2) * d[it, k, 2]) / (rs[k] ** 2)
                    v3[k] += t4 * t4 * t3
                    for i in range(ng1):
                        t1 = t4 * c[i, k]
                        v2[i, k] -= t1 * t4 * t3
                        for j in range(i + 1):
                            t2 = t4 * c[j, k]
                            v[i, j] += t1 * t2 * t3
        if it == n_times - 1:
            break
        for i in range(ng):
            rs[i] -= d[it, i, 0] + d[it, i, 1] + d[it, i, 2]
        fm = f
        for i in range(ng):
            f1m[i] = f1[i]
            skmm[i] = skm[i]
    for i in range(ng1):
        for j in range(i + 1):
            for k in range(ng):
                v[i, j] += c[i, k] * c[j, k] * v3[k]
                v[i, j] += c[i, k] * v2[j, k]
                v[i, j] += c[j, k] * v2[i, k]
    for i in range(ng1):
        for j in range(i):
            v[j, i] = v[i, j]
    return s, v


@njit(cache=CACHE)
def _count_cells(code, g, m, n_times, ng):
    d = np.zeros((n_times, ng, 3))
    for i in range(code.shape[0]):
        d[code[i], g[i], m[i]] += 1.0
    return d


def _stratum_counts(t, m, g, ng) -> tuple[np.ndarray, np.ndarray]:
    """d[time, group, m] over the distinct times of one stratum (one compiled counting pass),
    and the group sizes."""
    code, grid, dense = time_index(t)
    d = _count_cells(code, g, m, grid.size, ng)
    if dense:
        d = d[d.sum(axis=(1, 2)) > 0]
    return d, d.sum(axis=(0, 2))


def _cause_codes(s: np.ndarray, cause: int) -> np.ndarray:
    """0 censored, 1 the cause of interest, 2 any other cause (cmprsk's coding)."""
    if cause == 1 and s.max(initial=0) <= 2:
        return s
    lut = np.full(int(max(s.max(initial=0), cause)) + 1, 2, dtype=np.int64)
    lut[0], lut[cause] = 0, 1
    return lut[s]


def gray_test(time, status, group, *, cause: int = 1, strata=None, rho: float = 0.0) -> GrayTest:
    """Gray's test of cause ``cause`` across ``group`` (see the module doc)."""
    t, s = competing_data(time, status)
    g, levels = as_labels(group, t.shape[0], "group")
    ng = len(levels)
    if ng < 2:
        raise SurvivalDataError("group", f"needs at least two groups, got {list(levels)}")
    m = _cause_codes(s, int(cause))
    st, st_levels = (np.zeros(t.shape[0], np.intp), ()) if strata is None \
        else as_labels(strata, t.shape[0], "strata")
    score, var = np.zeros(ng - 1), np.zeros((ng - 1, ng - 1))
    for k in range(max(len(st_levels), 1)):
        rows = st == k if strata is not None else slice(None)
        d, rs = _stratum_counts(t[rows], m[rows], g[rows], ng)
        sk, vk = _crst(d, rs, float(rho))
        score += sk
        var += vk
    statistic = _quadratic_form(score, var)
    df = ng - 1
    p = float(chdtrc(df, statistic)) if np.isfinite(statistic) else float("nan")
    return GrayTest(statistic, df, p, tuple(levels), score, var, int(cause), float(rho),
                    tuple(st_levels))


def _quadratic_form(score: np.ndarray, var: np.ndarray) -> float:
    """s' V⁻¹ s; NaN when V is singular (R's cuminc reports -1 then)."""
    if np.linalg.matrix_rank(var) < var.shape[0]:
        return float("nan")
    return float(score @ np.linalg.solve(var, score))
