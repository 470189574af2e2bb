"""The weighted analyses' releases (IPTW and the comparators' MAIC, federated/weighted_replies.py):
rule 4 of federated/disclosure.py at the site, refusals of what is outside the study, the audit
log, and the weighted Kaplan-Meier algebra the coordinator relies on."""

import numpy as np
import pytest

from prrt_rwe.config import StudyConfig
from prrt_rwe.federated.network import NetworkConfig
from prrt_rwe.federated.node import config_to_raw
from prrt_rwe.federated.protocol import Part, Request
from prrt_rwe.stats.km_robust import robust_kaplan_meier
from prrt_rwe.stats.weighted_counts import merge_weighted, weighted_counts, weighted_rows


def _prepare(node):
    return node.handle(Request(1, (Part("prep", "prepare", {"config": config_to_raw(StudyConfig())}),)))["prep"]


def _ask(node, analysis, **params):
    return node.handle(Request(2, (Part("w", analysis, params),)))["w"]


def _arms(node):
    rows = node._iptw({})
    exposed = int(rows.a.sum())
    return exposed, rows.a.size - exposed, rows.X.shape[1]


def test_an_iptw_arm_under_min_cell_refuses_every_iptw_release(three_sites, nodes_of):
    arms = {}
    for node in nodes_of(three_sites, NetworkConfig(min_cell=1)):
        _prepare(node)
        arms[node.site_id] = _arms(node)
    site = min(arms, key=lambda s: min(arms[s][:2]))
    small = min(arms[site][:2])
    assert small > 0
    node = next(n for n in nodes_of(three_sites, NetworkConfig(min_cell=small + 1)) if n.site_id == site)
    _prepare(node)
    p = arms[site][2] + 1
    for analysis, params in (("iptw_irls", {"coef": None}), ("iptw_sums", {"coef": [0.0] * p, "p_exposed": 0.5}),
                             ("iptw_cox", {"coef": [0.0] * p, "p_exposed": 0.5, "centre": [0.5], "beta": [0.0]})):
        reply = _ask(node, analysis, levels={}, **params)
        exposed, unexposed, _ = arms[site]
        assert reply.refused["*"] == (f"{exposed} exposed, {unexposed} unexposed patients: under min_cell "
                                      f"{small + 1}"), analysis
        assert not reply.arrays


def test_released_weighted_per_time_tables_pass_min_cell(three_sites, nodes_of):
    # min_cell 2: a site whose arms hold at least 2 patients releases the sums on pooled times
    # whose counts of events and of censorings are each 0 or at least 2, or refuses them when an
    # arm's total of events or censorings is 1 (no pooling can hide it: rule 2)
    released = 0
    for node in nodes_of(three_sites, NetworkConfig(min_cell=2)):
        _prepare(node)
        exposed, unexposed, k = _arms(node)
        if min(exposed, unexposed) < 2:
            continue
        reply = _ask(node, "iptw_sums", levels={}, coef=[0.0] * (k + 1), p_exposed=0.5)
        if reply.refused:
            assert "arm's PFS: counts by status" in reply.refused["*"] and not reply.arrays
            rows = node._iptw({})
            arm = 1 if reply.refused["*"].startswith("exposed") else 0
            at = rows.a == arm
            totals = (int((rows.event[at] == 0).sum()), int(rows.event[at].sum()))
            assert any(t == 1 for t in totals) and f"({totals[0]}, {totals[1]})" in reply.refused["*"]
            continue
        released += 1
        for arm, n in (("exposed", exposed), ("unexposed", unexposed)):
            counts = reply.arrays[f"{arm}.pfs.counts"]
            assert counts.sum() == n == reply.arrays[f"{arm}.n"][0]
            assert np.all((counts == 0) | (counts >= 2)), (node.site_id, arm, counts)
            # e = 1/2 everywhere: w = 0.5 / 0.5 = 1 for both arms, so Σw is the count, Σw² too
            np.testing.assert_allclose(reply.arrays[f"{arm}.pfs.wsum"], counts)
            np.testing.assert_allclose(reply.arrays[f"{arm}.pfs.w2sum"], counts)
        entries = node.audit.entries()
        names = {item["name"] for e in entries if e["event"] == "reply" for item in e["items"]}
        assert {"exposed.pfs.wsum", "exposed.pfs.w2sum", "unexposed.swxx", "exposed.sw2"} <= names
    assert released


