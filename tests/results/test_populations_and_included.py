"""Named populations, the headline choice, time to response and the included-vs-excluded
table, on small hand-made ADaM frames; every expected number is worked out in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from prrt_rwe.results.included_excluded import included_vs_excluded, smd
from prrt_rwe.results.populations import population_ids, populations
from prrt_rwe.results.response_duration import time_to_response

ADSL = pd.DataFrame({
    "USUBJID": ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3"],
    "SAFFL": ["Y", "Y", "Y", "Y", "Y", "N"],
    "EVALFL": ["Y", "Y", "Y", "Y", "N", "N"],
    "EFFFL": ["Y", "Y", "N", "Y", "N", "N"],
    "age": [60.0, 70.0, 50.0, 80.0, 40.0, 55.0],
    "sex": pd.array(["F", "M", "F", "F", "M", "M"], dtype="str"),
    "krenning4": pd.array([True, False, True, None, False, True], dtype="boolean"),
})


def test_population_ids_follow_the_adsl_flags():
    assert list(population_ids(ADSL, "safety")) == ["A-1", "A-2", "A-3", "B-1", "B-2"]
    assert list(population_ids(ADSL, "evaluable")) == ["A-1", "A-2", "A-3", "B-1"]
    assert list(population_ids(ADSL, "complete_case")) == ["A-1", "A-2", "B-1"]
    assert populations(ADSL, "evaluable") == {"headline": "evaluable", "evaluable": 4, "complete_case": 3}
    with pytest.raises(ValueError, match="unknown population 'efficacy'"):
        population_ids(ADSL, "efficacy")


def test_included_vs_excluded_by_hand():
    # safety set: included (EFFFL), B-1; excluded A-3, B-2 (B-3 is not in the safety set)
    table, counts = included_vs_excluded(ADSL[ADSL["SAFFL"] == "Y"], population_ids(ADSL, "complete_case"))
    rows = {(r["variable"], r["level"]): r for r in table}
    n = {(c["variable"], c["level"]): (c["included"], c["excluded"]) for c in counts}
    assert n[("sex", "F")] == ([2, 3], [1, 2]) and n[("krenning4", "yes")] == ([1, 2], [1, 2])
    assert n[("age", None)] == ([3, 3], [2, 2])
    age = rows[("age", None)]
    # included ages 60, 70, 80: mean 70, variance ((-10)² + 0 + 10²) / 2 = 100;
    # excluded 50, 40: mean 45, variance (5² + 5²) / 1 = 50; smd = 25 / sqrt(75)
    assert (age["included"], age["excluded"]) == (70.0, 45.0)
    assert age["smd"] == pytest.approx(25 / math.sqrt(75))
    female = rows[("sex", "F")]
    # included F: A-1, B-1 = 2/3; excluded F: A-3 = 1/2; s² = p(1 - p)
    p1, p0 = 2 / 3, 1 / 2
    assert (female["included"], female["excluded"]) == pytest.approx((p1, p0))
    assert female["smd"] == pytest.approx((p1 - p0) / math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2))
    kren = rows[("krenning4", "yes")]
    # of known values: included A-1 yes, A-2 no (B-1 unknown) = 1/2; excluded A-3 yes, B-2 no = 1/2
    assert (kren["included"], kren["excluded"], kren["smd"]) == (0.5, 0.5, 0.0)


def test_smd_not_defined_without_variation():
    assert smd(0.0, 0.0, 0.0, 0.0) is None and smd(None, 0.5, None, 0.25) is None


def test_time_to_response_quartiles_by_hand():
    # responders at 30.4375, 60.875, 91.3125 and 182.625 days = 1, 2, 3 and 6 months; R quantile
    # type 7: q1 = 1 + 0.75 (2 - 1) = 1.75, median 2.5, q3 = 3 + 0.25 (6 - 3) = 3.75
    m = 30.4375
    adtte = pd.DataFrame({"USUBJID": ["a", "b", "c", "d", "e"], "PARAMCD": ["TTR"] * 4 + ["PFS"],
                          "AVAL": [m, 2 * m, 3 * m, 6 * m, 10.0], "CNSR": 0})
    out = time_to_response(adtte, pd.Index(["a", "b", "c", "d", "e"]))
    assert out["n"] == 4
    assert (out["q1"], out["median"], out["q3"]) == pytest.approx((1.75, 2.5, 3.75))
    assert time_to_response(adtte, pd.Index(["e"])) == {"n": 0, "median": None, "q1": None, "q3": None}
