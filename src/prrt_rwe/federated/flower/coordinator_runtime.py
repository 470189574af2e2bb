"""The coordinator in a deployment (``prrt-rwe federate --network``): a Flower SuperLink at
network.toml's ``superlink`` address, the study's ServerApp submitted to it with ``flwr run``,
and the run's outcome read back (OUT written by the ServerApp, or the error naming the site).

Everything Flower keeps (its configuration, the installed bundle) lives in a temporary
FLWR_HOME; the SuperLink's log is kept in OUT/logs/superlink.log.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from prrt_rwe.federated.errors import FederationError
from prrt_rwe.federated.flower.processes import Child, flower_env, split_address, wait_listening
from prrt_rwe.federated.flower.server_app import write_bundle

__all__ = ["coordinate"]

CONNECTION = "prrt-network"


def _toml_string(value: str) -> str:
    return json.dumps(value)   # a JSON string is a valid TOML basic string


def coordinate(network, network_path: Path, out: Path, config_path: Path | None) -> None:
    """Run the deployed study; raises FederationError with the ServerApp's message."""
    if not network.superlink:
        raise FederationError(f"{network_path}: deployment needs superlink = \"host:port\" (the "
                              "address the sites' nodes connect to)")
    host, port = split_address(network.superlink)
    logs = out / "logs"
    with tempfile.TemporaryDirectory(prefix="prrt-federate-") as tmp:
        tmp = Path(tmp)
        home = tmp / "flwr-home"
        home.mkdir()
        (home / "config.toml").write_text(
            f'[superlink]\ndefault = "{CONNECTION}"\n[superlink.{CONNECTION}]\n'
            f"address = {_toml_string(network.superlink)}\ninsecure = true\n", encoding="utf-8")
        bundle = write_bundle(tmp / "app")
        status = tmp / "status.json"
        overrides = tmp / "run-config.toml"
        overrides.write_text("".join(f"{k} = {_toml_string(str(v))}\n" for k, v in {
            "network": Path(network_path).resolve(), "config": Path(config_path).resolve() if config_path else "",
            "out": out.resolve(), "status": status}.items()), encoding="utf-8")
        env = flower_env(home)
        command = ["flower-superlink", "--insecure", "--disable-runtime-dependency-installation",
                   "--host", host, "--port", str(port)]
        with Child("flower-superlink", command, logs / "superlink.log", env) as link:
            wait_listening(network.superlink, 120, link)
            with (logs / "flwr-run.log").open("ab") as log:
                subprocess.run(["flwr", "run", str(bundle), CONNECTION, "--run-config", str(overrides), "--stream"],
                               env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               check=False, timeout=network.timeout_s * 50)
        if not status.exists():
            raise FederationError(f"the coordinator's ServerApp ended without a result; see {logs}")
        result = json.loads(status.read_text(encoding="utf-8"))
    if not result["ok"]:
        raise FederationError(result["error"])
