"""Canonical numbers (byte-identical results.json) and the long ARD layout (R cards)."""

import math

import numpy as np
import pandas as pd

from prrt_rwe.report.ard import ard
from prrt_rwe.results.canonical import canonical, number


def test_ten_significant_digits_and_nulls():
    assert number(1 / 3) == 0.3333333333
    assert number(123456789012.0) == 123456789000.0
    assert number(2.5e-7 / 3) == 8.333333333e-08
    assert number(-0.0) == 0.0 and math.copysign(1, number(-0.0)) == 1
    assert number(float("nan")) is None and number(np.inf) is None
    assert number(np.int64(7)) == 7 and isinstance(number(np.int64(7)), int)
    assert canonical({"a": [np.float64(0.123456789012), pd.NA], "b": (1, None)}) == {"a": [0.123456789, None],
                                                                                 "b": [1, None]}


def _stat(frame, **where):
    rows = frame
    for k, v in where.items():
        rows = rows[rows[k] == v]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_proportion_terms_and_groups_become_long_rows():
    results = {
        "schema": "prrt-rwe/results/1",
        "response": {"orr": {"n": 3, "N": 7, "estimate": 0.428571, "ci95": [0.0989883, 0.815948]},
                     "by_primary_group": {"pancreas": {"n": 2, "N": 2, "estimate": 1.0, "ci95": [0.158, 1.0]}}},
        "models": {"pfs_cox": {"n": 7, "ties": "efron",
                               "terms": [{"term": "krenning4", "hr": 0.65, "ci95": [0.43, 0.99], "p": 0.04}]}},
        "followup_median_months": 15.1,
        "benchmarks": [{"study": "netter1", "endpoint": "orr", "published": 0.18, "ours": 0.43}],
    }
    frame = ard(results, {})
    assert _stat(frame, context="response", variable="orr", stat_name="conf.high")["stat"] == 0.815948
    assert _stat(frame, context="response", group1_level="pancreas", stat_name="n")["stat"] == 2
    hr = _stat(frame, context="models", variable_level="krenning4", stat_name="hr")
    assert hr["variable"] == "pfs_cox.terms" and hr["stat"] == 0.65
    assert _stat(frame, context="models", stat_name="ties")["stat_chr"] == "efron"
    assert _stat(frame, context="benchmarks", group1_level="netter1", stat_name="ours")["stat"] == 0.43
    assert _stat(frame, context="followup_median_months")["stat"] == 15.1
    assert "schema" not in set(frame["context"])
    assert not frame["variable_level"].eq("krenning4").sum() > 4  # hr, lo, hi, p only


def test_count_tables_put_the_level_in_variable_level():
    results = {"response": {"bor_counts": {"CR": 1, "PR": 2}},
               "safety": {"lab": {"worst_grade": {"platelets": {"0": 5, "3": 1}}}}}
    frame = ard(results, {})
    cr = _stat(frame, variable="bor_counts", variable_level="CR")
    assert (cr["stat_name"], cr["stat"], cr["group1"]) == ("n", 1, None)
    g3 = _stat(frame, variable="lab.worst_grade.platelets", variable_level="3")
    assert (g3["stat_name"], g3["stat"]) == ("n", 1)
