"""stats.chi_squared against scipy.stats (the functions it stands in for): the same bits."""

import numpy as np
import pytest
from scipy.stats import chi2, chi2_contingency

from prrt_rwe.stats.chi_squared import chi2_sf, yates_chi2_p


def test_yates_p_equals_chi2_contingency_bit_for_bit():
    rng = np.random.default_rng(17)
    checked = 0
    for scale in (3, 12, 150, 10**4, 10**7):
        for table in rng.integers(0, scale, size=(600, 2, 2)):
            if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
                continue
            assert yates_chi2_p(table) == float(chi2_contingency(table, correction=True).pvalue), table
            checked += 1
    assert checked > 2500


def test_yates_p_equals_r_chisq_test():
    # R 4.x: chisq.test(matrix(c(12, 5, 7, 20), 2)) -> X-squared 6.75847265221878,
    # p-value 0.00933035874515041 (by hand: E = 7.341, 11.659, 9.659, 15.341; |O - E| = 4.659;
    # (4.659 - 0.5)^2 x sum(1 / E) = 6.758)
    assert yates_chi2_p([[12, 7], [5, 20]]) == pytest.approx(0.00933035874515041, rel=1e-12)


def test_yates_p_rejects_an_empty_margin():
    with pytest.raises(ValueError):
        yates_chi2_p([[0, 0], [3, 4]])


def test_chi2_sf_equals_scipy_including_the_edges():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.exponential(6.0, 4000), rng.exponential(200.0, 200),
                        [0.0, -0.0, -1e-17, -3.0, np.inf, 1e-300, np.nan]])
    df = rng.integers(1, 9, x.shape[0])
    np.testing.assert_array_equal(chi2_sf(x, df), chi2.sf(x, df))
