"""Binomial CIs against R binom.test / prop.test (tests/validation/r/proportions.R)."""

from pathlib import Path

import pandas as pd
import pytest

from prrt_rwe import stats

R = pd.read_csv(Path(__file__).parents[1] / "validation" / "fixtures" / "r_proportions.csv")


@pytest.mark.parametrize("row", list(R.itertuples(index=False)), ids=lambda r: f"{r.k:g}/{r.n:g}@{r.conf}")
def test_clopper_pearson_and_wilson_equal_r(row):
    lo, hi = stats.clopper_pearson(int(row.k), int(row.n), conf_level=row.conf)
    assert lo == pytest.approx(row.cp_lower, rel=1e-6, abs=1e-14)
    assert hi == pytest.approx(row.cp_upper, rel=1e-6, abs=1e-14)
    lo, hi = stats.wilson(int(row.k), int(row.n), conf_level=row.conf)
    assert lo == pytest.approx(row.wilson_lower, rel=1e-6, abs=1e-14)
    assert hi == pytest.approx(row.wilson_upper, rel=1e-6, abs=1e-14)


def test_edges_are_exactly_zero_and_one():
    # k = 0: lower limit 0 and upper 1 - (alpha/2)^(1/n); k = n: the mirror image
    assert stats.clopper_pearson(0, 10) == (0.0, pytest.approx(1 - 0.025 ** (1 / 10)))
    assert stats.clopper_pearson(10, 10) == (pytest.approx(0.025 ** (1 / 10)), 1.0)


def test_proportion_record_matches_results_contract():
    p = stats.proportion(98, 383)
    assert p.to_dict() == {"n": 98, "N": 383, "estimate": 98 / 383, "ci95": list(stats.clopper_pearson(98, 383))}


@pytest.mark.parametrize("k, n", [(-1, 5), (6, 5), (1, 0), (1.5, 4)])
def test_invalid_counts_are_rejected(k, n):
    with pytest.raises(ValueError):
        stats.clopper_pearson(k, n)
