"""The Cox model and the logistic model from sums over sites (federated fits) equal the pooled
fits: WebDISCO risk-set sums (stats/cox_block_sums.py), site strata summed, and IRLS sums
(stats/logistic_fit.py), each iterated by the pooled driver (newton_from, irls).  The pooled
engines are the ones checked against R (tests/stats/test_cox_r.py, test_logistic.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prrt_rwe import stats
from prrt_rwe.stats.cox_block_sums import cox_block_sums, likelihood_from_blocks, merge_block_sums
from prrt_rwe.stats.cox_efron import PartialLikelihood, partial_likelihood
from prrt_rwe.stats.cox_newton import newton_from
from prrt_rwe.stats.logistic_fit import IrlsSums, irls, irls_sums
from prrt_rwe.stats.risk_sets import risk_sets


def cohort(seed: int, n: int = 400, sites: int = 6):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.random(n) < 0.4, rng.random(n) < 0.6, rng.normal(size=n)]).astype(float)
    time = np.ceil(rng.exponential(40 * np.exp(-X @ [0.5, -0.3, 0.2]))).astype(float)  # tied days
    event = (rng.random(n) < 0.7).astype(int)
    return time, event, X, rng.integers(0, sites, n)


def test_a_site_without_rows_adds_nothing():
    time, event, X, _ = cohort(3, n=60)
    Xc, beta = X - X.mean(axis=0), np.array([0.2, -0.1, 0.3])
    empty = cox_block_sums(np.empty(0), np.empty(0, dtype=int), np.empty((0, 3)), beta)
    assert empty.time.shape == (0,) and empty.s1.shape == (0, 3) and empty.s2.shape == (0, 3, 3)
    alone = likelihood_from_blocks(cox_block_sums(time, event, Xc, beta), beta, "efron")
    both = likelihood_from_blocks(merge_block_sums([cox_block_sums(time, event, Xc, beta), empty]), beta, "efron")
    assert both.loglik == alone.loglik
    np.testing.assert_array_equal(both.score, alone.score)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["efron", "breslow"]))
def test_webdisco_likelihood_equals_the_pooled_pass(seed, ties):
    time, event, X, site = cohort(seed, n=120)
    Xc = X - X.mean(axis=0)
    beta = np.random.default_rng(seed + 1).normal(scale=0.4, size=3)
    rs = risk_sets(time, event, None, None, ties)
    pooled = partial_likelihood(rs, Xc[rs.order], beta)
    blocks = merge_block_sums(cox_block_sums(time[site == s], event[site == s], Xc[site == s], beta)
                              for s in np.unique(site))
    fed = likelihood_from_blocks(blocks, beta, ties)
    assert fed.loglik == pytest.approx(pooled.loglik, rel=1e-12)
    np.testing.assert_allclose(fed.score, pooled.score, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(fed.information, pooled.information, rtol=1e-10, atol=1e-10)


def _reference(X, event):
    centred = X - X.mean(axis=0)
    return ((centred ** 2).mean(axis=0)) * event.sum()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_webdisco_fit_equals_cox_ph(seed):
    time, event, X, site = cohort(seed)
    pooled = stats.cox_ph(time, event, X)
    centre = X.mean(axis=0)
    names = ("a", "b", "c")

    def evaluate(beta):
        parts = [cox_block_sums(time[site == s], event[site == s], X[site == s] - centre, beta)
                 for s in np.unique(site)]
        return likelihood_from_blocks(merge_block_sums(parts), beta, "efron")

    fit = newton_from(evaluate, names, _reference(X, event))
    np.testing.assert_allclose(fit.beta, pooled.coef, rtol=1e-10)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.var)), pooled.se, rtol=1e-10)
    assert fit.iterations == pooled.iterations


@pytest.mark.parametrize("seed", [4, 5])
def test_summed_site_strata_equal_the_site_stratified_fit(seed):
    time, event, X, site = cohort(seed)
    pooled = stats.cox_ph(time, event, X, strata=site)
    centre = X.mean(axis=0)

    def evaluate(beta):
        pls = []
        for s in np.unique(site):
            rs = risk_sets(time[site == s], event[site == s], None, None, "efron")
            pls.append(partial_likelihood(rs, (X[site == s] - centre)[rs.order], beta))
        return PartialLikelihood(sum(p.loglik for p in pls), sum(p.score for p in pls),
                                 sum(p.information for p in pls))

    fit = newton_from(evaluate, ("a", "b", "c"), _reference(X, event))
    np.testing.assert_allclose(fit.beta, pooled.coef, rtol=1e-10)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.var)), pooled.se, rtol=1e-10)


@pytest.mark.parametrize("seed", [6, 7])
def test_distributed_irls_equals_logistic(seed):
    rng = np.random.default_rng(seed)
    n = 300
    X = np.column_stack([rng.random(n) < 0.5, rng.normal(size=n)]).astype(float)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ [0.8, -0.5])))).astype(float)
    site = rng.integers(0, 5, n)
    pooled = stats.logistic(y, X)
    D = np.column_stack([np.ones(n), X])

    def sums_at(coef):
        parts = [irls_sums(D[site == s], y[site == s], coef) for s in np.unique(site)]
        return IrlsSums(sum(p.information for p in parts), sum(p.rhs for p in parts),
                        sum(p.deviance for p in parts))

    fit = irls(sums_at)
    np.testing.assert_allclose(fit.coef, pooled.coef, rtol=1e-12)
    np.testing.assert_allclose(np.sqrt(np.diag(np.linalg.inv(fit.information))), pooled.se, rtol=1e-12)
    assert fit.iterations == pooled.iterations
