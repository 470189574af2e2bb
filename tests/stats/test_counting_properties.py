"""Invariants of the wave-2 survival engines (hypothesis property tests):

* a row of case weight 0 changes nothing (Kaplan-Meier, Nelson-Aalen, as R survfit);
* splitting a subject's follow-up into (start, stop] pieces with the same covariates leaves
  the Cox fit and the Kaplan-Meier curve unchanged (the pieces cover the same event times);
* permuting the rows changes nothing ((start, stop] Cox, exact ties, tt, G-rho log-rank,
  (start, stop] Kaplan-Meier and concordance).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prrt_rwe import stats
from prrt_rwe.stats.concordance import concordance

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cohort(seed: int, n: int = 50):
    """Whole-number times (heavy ties), two covariates, weights, strata, a subject id."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    t = np.ceil(rng.exponential(8 * np.exp(-0.5 * X[:, 0]), n))
    e = (rng.random(n) < 0.7).astype(int)
    e[:3] = 1
    return t, e, X, rng.integers(0, 2, n), np.round(rng.uniform(0.5, 2, n), 2)


def split(t, e, X, rng, max_pieces=3):
    """Each subject's (0, t] cut at half-integers into up to ``max_pieces`` pieces; the event
    only on the last piece; every piece keeps the subject's covariates and id."""
    entry, stop, event, rows = [], [], [], []
    for i, (ti, ei) in enumerate(zip(t, e, strict=True)):
        k = rng.integers(0, min(max_pieces, int(ti))) if ti >= 2 else 0
        cuts = np.sort(rng.choice(np.arange(int(ti)) + 0.5, size=k, replace=False)) if k else np.empty(0)
        bounds = np.concatenate(([0.0], cuts, [ti]))
        for j in range(bounds.size - 1):
            entry.append(bounds[j])
            stop.append(bounds[j + 1])
            event.append(ei if j == bounds.size - 2 else 0)
            rows.append(i)
    rows = np.array(rows)
    return np.array(entry), np.array(stop), np.array(event), X[rows], rows


