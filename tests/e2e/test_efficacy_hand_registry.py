"""Efficacy results and report sections on the hand registry (tests/e2e/hand_registry.py, with
target-lesion sums added): the headline population switch, duration of and time to response by
hand, and what each report section shows, and what --suppress-below takes out (the waterfall and
swimmer plots: one bar is one patient)."""

from __future__ import annotations

import pytest

from prrt_rwe.config import load_config, parse_config
from prrt_rwe.study import analyze


@pytest.fixture(scope="module")
def runs(tmp_path_factory, hand_target_sums_run):
    """complete_case (the default headline), evaluable headline, and complete_case masked below 3.
    complete_case unmasked is the default configuration: the run of tests/conftest.py (shared
    with test_report_browser) on the same registry."""
    base = tmp_path_factory.mktemp("efficacy")
    registry = hand_target_sums_run.out.parent / "registry"
    out = {}
    for name, headline, below in (("complete_case", "complete_case", None), ("evaluable", "evaluable", None),
                                  ("masked", "complete_case", 3)):
        config = parse_config({"study": {"headline_population": headline}})
        if name == "complete_case":
            assert config == load_config(None) and below is None   # the shared run's inputs exactly
            r = hand_target_sums_run
        else:
            r = analyze(registry, base / name, config=config, suppress_below=below)
        out[name] = (r.results, r.report_path.read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="module")
def hand_runs(runs):
    return {k: runs[k][0] for k in ("complete_case", "evaluable")}


@pytest.fixture(scope="module")
def reports(runs):
    return {"plain": runs["complete_case"][1], "masked": runs["masked"][1]}


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


def test_waterfall_and_swimmer_only_without_suppression(reports):
    plain, masked = reports["plain"], reports["masked"]
    assert 'id="fig-waterfall"' in plain and 'id="fig-swimmer"' in plain
    assert 'id="fig-waterfall"' not in masked and 'id="fig-swimmer"' not in masked
    assert "The waterfall and swimmer plots are left out" in masked
    assert "--suppress-below 3" in masked


def test_study_period_in_participants_and_checklist(reports):
    html = reports["plain"]
    participants = html[html.index('<section id="flow">'):html.index('<section id="baseline">')]
    # hand registry: every C1 on 2024-01-10; the latest date is A1's last contact, day 500 = 2025-05-24
    assert "First PRRT cycles from 2024-01 to 2024-01; data cut-off 2025-05-24" in participants
    assert "response-evaluable (safety set with a baseline assessment) n = 8" in participants
    assert '<td class="t">Setting, dates (study period, data cut-off)</td><td class="t"><a href="#flow">' in html


def test_included_vs_excluded_masks_a_small_excluded_group(reports):
    # excluded from the complete-case set within the safety set: B3 (no baseline) and C2 (Ki-67): 2 < 3
    masked = reports["masked"]
    table = masked[masked.index('id="table-included-excluded"'):]
    table = table[:table.index("</table>")]
    assert "Excluded (N = &lt;3)" in table
    assert "Age, years, mean</td><td>63.6</td><td>–</td><td>–</td>" in table


def test_populations_table_marks_the_headline(reports):
    html = reports["plain"]
    assert "Complete-case set (N = 7), headline" in html
    assert "Response-evaluable (N = 8)</th>" in html
