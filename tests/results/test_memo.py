"""results.memo (issue 17): lookups computed once inside an analysis, every time outside it;
the Arrow-hash lookups give what pandas' reindex gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results.memo import analysis_memo, memoized
from prrt_rwe.results.populations import positions, taken
from prrt_rwe.results.response import best_response


def test_memoized_once_inside_an_analysis_and_every_time_outside():
    frame, calls = pd.DataFrame({"a": [1]}), []

    def compute():
        calls.append(1)
        return len(calls)

    assert memoized("k", (frame,), compute) == 1 and memoized("k", (frame,), compute) == 2
    with analysis_memo():
        assert memoized("k", (frame,), compute, "x") == 3
        assert memoized("k", (frame,), compute, "x") == 3            # same frame, same key
        assert memoized("k", (frame,), compute, "y") == 4            # another key
        assert memoized("k", (frame.copy(),), compute, "x") == 5     # another frame
        with analysis_memo():                                        # nested: the same memo
            assert memoized("k", (frame,), compute, "x") == 3
    assert memoized("k", (frame,), compute, "x") == 6


def test_positions_are_reindex_lookups():
    index = pd.Index(["S1-3", "S1-1", "S2-7"], dtype="str")
    ids = pd.Index(["S2-7", "S9-9", "S1-3", "S1-1"], dtype="str")
    at = positions(ids, index)
    assert at.tolist() == pd.Series(range(3), index=index).reindex(ids).fillna(-1).astype(int).tolist()
    values = np.array([10.0, 11.0, 12.0])
    expected = pd.Series(values, index=index).reindex(ids).to_numpy()
    np.testing.assert_array_equal(taken(values, at), expected)
    assert np.isnan(taken(np.array([]), positions(ids[:1], index[:0]))).all()


def test_best_response_is_the_first_row_reindexed_with_ne_for_no_row():
    adrs = pd.DataFrame({"USUBJID": pd.array(["A", "A", "B", "C", "C"], dtype="str"),
                         "PARAMCD": pd.array(["CBOR", "CBOR", "BOR", "CBOR", "BOR"], dtype="str"),
                         "AVALC": pd.array(["PR", "SD", "CR", "PD", "PR"], dtype="str")})
    ids = pd.Index(["C", "B", "A", "Z"], dtype="str", name="USUBJID")
    rows = adrs.loc[adrs["PARAMCD"].eq("CBOR"), ["USUBJID", "AVALC"]].drop_duplicates("USUBJID")
    expected = rows.set_index("USUBJID")["AVALC"].astype("string").reindex(ids).fillna("NE")
    for memo in (False, True):
        if memo:
            with analysis_memo():
                got = best_response(adrs, "CBOR", ids)
        else:
            got = best_response(adrs, "CBOR", ids)
        pd.testing.assert_series_equal(got, expected)
    assert got.tolist() == ["PD", "NE", "PR", "NE"]
