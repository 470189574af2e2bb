"""How the report shows numbers, and the small-cell rule (1 <= n < k masked, 0 shown)."""

from prrt_rwe.report.numbers import MASK, Numbers


def test_counts_below_threshold_are_masked_zero_is_not():
    nb = Numbers(5)
    assert [nb.count(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


def test_percentage_of_a_masked_count_or_denominator_is_masked():
    nb = Numbers(5)
    assert nb.n_pct(3, 40) == f"<5 ({MASK})"
    assert nb.n_pct(6, 40) == "6 (15.0 %)"
    assert nb.percent(0, 3) == MASK  # denominator 3 is itself a small cell
    p = {"n": 2, "N": 40, "estimate": 0.05, "ci95": [0.006, 0.169]}
    assert nb.proportion(p) == MASK


def test_no_threshold_shows_everything():
    nb = Numbers(None)
    assert nb.n_pct(1, 8) == "1 (12.5 %)"
    assert nb.proportion({"n": 1, "N": 8, "estimate": 0.125, "ci95": [0.00316, 0.5265]}) == \
        "12.5 % (0.3–52.6)"


def test_missing_values_read_as_not_reached_or_not_estimable():
    nb = Numbers()
    assert nb.months(None) == "NR"
    assert nb.ci(3.28, None) == "3.3–NE"
    assert nb.pvalue(0.0004) == "<0.001" and nb.pvalue(0.0312) == "0.031"
