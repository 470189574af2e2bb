"""Must show (issue 18): deployment over Flower on loopback -- three ``prrt-rwe node``
processes (each a SuperNode with its own rows) and ``prrt-rwe federate --network`` (the
SuperLink and the ServerApp).  Killing one node mid-run stops the study with an error that
names the site; a rerun completes and gives the results of the simulation of the same sites.

Ports are chosen free at run time; every process is stopped however the test ends; the
waits are generous for a loaded two-core machine.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from federated_registry_split import split_by_site
from prrt_rwe.federated.flower.processes import free_port

RUN_TIMEOUT_S = 600


def cli() -> list[str]:
    script = Path(sys.executable).parent / "prrt-rwe"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from prrt_rwe.cli import main; main()"]


class Network:
    """Three site folders, a network.toml and the node processes (stopped on close)."""

    def __init__(self, registry: Path, root: Path):
        self.root = root
        self.folders = split_by_site(registry, root / "sites")
        link = f"127.0.0.1:{free_port()}"
        sites = "".join(f'[[site]]\nid = "{s}"\naddress = "127.0.0.1:{free_port()}"\n' for s in self.folders)
        self.toml = root / "network.toml"
        self.toml.write_text(f'min_cell = 1\ntime_unit = "day"\nsuperlink = "{link}"\ntimeout_s = 120\n{sites}')
        self.nodes: dict = {}

    def audit(self, site: str) -> Path:
        return self.root / f"audit-{site}.jsonl"

    def start(self, site: str) -> None:
        log = (self.root / f"node-{site}.log").open("ab")
        self.nodes[site] = subprocess.Popen(
            cli() + ["node", "--registry", str(self.folders[site]), "--network", str(self.toml),
                     "--audit", str(self.audit(site))], stdout=log, stderr=subprocess.STDOUT)

    def requests(self, site: str) -> int:
        path = self.audit(site)
        return path.read_text().count('"event":"request"') if path.exists() else 0

    def federate(self, out: Path) -> subprocess.Popen:
        return subprocess.Popen(cli() + ["federate", "--network", str(self.toml), "--out", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def close(self) -> None:
        for process in self.nodes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.nodes.values():
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def network(three_sites, tmp_path):
    net = Network(three_sites, tmp_path)
    try:
        yield net
    finally:
        net.close()


@pytest.mark.slow
def test_three_nodes_over_flower_a_killed_node_is_named_and_a_rerun_completes(network, three_sites_simulated,
                                                                               tmp_path):
    for site in network.folders:
        network.start(site)
    # run 1: kill S02 once it has answered two rounds (describe, prepare) and got the third
    run = network.federate(tmp_path / "out-killed")
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while network.requests("S02") < 3:
        assert run.poll() is None, run.stdout.read()
        assert time.monotonic() < deadline, "the study never reached its third round"
        time.sleep(0.5)
    network.nodes["S02"].send_signal(signal.SIGKILL)
    output, _ = run.communicate(timeout=RUN_TIMEOUT_S)
    assert run.returncode == 1, output
    assert "site S02:" in output and ("unavailable" in output or "left the network" in output), output

    # run 2: the site is back; the study completes and equals the simulation of the same sites
    network.start("S02")
    rerun = network.federate(tmp_path / "out")
    output, _ = rerun.communicate(timeout=RUN_TIMEOUT_S)
    assert rerun.returncode == 0, output
    deployed = json.loads((tmp_path / "out" / "results.json").read_text())
    assert deployed == json.loads((three_sites_simulated / "results.json").read_text())
    assert deployed["federation"]["sites"] == 3
    assert network.requests("S01") >= 10 and '"event":"refused_app"' not in network.audit("S01").read_text()
