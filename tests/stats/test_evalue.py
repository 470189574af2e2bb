"""E-values (VanderWeele & Ding 2017; VanderWeele 2020), as R EValue with rare = FALSE.

EValue is not packaged for Debian, so the references are the papers' worked example and the
formulas written out by hand below.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from prrt_rwe.stats import evalue


def test_vanderweele_ding_2017_worked_example():
    # Ann Intern Med 2017;167:268: breastfeeding and respiratory death (Victora et al.),
    # RR 3.9 (95 % CI 1.8 to 8.7): E-value 3.9 + sqrt(3.9 x 2.9) = 7.26 (the paper prints 7.2),
    # lower limit 1.8 + sqrt(1.8 x 0.8) = 1.8 + 1.2 = 3.0 exactly.
    e = evalue(3.9, 1.8, 8.7, measure="RR")
    assert e.point == pytest.approx(3.9 + math.sqrt(3.9 * 2.9))
    assert round(e.point, 2) == 7.26
    assert e.ci == pytest.approx(3.0)


def test_protective_rr_uses_the_upper_limit():
    # RR 0.5 (0.3, 0.8): 1/0.5 = 2 -> 2 + sqrt(2); CI: 1/0.8 = 1.25 -> 1.25 + sqrt(1.25 * 0.25)
    e = evalue(0.5, 0.3, 0.8)
    assert e.point == pytest.approx(2 + math.sqrt(2))
    assert e.ci == pytest.approx(1.25 + math.sqrt(1.25 * 0.25))


def test_odds_ratio_common_outcome_square_root():
    # OR 4 -> RR sqrt(4) = 2 -> 2 + sqrt(2); lower 2.25 -> 1.5 -> 1.5 + sqrt(0.75)
    e = evalue(4.0, 2.25, 7.0, measure="OR", rare=False)
    assert e.rr == pytest.approx(2.0)
    assert e.point == pytest.approx(2 + math.sqrt(2))
    assert e.ci == pytest.approx(1.5 + math.sqrt(0.75))


def test_hazard_ratio_common_outcome_vanderweele_2020():
    # HR 0.56 (0.46, 0.69), the EValue documentation's example:
    # RR = (1 - 0.5^sqrt(0.56)) / (1 - 0.5^sqrt(1/0.56)), below 1 so inverted.
    def rr(h):
        return (1 - 0.5 ** math.sqrt(h)) / (1 - 0.5 ** math.sqrt(1 / h))
    e = evalue(0.56, 0.46, 0.69, measure="HR", rare=False)
    inv = 1 / rr(0.56)
    assert e.rr == pytest.approx(rr(0.56))
    assert e.point == pytest.approx(inv + math.sqrt(inv * (inv - 1)))
    inv_hi = 1 / rr(0.69)
    assert e.ci == pytest.approx(inv_hi + math.sqrt(inv_hi * (inv_hi - 1)))
    assert round(rr(0.56), 3) == 0.670  # 0.5^0.74833 = 0.59530; 0.5^1.33631 = 0.39603: 0.40470 / 0.60397


def test_rare_outcome_takes_the_ratio_as_rr():
    assert evalue(2.0, 1.5, 3.0, measure="HR", rare=True).point == pytest.approx(2 + math.sqrt(2))


def test_ci_crossing_the_null_gives_one():
    assert evalue(1.3, 0.9, 1.9, measure="OR").ci == 1.0
    assert evalue(0.8, 0.6, 1.05, measure="HR").ci == 1.0
    assert evalue(1.0, 0.8, 1.2).point == 1.0


def test_bad_input():
    with pytest.raises(ValueError, match="positive"):
        evalue(0.0)
    with pytest.raises(ValueError, match="contain"):
        evalue(2.0, 2.5, 3.0)
    with pytest.raises(ValueError, match="measure"):
        evalue(2.0, measure="RD")


@given(st.floats(0.05, 20), st.sampled_from(["RR", "OR", "HR"]))
def test_evalue_of_estimate_and_its_inverse_agree(x, measure):
    # the E-value does not depend on the direction of the comparison
    assert evalue(x, measure=measure).point == pytest.approx(evalue(1 / x, measure=measure).point)
    assert evalue(x, measure=measure).point >= 1
