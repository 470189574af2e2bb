"""Fixtures of the federated tests: a small three-site registry (synth, seed 2: 27, 21 and 12
patients), loaded once, and its sites' nodes."""

import pytest

from prrt_rwe.synth.generator import generate


@pytest.fixture(scope="session")
def three_sites(tmp_path_factory):
    folder = tmp_path_factory.mktemp("three-sites") / "registry"
    generate(folder, patients=60, sites=3, seed=2)
    return folder


@pytest.fixture(scope="session")
def three_sites_simulated(three_sites, tmp_path_factory):
    """The three sites simulated in this process without Flower (min_cell 1, days): the
    reference of the Flower runtimes."""
    from prrt_rwe.federated.network import NetworkConfig
    from prrt_rwe.federated.study import simulate

    out = tmp_path_factory.mktemp("three-sites-direct")
    simulate(three_sites, out, network=NetworkConfig(min_cell=1), runtime="direct")
    return out


@pytest.fixture(scope="session")
def _site_data():
    """Per registry, its sites' SiteData (loaded and split once; each caches its derivations)."""
    cache = {}

    def get(registry):
        from prrt_rwe.federated.simulation import site_databases
        from prrt_rwe.federated.site import SiteData
        from prrt_rwe.study import open_source

        if registry not in cache:
            con, _report, _prov = open_source(registry)
            try:
                cache[registry] = [SiteData(connection=c) for c in site_databases(con).values()]
            finally:
                con.close()
        return cache[registry]

    return get


@pytest.fixture
def nodes_of(tmp_path, _site_data):
    """nodes_of(registry, network) -> fresh nodes of a registry split by site (audit in tmp_path)."""
    from prrt_rwe.federated.node import Node

    def build(registry, network):
        return [Node(data, network, tmp_path / "audit" / f"{data.site_id()}.jsonl") for data in _site_data(registry)]

    return build
