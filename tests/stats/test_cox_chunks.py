"""The chunked (parallel) Cox pass equals the sequential one (cox_chunks; used from 200,000
rows, so the R comparisons at smaller sizes never reach it): same log-likelihood, score and
information to rounding, for strata that begin inside, at and across chunk boundaries."""

import numpy as np
import pytest

from prrt_rwe.stats import cox_efron
from prrt_rwe.stats.cox_chunks import chunk_bounds, chunked_pass
from prrt_rwe.stats.risk_sets import risk_sets, sorted_centred


def _layout(seed, n, n_strata, weighted, ties):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.uniform(0, 3, n)])
    t = np.ceil(rng.exponential(20 * np.exp(-0.4 * X[:, 0]), n))
    e = (rng.random(n) < 0.7).astype(int)
    w = rng.uniform(0.5, 2, n) if weighted else None
    strata = rng.integers(0, n_strata, n) if n_strata > 1 else None
    rs = risk_sets(t, e, w, strata, ties)
    Xs = sorted_centred(X, rs.order, X.mean(axis=0))
    block_stratum = rs.stratum_s[rs.block_start]
    new_stratum = np.concatenate(([True], block_stratum[1:] != block_stratum[:-1]))
    return rs, Xs, new_stratum, rng.normal(size=3) * 0.3


@pytest.mark.parametrize("seed, n, n_strata, weighted, ties", [
    (1, 3000, 1, False, "efron"), (2, 3000, 3, True, "efron"), (3, 2000, 40, True, "breslow"),
    (4, 500, 2, False, "breslow"), (5, 4000, 7, False, "efron")])
def test_chunked_pass_equals_the_sequential_pass(seed, n, n_strata, weighted, ties):
    rs, Xs, new_stratum, beta = _layout(seed, n, n_strata, weighted, ties)
    seq = cox_efron.likelihood_evaluator(rs, Xs)(beta)  # n < MIN_ROWS: the sequential kernel
    loglik, score, info = chunked_pass(Xs, beta, rs.weight_s, rs.event_s, rs.block_start, new_stratum,
                                       ties == "efron")
    assert loglik == pytest.approx(seq.loglik, rel=1e-12)
    np.testing.assert_allclose(score, seq.score, rtol=1e-9, atol=1e-9 * np.abs(seq.score).max())
    np.testing.assert_allclose(info, seq.information, rtol=1e-10)


def test_chunks_split_at_block_boundaries_into_about_equal_parts():
    block_start = np.array([0, 10, 11, 50, 51, 52, 90])
    bounds = chunk_bounds(block_start, 100, chunks=4)
    assert bounds[0] == 0 and bounds[-1] == block_start.size
    assert np.all(np.diff(bounds) > 0)
