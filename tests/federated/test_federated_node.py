"""A node answers only the predefined analyses, enforces min_cell at the site and logs every
release (shared/spec/federated.md, "Disclosure control")."""

import numpy as np
import pytest

from prrt_rwe.config import StudyConfig
from prrt_rwe.federated.audit import describe_item
from prrt_rwe.federated.coordinator import Coordinator, DirectTransport
from prrt_rwe.federated.network import NetworkConfig
from prrt_rwe.federated.node import config_to_raw
from prrt_rwe.federated.protocol import Part, Request
from prrt_rwe.federated.study_models import study_models


def _prepare(node):
    return node.handle(Request(1, (Part("prep", "prepare", {"config": config_to_raw(StudyConfig())}),)))["prep"]


def test_an_analysis_outside_the_predefined_ones_is_refused_and_logged(three_sites, nodes_of):
    node = nodes_of(three_sites, NetworkConfig(min_cell=1))[0]
    reply = node.handle(Request(7, (Part("q", "patient_rows", {"columns": ["age"]}),)))["q"]
    assert "'patient_rows' is not one of the predefined analyses" in reply.refused["*"]
    assert not reply.arrays and not reply.values
    request, logged = node.audit.entries()[-2:]
    assert request["event"] == "request" and request["round"] == 7
    assert request["parts"] == [{"id": "q", "analysis": "patient_rows", "params": ["columns"]}]
    assert logged["event"] == "reply" and logged["items"] == [] and "predefined" in logged["refused"]["*"]


@pytest.mark.parametrize("part, reason", [
    (Part("p", "prepare", {"config": {}, "sql": "SELECT *"}), "takes no parameter 'sql'"),
    (Part("c", "cox_blocks", {"model": "os", "levels": {}, "centre": [0], "beta": [0]}),
     "model 'os' is not one of the study's (pfs, pfs_liver3, pfs_uni.ki67_lt10"),
    (Part("i", "irls", {"model": "pfs", "levels": {}, "coef": None}), "model 'pfs' is not one of the study's"),
    (Part("i", "irls", {"model": "orr", "levels": {"age": ["1"]}, "coef": None}),
     "levels given for 'age', not a covariate of model 'orr'"),
    (Part("i", "irls", {"model": "orr", "levels": {}, "columns": ["age"], "coef": None}),
     "columns must be some of model 'orr''s"),
])
def test_parameters_and_models_outside_the_study_are_refused(three_sites, nodes_of, part, reason):
    node = nodes_of(three_sites, NetworkConfig(min_cell=1))[0]
    _prepare(node)
    assert reason in node.handle(Request(2, (part,)))[part.id].refused["*"]


def test_models_are_answered_only_after_prepare(three_sites, nodes_of):
    node = nodes_of(three_sites, NetworkConfig(min_cell=1))[0]
    part = Part("i", "irls", {"model": "orr", "levels": {}, "coef": None})
    assert "only after prepare" in node.handle(Request(1, (part,)))["i"].refused["*"]


def test_a_site_with_fewer_events_than_min_cell_in_its_stratum_is_refused(three_sites, nodes_of):
    nodes = nodes_of(three_sites, NetworkConfig(min_cell=1))
    events = {}
    for node in nodes:
        _prepare(node)
        pfs = study_models(node._config.models)["pfs"]
        events[node.site_id] = int(node.data.local(node._config).model(pfs).event.sum())
    smallest = min(events, key=events.get)
    m = events[smallest] + 1          # the smallest site's stratum falls under min_cell; the others pass
    assert all(e >= m for s, e in events.items() if s != smallest)
    network = NetworkConfig(min_cell=m)
    study = Coordinator(DirectTransport(nodes_of(three_sites, network)), network, StudyConfig()).run()
    strat = study.analysis.extras["sensitivity"]["stratified_by_site"]
    assert all(t["hr"] is None for t in strat["terms"])
    [entry] = [s for s in study.analysis.extras["federation"]["suppressed"]
               if s["key"] == "sensitivity.stratified_by_site"]
    assert smallest in entry["sites"]
    assert f"{events[smallest]} events" in entry["reason"] and f"under min_cell {m}" in entry["reason"]


class Recording(DirectTransport):
    """Every array and value each node sent, as (site, round, part, item)."""

    def __init__(self, nodes):
        super().__init__(nodes)
        self.sent = []

    def send(self, request):
        replies = super().send(request)
        for site, parts in replies.items():
            for part_id, reply in parts.items():
                for name, value in {**reply.arrays, **reply.values}.items():
                    self.sent.append((site, request.round, part_id, describe_item(name, value)))
        return replies


def test_the_audit_log_lists_every_array_that_left_the_site(three_sites, nodes_of):
    network = NetworkConfig(min_cell=1)
    nodes = nodes_of(three_sites, network)
    transport = Recording(nodes)
    Coordinator(transport, network, StudyConfig()).run()
    logged = [(node.site_id, e["round"], e["part"], item) for node in nodes for e in node.audit.entries()
              if e["event"] == "reply" for item in e["items"]]
    assert sorted(map(repr, logged)) == sorted(map(repr, transport.sent))
    arrays = [item for *_, item in logged if item["kind"] == "array"]
    assert {"pfs.counts", "s2", "information", "score"} <= {a["name"] for a in arrays}
    pfs_counts = [a for a in arrays if a["name"] == "pfs.counts"]
    assert sum(a["sum"] for a in pfs_counts) == sum(
        int(node.data.local(node._config).survival["pfs"].n) for node in nodes)   # patients described
    assert all(len(a["sha256"]) == 64 for a in arrays)


def test_released_per_time_counts_pass_min_cell(three_sites, nodes_of):
    for node in nodes_of(three_sites, NetworkConfig(min_cell=3, time_unit="week")):
        reply = _prepare(node)
        for name in ("pfs", "os", "fu"):
            if name in reply.refused:
                continue
            counts, time = reply.arrays[f"{name}.counts"], reply.arrays[f"{name}.time"]
            assert np.all((counts == 0) | (counts >= 3)) and np.all(time % 7 == 0)
