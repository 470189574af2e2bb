"""Disclosure rules of a node (federated/disclosure.py), worked by hand."""

import numpy as np
import pytest

from prrt_rwe import stats
from prrt_rwe.federated.count_tree import merge_trees, releasable
from prrt_rwe.federated.disclosure import (Refusal, coarsen_days, pooled_times, released_counts,
                                           suppress_siblings)
from prrt_rwe.stats.event_counts import count_events

# Ten patients at one site; status 1 = event, 0 = censored.
#   day    1  2  2  3  5  6  6  8  9  10
#   event  1  1  0  1  0  1  1  0  1  0
# counts per day [censored, events]: 1:[0,1] 2:[1,1] 3:[0,1] 5:[1,0] 6:[0,2] 8:[1,0] 9:[0,1] 10:[1,0]
DAYS = [1, 2, 2, 3, 5, 6, 6, 8, 9, 10]
EVENT = [1, 1, 0, 1, 0, 1, 1, 0, 1, 0]


def test_times_are_pooled_into_the_next_released_time_and_the_tail_backwards():
    # min_cell 2: walking up, days 1-3 hold one censoring, so the group closes at day 5
    # ([2 censored, 3 events]); day 6 alone passes ([0, 2]); days 8-10 ([2, 1]) cannot pass
    # (1 event) and are pooled with the previous group: days 6-10 -> [2, 3] released at day 10.
    released = pooled_times(count_events(DAYS, EVENT), 2)
    assert released.tolist() == [5, 5, 5, 5, 10, 10, 10, 10]
    row_time, table = released_counts(DAYS, EVENT, 2, 2, "day")
    assert row_time.tolist() == [5, 5, 5, 5, 5, 10, 10, 10, 10, 10]   # every row moves later or stays
    assert table.time.tolist() == [5, 10] and table.counts.tolist() == [[2, 3], [2, 3]]
    # the released curve: 3 events among 10 at day 5, 3 among 5 at day 10
    km = stats.kaplan_meier(row_time, EVENT)
    np.testing.assert_allclose(km.survival, [0.7, 0.7 * 2 / 5])


def test_min_cell_one_changes_nothing():
    row_time, table = released_counts(DAYS, EVENT, 2, 1, "day")
    assert row_time.tolist() == DAYS
    assert table.counts.tolist() == count_events(DAYS, EVENT).counts.tolist()


def test_a_site_whose_totals_fail_refuses():
    # 6 events but 4 censorings: with min_cell 5 no grouping can release the censorings
    refusal = released_counts(DAYS, EVENT, 2, 5, "day")
    assert isinstance(refusal, Refusal) and "min_cell 5" in refusal.reason


def test_times_are_rounded_up_to_the_unit():
    assert coarsen_days([0, 1, 7, 8, 30], "week").tolist() == [0, 7, 7, 14, 35]
    assert coarsen_days([0, 1, 31, 61], "month").tolist() == [0, 30.4375, 60.875, 91.3125]
    assert coarsen_days([0, 3, 5], "day").tolist() == [0, 3, 5]


def test_a_small_count_takes_the_smallest_other_count_of_its_table_with_it():
    # one failing count (2 < 5) could be recovered from the table's total: 6 goes too
    assert suppress_siblings({"a": 2, "b": 6, "c": 9, "d": 0}, 5) == {"a": None, "b": None, "c": 9, "d": 0}
    # two failing counts protect each other
    assert suppress_siblings({"CR": 0, "PR": 3, "SD": 7, "PD": 12, "NE": 1}, 5) == \
        {"CR": 0, "PR": None, "SD": 7, "PD": 12, "NE": None}


@pytest.mark.parametrize("n, N, released", [(3, 10, False), (8, 10, False), (0, 10, True), (5, 10, True)])
def test_a_proportion_needs_its_numerator_and_complement_at_min_cell(n, N, released):
    tree = {"response": {"orr": {"n": n, "N": N, "estimate": n / N, "ci95": [0.0, 1.0]}}}
    out = releasable("results", tree, 5)["response"]["orr"]
    assert out == ({"n": n, "N": N} if released else {"n": None, "N": None})


def test_only_listed_keys_leave_a_site_and_sums_name_the_suppressing_sites():
    site_a = {"analysis_sets": {"enrolled": 12, "safety": 12, "efficacy": 11},
              "pfs": {"median_months": 20.5}, "new_block": {"count": 7}}
    site_b = {"analysis_sets": {"enrolled": 3, "safety": 3, "efficacy": 3}}
    released = {s: releasable("results", t, 5) for s, t in (("A", site_a), ("B", site_b))}
    assert released["A"] == {"analysis_sets": {"enrolled": 12, "safety": 12, "efficacy": 11}}
    merged = merge_trees("results", released)
    assert merged.tree == {"analysis_sets": {"enrolled": None, "safety": None, "efficacy": None}}
    assert merged.suppressed == {"analysis_sets.enrolled": ["B"], "analysis_sets.safety": ["B"],
                                 "analysis_sets.efficacy": ["B"]}
    summed = merge_trees("results", {s: releasable("results", t, 1) for s, t in (("A", site_a), ("B", site_b))})
    assert summed.tree == {"analysis_sets": {"enrolled": 15, "safety": 15, "efficacy": 14}}
