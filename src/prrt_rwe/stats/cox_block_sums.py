"""The Cox partial likelihood from per-time sums: WebDISCO (Lu et al. 2015, JAMIA 22:1212),
with Efron's ties exactly as R ``coxfit6.c``.

At a coefficient vector beta every quantity of the Newton step (log partial likelihood, score,
information) depends on the rows only through, for each distinct time t:

* over the rows with time t ("the block"): s0 = sum w e^eta, s1 = sum w e^eta x,
  s2 = sum w e^eta x x';
* over the deaths of the block: the same three sums (d0, d1, d2), their number and weight;
* over all deaths: xd = sum w x (the score's first term; loglik's is beta' xd).

Risk-set sums are sums of blocks with time >= t, so a site can compute its blocks alone
(:func:`cox_block_sums`), a coordinator adds the sites' blocks time by time
(:func:`merge_block_sums`) and evaluates the likelihood (:func:`likelihood_from_blocks`) with
the same virtual-death sums as the pooled fit (:mod:`prrt_rwe.stats.efron_sums`): the merged
blocks give the pooled fit's numbers to rounding.  ``x`` must be centred by the same vector
at every site (the pooled fit's weighted means).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.cox_efron import PartialLikelihood
from prrt_rwe.stats.efron_sums import virtual_sums
from prrt_rwe.stats.time_fix import aeq_times

__all__ = ["CoxBlockSums", "cox_block_sums", "likelihood_from_blocks", "merge_block_sums"]


@dataclass(frozen=True)
class CoxBlockSums:
    """Per distinct time (ascending): sums over the block's rows and over its deaths."""

    time: np.ndarray  # (G,)
    s0: np.ndarray  # (G,)
    s1: np.ndarray  # (G, p)
    s2: np.ndarray  # (G, p, p)
    d0: np.ndarray  # (G,)
    d1: np.ndarray  # (G, p)
    d2: np.ndarray  # (G, p, p)
    ndead: np.ndarray  # (G,) number of deaths
    deadwt: np.ndarray  # (G,) their weight
    xd: np.ndarray  # (p,) sum over every death of w x

    def arrays(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


FIELDS = ("time", "s0", "s1", "s2", "d0", "d1", "d2", "ndead", "deadwt", "xd")
_PER_TIME = FIELDS[1:-1]


def _grouped_sums(codes: np.ndarray, size: int, values: np.ndarray) -> np.ndarray:
    out = np.zeros((size,) + values.shape[1:])
    np.add.at(out, codes, values)
    return out


def cox_block_sums(time, event, X, beta, weights=None) -> CoxBlockSums:
    """A site's blocks at ``beta`` from its rows (``X`` centred as the pooled fit's)."""
    t = np.asarray(time, dtype=float).reshape(-1)
    e = np.asarray(event).astype(bool).reshape(-1)
    x = np.asarray(X, dtype=float).reshape(t.size, np.asarray(beta).size)   # a site may have no rows
    w = np.ones(t.size) if weights is None else np.asarray(weights, dtype=float)
    r = w * np.exp(x @ np.asarray(beta, dtype=float))
    grid, codes = np.unique(t, return_inverse=True)
    codes = codes.reshape(-1)
    rx = r[:, None] * x
    rxx = rx[:, :, None] * x[:, None, :]
    g, dead = grid.size, e.astype(float)
    return CoxBlockSums(
        time=grid, s0=_grouped_sums(codes, g, r), s1=_grouped_sums(codes, g, rx),
        s2=_grouped_sums(codes, g, rxx), d0=_grouped_sums(codes, g, r * dead),
        d1=_grouped_sums(codes, g, rx * dead[:, None]), d2=_grouped_sums(codes, g, rxx * dead[:, None, None]),
        ndead=_grouped_sums(codes, g, dead), deadwt=_grouped_sums(codes, g, w * dead),
        xd=(w * dead) @ x)


def merge_block_sums(parts) -> CoxBlockSums:
    """The sites' blocks added at equal times (times equal up to R's ``timefix`` count as
    equal, as in the pooled fit)."""
    parts = list(parts)
    times = np.concatenate([p.time for p in parts])
    fixed = aeq_times(times)
    grid, codes = np.unique(fixed, return_inverse=True)
    codes = codes.reshape(-1)
    merged = {name: _grouped_sums(codes, grid.size, np.concatenate([getattr(p, name) for p in parts]))
              for name in _PER_TIME}
    return CoxBlockSums(time=grid, xd=np.sum([p.xd for p in parts], axis=0), **merged)


def _from_later(values: np.ndarray) -> np.ndarray:
    """Sum over the blocks with time >= each time (the risk set)."""
    return np.cumsum(values[::-1], axis=0)[::-1]


def likelihood_from_blocks(blocks: CoxBlockSums, beta, ties: str = "efron") -> PartialLikelihood:
    """Log partial likelihood, score and information at ``beta`` (the beta of the blocks)."""
    beta = np.asarray(beta, dtype=float)
    S0, S1, S2 = _from_later(blocks.s0), _from_later(blocks.s1), _from_later(blocks.s2)
    g = np.flatnonzero(blocks.ndead > 0)
    vs = virtual_sums(S0[g], blocks.d0[g], np.rint(blocks.ndead[g]).astype(np.int64), blocks.deadwt[g], ties)
    S1, S2, d1, d2 = S1[g], S2[g], blocks.d1[g], blocks.d2[g]
    score = blocks.xd - (S1 * vs.c1[:, None] - d1 * vs.c1f[:, None]).sum(axis=0)
    cross = np.einsum("g,gi,gj->ij", vs.q1, S1, d1)
    info = (np.einsum("g,gij->ij", vs.c1, S2) - np.einsum("g,gij->ij", vs.c1f, d2)
            - np.einsum("g,gi,gj->ij", vs.q0, S1, S1) + cross + cross.T
            - np.einsum("g,gi,gj->ij", vs.q2, d1, d1))
    loglik = float(beta @ blocks.xd - vs.logd.sum())
    return PartialLikelihood(loglik, score, (info + info.T) / 2)
