"""Per-time counts are the sufficient statistics of Kaplan-Meier and the log-rank test: the
curve (and the test) of all rows equals the one of the sites' counts merged and written back
as rows (stats/event_counts.py; the federated Kaplan-Meier, shared/spec/federated.md)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prrt_rwe import stats
from prrt_rwe.stats.event_counts import count_events, expand_counts, merge_counts


@st.composite
def sites_of_rows(draw):
    n = draw(st.integers(1, 80))
    time = np.array(draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)), float)
    event = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    site = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)))
    return time, event, site


def pooled_from_sites(time, event, site, n_status=2):
    tables = [count_events(time[site == s], event[site == s], n_status) for s in np.unique(site)]
    return expand_counts(merge_counts(tables, n_status))


def test_hand_example_counts_merge_and_expand():
    # site A: times 1, 2, 2(censored); site B: 2, 5(censored)
    a = count_events([1, 2, 2], [1, 1, 0])
    b = count_events([2, 5], [1, 0])
    merged = merge_counts([a, b])
    assert merged.time.tolist() == [1, 2, 5]
    assert merged.counts.tolist() == [[0, 1], [1, 2], [1, 0]]    # [censored, events] per time
    assert merged.at_risk().tolist() == [5, 4, 1]
    time, status = expand_counts(merged)
    assert time.tolist() == [1, 2, 2, 2, 5] and status.tolist() == [1, 0, 1, 1, 0]


@settings(max_examples=40, deadline=None)
@given(sites_of_rows(), st.sampled_from(["log-log", "log", "plain"]))
def test_kaplan_meier_of_merged_site_counts_equals_pooled(data, conf_type):
    time, event, site = data
    pooled = stats.kaplan_meier(time, event, conf_type=conf_type)
    fed = stats.kaplan_meier(*pooled_from_sites(time, event, site), conf_type=conf_type)
    for field in ("time", "survival", "lower", "upper", "n_risk", "n_event", "n_censor", "std_err_log"):
        np.testing.assert_array_equal(getattr(pooled, field), getattr(fed, field))
    assert pooled.median == fed.median and pooled.median_ci == fed.median_ci


@settings(max_examples=30, deadline=None)
@given(sites_of_rows(), st.lists(st.integers(0, 1), min_size=80, max_size=80))
def test_logrank_of_merged_group_counts_equals_pooled(data, groups):
    time, event, site = data
    group = np.array(groups[: time.size])
    if np.unique(group).size < 2 or event.sum() == 0:
        return
    parts = [pooled_from_sites(time[group == g], event[group == g], site[group == g]) for g in (0, 1)]
    rows = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            np.repeat([0, 1], [p[0].size for p in parts]))
    try:
        pooled = stats.logrank(time, event, group)
    except np.linalg.LinAlgError:   # degenerate variance: the federated test fails alike
        with pytest.raises(np.linalg.LinAlgError):
            stats.logrank(*rows)
        return
    fed = stats.logrank(*rows)
    assert fed.chisq == pooled.chisq or abs(fed.chisq - pooled.chisq) <= 1e-12 * max(1, pooled.chisq)
    np.testing.assert_allclose(fed.expected, pooled.expected, rtol=1e-13)
