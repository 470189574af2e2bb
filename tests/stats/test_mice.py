"""The chained-equations engine: the rules of R mice (observed values kept, PMM imputes only
observed values, categories stay categories, conditional variables), determinism, and agreement
with R mice 3.15 within Monte-Carlo error on the same data and imputation model.

R reference: tests/validation/fixtures/mice_input.csv and r_pool.csv
(tests/validation/r/mice_pool.R: mice(m = 5) with pmm / logreg / polyreg on a registry-like
cohort, outcome and Nelson-Aalen cumulative hazard in the model).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.stats import ImputedVariable, cox_ph, mice, pool_rubin
from prrt_rwe.stats.mice import nelson_aalen_at
from prrt_rwe.stats.rubin import dfcom_cox

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
GRADES = ["G1", "G2", "G3"]
GROUPS = ["pancreas", "midgut", "hindgut", "foregut", "other"]


def _variables():
    return (ImputedVariable("ki67_percent", "pmm"), ImputedVariable("krenning_score", "pmm"),
            ImputedVariable("largest_liver_lesion_mm", "pmm"),
            ImputedVariable("who_grade", "polyreg", n_categories=3),
            ImputedVariable("ssa_concomitant", "logreg"))


def _data_and_aux():
    """The data R's mice imputed (mice_input.csv) as our engine takes it: imputed columns as
    numbers / codes, the complete ones (age, sex, primary group, burden, outcome) auxiliary."""
    base = pd.read_csv(FIXTURES / "mice_input.csv")
    data = np.column_stack([base["ki67_percent"], base["krenning_score"], base["largest_liver_lesion_mm"],
                            base["who_grade"].map({g: i for i, g in enumerate(GRADES)}),
                            base["ssa_concomitant"]]).astype(float)
    aux = np.column_stack([base["age"], (base["sex"] == "M").astype(float)]
                          + [(base["primary_group"] == g).astype(float) for g in GROUPS[1:]]
                          + [base["liver_tumor_burden_percent"], base["response"], base["event"], base["cumhaz"]])
    return base, data, aux


def test_nelson_aalen_equals_mice_nelsonaalen():
    base = pd.read_csv(FIXTURES / "mice_input.csv")
    np.testing.assert_allclose(nelson_aalen_at(base["days"], base["event"]), base["cumhaz"], rtol=1e-12)


def test_nelson_aalen_by_hand():
    # times 1, 2, 2, 3+, 4, 4, 4+, 5 (R mice::nelsonaalen): 1/8; + 1/7 + 1/6 (two tied events
    # among 7, Efron); + 1/4 + 1/3 (two of 4 at time 4); + 1/1
    h = nelson_aalen_at([1, 2, 2, 3, 4, 4, 4, 5], [1, 1, 1, 0, 1, 1, 0, 1])
    assert h[0] == pytest.approx(1 / 8)
    assert h[1] == h[3] == pytest.approx(1 / 8 + 1 / 7 + 1 / 6)
    assert h[4] == pytest.approx(1 / 8 + 1 / 7 + 1 / 6 + 1 / 4 + 1 / 3)
    assert h[7] == pytest.approx(h[4] + 1)


def test_observed_values_kept_and_imputations_valid():
    _, data, aux = _data_and_aux()
    imp = mice(data, _variables(), auxiliary=aux, m=3, seed=7)
    obs = ~np.isnan(data)
    for i in range(imp.m):
        c = imp.completed[i]
        assert not np.isnan(c).any()
        np.testing.assert_array_equal(c[obs], data[obs])
        for j, var in enumerate(_variables()):
            miss = np.isnan(data[:, j])
            if var.method == "pmm":  # only observed values are imputed
                assert np.isin(c[miss, j], data[~miss, j]).all()
            else:
                assert np.isin(c[miss, j], np.arange(max(var.n_categories, 2))).all()


def test_same_seed_same_data_sets_other_seed_others():
    _, data, aux = _data_and_aux()
    a = mice(data, _variables(), auxiliary=aux, m=2, seed=11)
    b = mice(data, _variables(), auxiliary=aux, m=2, seed=11)
    c = mice(data, _variables(), auxiliary=aux, m=2, seed=12)
    np.testing.assert_array_equal(a.completed, b.completed)
    assert not np.array_equal(a.completed, c.completed)


def test_agrees_with_r_mice_within_monte_carlo_error():
    base, data, aux = _data_and_aux()
    imp = mice(data, _variables(), auxiliary=aux, m=20, seed=20260502)
    q, u = [], []
    for i in range(imp.m):
        X = pd.DataFrame({
            "ki67_lt10": (imp.column(i, "ki67_percent") < 10).astype(float),
            "krenning4": (imp.column(i, "krenning_score") == 4).astype(float),
            "liver_burden_lt50": (base["liver_tumor_burden_percent"] < 50).astype(float),
            "liver_lesion_le30": (imp.column(i, "largest_liver_lesion_mm") <= 30).astype(float),
            "ssa": imp.column(i, "ssa_concomitant")})
        fit = cox_ph(base["days"], base["event"], X)
        q.append(fit.coef), u.append(fit.se ** 2)
    ours = pool_rubin(q, u, df_complete=dfcom_cox(fit.n_events, 5))
    r = pd.read_csv(FIXTURES / "r_pool.csv").query("model == 'coxph'")
    # R's pooled estimate (m = 5) carries Monte-Carlo error sqrt(b / 5) ~ 0.03; ours ~ 0.01
    diff = np.abs(ours.estimate - r["estimate"].to_numpy()) / r["std.error"].to_numpy()
    assert diff.max() < 0.25
    assert ours.fmi.max() < 0.5


def test_conditional_variable_only_where_it_applies():
    rng = np.random.default_rng(3)
    n = 300
    liver = (rng.uniform(size=n) < 0.6).astype(float)
    size = np.where(liver == 1, rng.gamma(3, 10, n), np.nan)
    liver[rng.uniform(size=n) < 0.1] = np.nan
    size[(rng.uniform(size=n) < 0.2) & (liver == 1)] = np.nan
    data = np.column_stack([liver, size])
    imp = mice(data, (ImputedVariable("liver", "logreg"),
                      ImputedVariable("size", "pmm", applies_when=("liver", 1.0), otherwise=0.0)),
               auxiliary=rng.normal(size=(n, 1)), m=2, seed=1)
    for c in imp.completed:
        no_liver = c[:, 0] == 0
        assert (c[no_liver & np.isnan(size), 1] == 0).all()
        assert (c[~no_liver, 1] > 0).all()


def test_a_variable_missing_everywhere_is_named():
    data = np.column_stack([np.full(5, np.nan), np.arange(5.0)])
    with pytest.raises(ValueError, match="ki67_percent: missing for every patient"):
        mice(data, (ImputedVariable("ki67_percent", "pmm"), ImputedVariable("age", "pmm")))


def test_chains_in_processes_give_the_same_data_sets():
    _, data, aux = _data_and_aux()
    one = mice(data, _variables(), auxiliary=aux, m=2, iterations=2, seed=5)
    two = mice(data, _variables(), auxiliary=aux, m=2, iterations=2, seed=5, workers=2)
    np.testing.assert_array_equal(one.completed, two.completed)
    np.testing.assert_array_equal(one.trace, two.trace)
