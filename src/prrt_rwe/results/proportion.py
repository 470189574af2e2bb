"""A proportion as results.json writes it: ``{"n", "N", "estimate", "ci95"}``.

The interval is the exact Clopper-Pearson 95 % interval (Clopper & Pearson 1934; R
``binom.test``). With ``N == 0`` the estimate and the interval are ``None`` (not estimable).
"""

from __future__ import annotations

from prrt_rwe.stats.proportions import clopper_pearson


def proportion(n: int, N: int) -> dict:
    n, N = int(n), int(N)
    if N == 0:
        return {"n": n, "N": 0, "estimate": None, "ci95": [None, None]}
    lo, hi = clopper_pearson(n, N)
    return {"n": n, "N": N, "estimate": n / N, "ci95": [float(lo), float(hi)]}