def test_a_comparator_under_min_cell_releases_no_proportion_and_no_maic_sums(three_sites, nodes_of):
    node = nodes_of(three_sites, NetworkConfig(min_cell=50))[0]
    _prepare(node)
    reply = _ask(node, "comparator_counts", comparator="netter2_lu177")
    rows = node._comparator("netter2_lu177")
    k, n = int(rows.patients.responder.sum()), rows.patients.n
    assert 0 < n < 50 and "eligible" not in reply.values and "responders" not in reply.values
    assert reply.refused["naive"] == f"{k} responders, {n - k} non-responders: under min_cell 50"
    assert reply.refused["eligible_n"].startswith(f"{rows.eligible_n} patients with every matching variable")
    assert "maic.sz" not in reply.arrays and "eligible_pfs.time" not in reply.arrays
    newton = _ask(node, "maic_newton", comparator="netter2_lu177", columns=[0], scale=[1.0], a=[0.0])
    assert "under min_cell 50" in newton.refused["*"] and not newton.arrays
    sums = _ask(node, "maic_sums", comparator="netter2_lu177", coef=[0.0] * len(rows.matched))
    assert "under min_cell 50" in sums.refused["*"] and not sums.arrays


@pytest.mark.parametrize("part, reason", [
    (Part("c", "comparator_counts", {"comparator": "my_trial"}), "comparator 'my_trial' is not one of the study's"),
    (Part("m", "maic_sums", {"comparator": "netter1_lu177", "coef": []}), "has no MAIC set here"),
    (Part("i", "iptw_irls", {"levels": {}, "coef": None, "rows": True}), "takes no parameter 'rows'"),
    (Part("i", "iptw_sums", {"levels": {}, "coef": [1.0], "p_exposed": 0.5}), "coef must be"),
])
def test_weighted_parts_outside_the_study_are_refused(three_sites, nodes_of, part, reason):
    node = nodes_of(three_sites, NetworkConfig(min_cell=1))[0]
    _prepare(node)
    assert reason in node.handle(Request(2, (part,)))[part.id].refused["*"]


def test_the_weighted_analyses_are_not_answered_under_secure_aggregation(three_sites, nodes_of):
    node = nodes_of(three_sites, NetworkConfig(min_cell=1, secure_aggregation=True))[0]
    _prepare(node)
    reply = _ask(node, "iptw_irls", levels={}, coef=None)
    assert "not secured by SecAgg+" in reply.refused["*"] and not reply.arrays


def test_weighted_km_from_merged_site_tables_equals_the_rows():
    # two "sites" of 7 and 6 patients with ties across them; R's survfit(weights = w) robust
    # variance (stats/km_robust.py) of the rows equals that of the merged weighted tables
    days = np.array([3, 5, 5, 8, 12, 12, 20, 5, 8, 8, 15, 20, 25], dtype=float)
    event = np.array([1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1])
    w = np.array([1.2, 0.7, 2.1, 0.9, 1.5, 0.4, 1.1, 0.8, 1.9, 1.3, 0.6, 2.4, 1.0])
    rows = robust_kaplan_meier(days, event, w)
    merged = merge_weighted([weighted_counts(days[:7], event[:7], w[:7]), weighted_counts(days[7:], event[7:], w[7:])])
    assert merged.time.tolist() == [3, 5, 8, 12, 15, 20, 25]
    assert merged.counts.tolist() == [[0, 1], [1, 2], [1, 2], [1, 1], [0, 1], [1, 1], [0, 1]]
    np.testing.assert_allclose(merged.wsum[1], [2.1, 0.7 + 0.8])          # day 5: censored, events
    np.testing.assert_allclose(merged.w2sum[1], [2.1 ** 2, 0.7 ** 2 + 0.8 ** 2])
    t, s, sw, sw2 = weighted_rows(merged)
    tables = robust_kaplan_meier(t, s, sw, weights_sq=sw2)
    np.testing.assert_allclose(tables.survival, rows.survival, rtol=1e-14)
    np.testing.assert_allclose(tables.std_err_log, rows.std_err_log, rtol=1e-12)
    np.testing.assert_allclose(tables.lower, rows.lower, rtol=1e-12)
    # and not the Greenwood variance of the same weighted counts (the squared weights matter)
    assert not np.allclose(robust_kaplan_meier(t, s, sw).std_err_log, rows.std_err_log)
