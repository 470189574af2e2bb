"""Named populations, the headline choice, time to response and the included-vs-excluded
table, on small hand-made ADaM frames; every expected number is worked out in the comments."""

from __future__ import annotations

import math
import sys
from pathlib import Path

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
    rows = {(r["variable"], r["level"]): r for r in included_vs_excluded(ADSL[ADSL["SAFFL"] == "Y"],
                                                                         population_ids(ADSL, "complete_case"))}
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


@pytest.fixture(scope="module")
def hand_runs(tmp_path_factory):
    """The ten-patient registry (tests/e2e/hand_registry.py) with each headline population."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "e2e"))
    from hand_registry import write_registry

    from prrt_rwe.config import parse_config
    from prrt_rwe.study import analyze

    base = tmp_path_factory.mktemp("headline")
    registry = write_registry(base / "registry")
    return {h: analyze(registry, base / h, config=parse_config({"study": {"headline_population": h}})).results
            for h in ("complete_case", "evaluable")}


def test_headline_population_switches_the_headline_blocks_only(hand_runs):
    cc, ev = hand_runs["complete_case"], hand_runs["evaluable"]
    # hand registry: evaluable = the 8 safety patients with a baseline scan (all but B3 and C3);
    # complete case = those 8 less C2 (no Ki-67) = 7. Confirmed responders: A1 (PR), A4 (CR), C1 (PR)
    assert cc["populations"] == {"headline": "complete_case", "evaluable": 8, "complete_case": 7}
    assert (cc["response"]["orr"]["n"], cc["response"]["orr"]["N"]) == (3, 7)
    assert (ev["response"]["orr"]["n"], ev["response"]["orr"]["N"]) == (3, 8)
    for r in (cc, ev):   # both populations always reported, whichever is headline
        assert r["response_complete_case"]["orr"]["N"] == 7 and r["response_evaluable"]["orr"]["N"] == 8
        assert r["pfs_evaluable"]["n"] == 8 and r["pfs_complete_case"]["n"] == 7
    assert ev["pfs"] == ev["pfs_evaluable"] and cc["pfs"] == cc["pfs_complete_case"]
    assert cc["models"] == ev["models"]                      # models: always the complete-case set
    assert cc["models"]["pfs_cox"]["n"] == 7


def test_duration_of_response_of_the_hand_registry(hand_runs):
    # confirmed responders of the complete-case set: A1 PR day 91 -> PD day 274 (183 days, event),
    # A4 CR day 90 -> censored day 400 (310 days), C1 PR day 56 -> censored day 112 at next therapy
    # (56 days). KM: S = 1/2 from day 183 to the end, a flat at exactly 1/2: R quantile.survfit gives
    # its midpoint (183 + 310) / 2 = 246.5 days, lower limit 183, upper not reached (checked in R 4.2.2).
    m = 30.4375
    dor = hand_runs["complete_case"]["duration_of_response"]
    assert (dor["n"], dor["events"]) == (3, 1)
    assert dor["median_months"] == pytest.approx(246.5 / m, rel=1e-9)
    assert dor["ci95"][0] == pytest.approx(183 / m, rel=1e-9) and dor["ci95"][1] is None
    # time to response 91, 90, 56 days: sorted 56, 90, 91 -> q1 73, median 90, q3 90.5 (type 7)
    ttr = hand_runs["complete_case"]["time_to_response_months"]
    assert (ttr["q1"], ttr["median"], ttr["q3"]) == pytest.approx((73 / m, 90 / m, 90.5 / m), rel=1e-9)
