"""The Arrow forms of the per-column helpers give what the pandas forms gave (issue 17):
empty cells, text values with the empty cells missing, the values that recur, and the
patient codes hashed once per run of rows of one patient."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.ingest.keys import make_patient_key
from prrt_rwe.ingest.parse import ParsedTable, _text_values
from prrt_rwe.ingest.quality import _recurs
from prrt_rwe.ingest.raw import empty_cells

CELLS = ["a", "", " b", "", "é", "a"]


@pytest.mark.parametrize("text", [
    pd.Series(CELLS, dtype="str"),
    pd.Series(CELLS + [None], dtype="str"),          # a missing cell is not empty
    pd.Series(CELLS, dtype=object),                  # not Arrow-backed: the pandas comparison
    pd.Series(["x", "y"], dtype="str"),
    pd.Series([], dtype="str"),
], ids=["arrow", "arrow-missing", "object", "none-empty", "no-rows"])
def test_empty_cells_and_text_values_match_pandas(text):
    expected_empty = (text == "").to_numpy(dtype=bool)
    empty = empty_cells(text)
    assert empty.dtype == bool and empty.tolist() == expected_empty.tolist()
    expected = text.where(text != "", None)
    values = _text_values(text, empty)
    assert values.dtype == expected.dtype
    assert values.index.equals(expected.index)
    assert values.isna().tolist() == expected.isna().tolist()
    assert values.dropna().tolist() == expected.dropna().tolist()


def test_text_values_of_a_chunked_column():
    text = pd.concat([pd.Series(["a", ""], dtype="str"), pd.Series(["", "b"], dtype="str")],
                     ignore_index=True)
    values = _text_values(text, empty_cells(text))
    assert values.isna().tolist() == [False, True, True, False]
    assert values.dropna().tolist() == ["a", "b"]


@pytest.mark.parametrize("values", [
    np.array([5, 1, 5, 2, 3, 3, 3, 9], dtype=np.uint64),
    np.array([2**64 - 1, 0, 2**64 - 1], dtype=np.uint64),
    np.array([7], dtype=np.uint64),
    np.zeros(0, dtype=np.uint64),
    np.random.default_rng(1).integers(0, 50, 10_000).astype(np.uint64),
    np.arange(1000, dtype=np.uint64)[::-1].copy(),   # nothing recurs
    np.concatenate([np.random.default_rng(2).integers(0, 2**63, 5000, dtype=np.uint64) * np.uint64(2),
                    np.array([0, 2**64 - 1, 0], dtype=np.uint64)]),   # the extremes, a few recurring
])
def test_recurs_is_duplicated_keep_false(values):
    assert _recurs(values).tolist() == pd.Series(values).duplicated(keep=False).tolist()


def _patients(site, patient):
    values = pd.DataFrame({"site_id": pd.Series(site, dtype="str"),
                           "patient_id": pd.Series(patient, dtype="str")})
    return ParsedTable(None, values)


_RNG = np.random.default_rng(3)
_SITES = _RNG.choice(["A", "B", None], 2000, p=[0.5, 0.45, 0.05]).tolist()
_IDS = [None if _RNG.random() < 0.03 else f"P{_RNG.integers(0, 300)}" for _ in range(2000)]


@pytest.mark.parametrize("site, patient", [
    (sorted(s or "" for s in _SITES), sorted(p or "" for p in _IDS)),   # grouped, with empty parts
    (_SITES, _IDS),                                                     # shuffled, with missing parts
    (["a\x1fb", "a", "a", "x"], ["c", "b\x1fc", "b\x1fc", None]),        # two pairs, one key
    (["A"], ["1"]),
    ([], []),
], ids=["grouped", "shuffled", "separator", "one-row", "no-rows"])
def test_patient_codes_match_factorize_of_the_row_keys(site, patient):
    table = _patients(site, patient)
    codes, uniques = table.patient_codes
    expected_codes, expected = pd.factorize(make_patient_key(table.values), use_na_sentinel=True)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.equals(pd.Index(expected)) and uniques.dtype == pd.Index(expected).dtype