@SETTINGS
@given(seed=st.integers(0, 10_000), ties=st.sampled_from(["efron", "breslow"]))
def test_splitting_follow_up_leaves_the_cox_fit_unchanged(seed, ties):
    t, e, X, s, w = cohort(seed)
    a0, b0, e2, X2, rows = split(t, e, X, np.random.default_rng(seed))
    whole = stats.cox_ph(t, e, X, ties=ties, strata=s, weights=w, cluster=np.arange(t.size))
    parts = stats.cox_ph(b0, e2, X2, ties=ties, strata=s[rows], weights=w[rows], cluster=rows, entry=a0)
    np.testing.assert_allclose(parts.coef, whole.coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(parts.se, whole.se, rtol=1e-8)
    np.testing.assert_allclose(parts.robust_se, whole.robust_se, rtol=1e-8)
    assert parts.loglik == pytest.approx(whole.loglik, rel=1e-10)
    assert parts.score_test.statistic == pytest.approx(whole.score_test.statistic, rel=1e-8)
    assert parts.concordance == pytest.approx(whole.concordance, rel=1e-12)
    assert parts.concordance_se == pytest.approx(whole.concordance_se, rel=1e-8)
    for transform in ("km", "identity"):
        np.testing.assert_allclose(parts.ph_test(transform).chisq, whole.ph_test(transform).chisq, rtol=1e-7)
    bw, bp = whole.baseline_survival(), parts.baseline_survival()
    bp = bp.merge(bw[["strata", "time"]], on=["strata", "time"])  # the pieces add censoring-only times
    # each curve is for a subject at its fit's means (R: colMeans of the rows for (start, stop]
    # data), so compare the hazards at x = 0
    np.testing.assert_allclose(bp["cumhaz"] * np.exp(-parts.coef @ parts.means),
                               bw["cumhaz"] * np.exp(-whole.coef @ whole.means), rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(bp["n_risk"], bw["n_risk"], rtol=1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), estimator=st.sampled_from(["km", "fleming_harrington"]))
def test_splitting_follow_up_leaves_the_kaplan_meier_curve_unchanged(seed, estimator):
    t, e, _, _, w = cohort(seed)
    a0, b0, e2, _, rows = split(t, e, np.zeros((t.size, 1)), np.random.default_rng(seed))
    whole = stats.kaplan_meier(t, e, weights=w, estimator=estimator)
    parts = stats.kaplan_meier(b0, e2, weights=w[rows], entry=a0, estimator=estimator)
    for time in np.concatenate((whole.time, parts.time)):
        x, y = whole.survival_at(time), parts.survival_at(time)
        assert y.estimate == pytest.approx(x.estimate, rel=1e-12)
        assert y.std_err == pytest.approx(x.std_err, rel=1e-10, abs=1e-15, nan_ok=True)
        assert y.n_risk == pytest.approx(x.n_risk, rel=1e-12) or time not in whole.time
    assert parts.median == whole.median and parts.median_ci == whole.median_ci


def _curve_fields(km):
    return (km.time, km.survival, km.lower, km.upper, km.n_risk, km.n_event, km.std_err_log, km.cumhaz)


@SETTINGS
@given(seed=st.integers(0, 10_000), zero_time=st.floats(0, 30), zero_event=st.integers(0, 1),
       with_entry=st.booleans(), estimator=st.sampled_from(["km", "fleming_harrington"]))
def test_a_zero_weight_row_changes_nothing(seed, zero_time, zero_event, with_entry, estimator):
    t, e, _, _, w = cohort(seed)
    entry = np.floor(t / 3) if with_entry else None
    kw = {"estimator": estimator}
    a = stats.kaplan_meier(t, e, weights=w, entry=entry, **kw)
    t2, e2, w2 = np.append(t, zero_time + 0.5), np.append(e, zero_event), np.append(w, 0.0)
    entry2 = None if entry is None else np.append(entry, 0.0)
    b = stats.kaplan_meier(t2, e2, weights=w2, entry=entry2, **kw)
    for x, y in zip(_curve_fields(a), _curve_fields(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert a.n == b.n and a.median == b.median
    na, nb = stats.nelson_aalen(t, e, weights=w, entry=entry), stats.nelson_aalen(t2, e2, weights=w2, entry=entry2)
    np.testing.assert_array_equal(na.cumhaz, nb.cumhaz)
    np.testing.assert_array_equal(na.se, nb.se)


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_permuting_rows_changes_nothing(seed):
    t, e, X, s, w = cohort(seed)
    a0, b0, e2, X2, rows = split(t, e, X, np.random.default_rng(seed))
    perm = np.random.default_rng(seed + 1).permutation(b0.size)

    def fits(p):
        return (stats.cox_ph(b0[p], e2[p], X2[p], entry=a0[p], strata=s[rows][p], cluster=rows[p]),
                stats.cox_ph(t[p % t.size], e[p % t.size], X[p % t.size], ties="exact"),
                stats.cox_ph(t[p % t.size], e[p % t.size], X[p % t.size], tt={"x0": lambda x, u: x * np.log(u)}))

    identity = np.arange(b0.size)
    for x, y in zip(fits(identity), fits(perm), strict=True):
        np.testing.assert_allclose(y.coef, x.coef, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(y.var, x.var, rtol=1e-9, atol=1e-14)
        assert y.loglik == pytest.approx(x.loglik, rel=1e-12)
        assert y.concordance == pytest.approx(x.concordance, rel=1e-12)
    lr = [stats.logrank(t[p % t.size], e[p % t.size], s[p % t.size], rho=1) for p in (identity, perm)]
    assert lr[1].chisq == pytest.approx(lr[0].chisq, rel=1e-12)
    km = [stats.kaplan_meier(b0[p], e2[p], entry=a0[p], weights=w[rows][p]) for p in (identity, perm)]
    for x, y in zip(_curve_fields(km[0]), _curve_fields(km[1]), strict=True):
        np.testing.assert_allclose(y, x, rtol=1e-12)
    c = [concordance(b0[p], e2[p], X2[p, 0], entry=a0[p], cluster=rows[p]) for p in (identity, perm)]
    assert c[1].concordance == pytest.approx(c[0].concordance, rel=1e-12)
    assert c[1].std == pytest.approx(c[0].std, rel=1e-9)
