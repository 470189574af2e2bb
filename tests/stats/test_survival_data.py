"""The survival-data contract (architecture rule 4): errors name the column and the rows."""

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.stats.survival_data import SurvivalDataError, survival_data


def test_valid_input_comes_back_as_plain_arrays():
    sd = survival_data(pd.Series([3.0, 0.0, 5.5]), [True, False, True],
                       X=pd.DataFrame({"a": [1, 2, 3], "b": [True, False, True]}),
                       weights=[1, 2.5, 1], strata=["s2", "s1", "s2"], cluster=[7, 7, 9])
    assert sd.n == 3
    assert sd.event.tolist() == [1, 0, 1]
    assert sd.names == ("a", "b")
    assert sd.X[:, 1].tolist() == [1.0, 0.0, 1.0]
    assert sd.strata.tolist() == [1, 0, 1] and sd.strata_levels == ("s1", "s2")
    assert sd.cluster_levels == (7, 9)


@pytest.mark.parametrize("time, rows", [([1, -1, 2, -3], [1, 3]), ([1, np.nan, np.inf, 2], [1, 2])])
def test_bad_times_are_named_with_their_rows(time, rows):
    with pytest.raises(SurvivalDataError) as err:
        survival_data(time, [1, 0, 1, 0])
    assert err.value.column == "time"
    assert err.value.rows == rows
    assert str(err.value).startswith("time: must be finite and >= 0; offending rows")


def test_event_must_be_zero_or_one():
    with pytest.raises(SurvivalDataError, match=r"event: must be 0 \(censored\) or 1 \(event\); "
                                                r"offending rows \[2\] \(1 rows\)"):
        survival_data([1, 2, 3], [0, 1, 2])


def test_unequal_lengths_and_non_positive_weights():
    with pytest.raises(SurvivalDataError, match="event: has 2 rows, expected 3"):
        survival_data([1, 2, 3], [0, 1])
    with pytest.raises(SurvivalDataError) as err:
        survival_data([1, 2, 3], [0, 1, 1], weights=[1, 0, -2])
    assert (err.value.column, err.value.rows) == ("weights", [1, 2])


def test_missing_covariate_names_the_column_and_rows():
    X = pd.DataFrame({"ki67_lt10": [1.0, None, 0.0, None]})
    with pytest.raises(SurvivalDataError) as err:
        survival_data([1, 2, 3, 4], [1, 1, 0, 0], X=X)
    assert (err.value.column, err.value.rows) == ("ki67_lt10", [1, 3])


def test_missing_strata_label_is_rejected():
    with pytest.raises(SurvivalDataError, match=r"strata: has missing labels; offending rows \[0\]"):
        survival_data([1, 2], [1, 0], strata=[None, "a"])


def test_long_row_lists_are_truncated_in_the_message():
    with pytest.raises(SurvivalDataError, match=r"offending rows \[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, \.\.\.\] "
                                                r"\(12 rows\)"):
        survival_data(-np.ones(12), np.ones(12))


def test_text_labels_codes_and_levels_in_code_point_order():
    """as_labels on text (str Series, category, object or NumPy str array): levels sorted by
    code point, as pandas' Arrow-backed str sorts them, codes into those levels."""
    import numpy as np
    import pandas as pd

    from prrt_rwe.stats.survival_data import as_labels

    text = ["b", "B", "é", "\U0001F600", "\uffff", "10", "9", "b"]
    expected_levels = ("10", "9", "B", "b", "é", "\uffff", "\U0001F600")
    for labels in (pd.Series(text, dtype="str"), pd.Series(text).astype("category"),
                   np.array(text, dtype=object), np.array(text)):
        codes, levels = as_labels(labels, len(text), "group")
        assert levels == expected_levels
        assert all(type(level) is str for level in levels)
        assert [levels[c] for c in codes] == text
        reference, ref_levels = pd.factorize(pd.Series(text, dtype="str"), sort=True)
        assert codes.tolist() == reference.tolist() and levels == tuple(ref_levels.tolist())


def test_missing_text_label_is_rejected_with_its_row():
    import numpy as np
    import pytest

    from prrt_rwe.stats.survival_data import SurvivalDataError, as_labels

    with pytest.raises(SurvivalDataError, match="missing labels"):
        as_labels(np.array(["a", None, "b"], dtype=object), 3, "group")
