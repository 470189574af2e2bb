"""The coordinator as a Flower ServerApp, and the Flower App bundle (FAB) that carries it to a
SuperLink.

The bundle holds one small module that imports the ServerApp from the installed prrt-rwe, so
the coordinator's code is this package's, not code shipped in the bundle.  Its ClientApp
refuses every message: sites answer with their own installed code (federated/flower/
node_runtime.py) and never run the bundle.  The ServerApp reads its settings from the run
configuration (network.toml, study.toml, OUT and a status file) and reports success or the
error, naming the site, in the status file that ``prrt-rwe federate`` reads.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from flwr.app import Context, Message
from flwr.app.error import Error
from flwr.clientapp import ClientApp
from flwr.serverapp import Grid, ServerApp

import prrt_rwe

__all__ = ["APP_ID", "refusing_client_app", "server_app", "write_bundle"]

PUBLISHER, APP_NAME = "prrt-rwe", "federated-study"
APP_ID = f"{PUBLISHER}/{APP_NAME}"
MODULE = "prrt_federated_app"

server_app = ServerApp()
refusing_client_app = ClientApp()


@refusing_client_app.query("prrt")
def _refuse(msg: Message, context: Context) -> Message:
    return Message(Error(code=2, reason="sites answer with their installed prrt-rwe node"), reply_to=msg)


def _wait_for_nodes(grid: Grid, expected: int, timeout_s: float) -> None:
    from prrt_rwe.federated.errors import FederationError

    deadline = time.monotonic() + timeout_s
    while len(list(grid.get_node_ids())) < expected:
        if time.monotonic() > deadline:
            raise FederationError(f"{len(list(grid.get_node_ids()))} of the {expected} sites of network.toml "
                                  f"connected within {timeout_s:g} s; start `prrt-rwe node` at each site")
        time.sleep(0.5)


def coordinate_on(grid: Grid, settings: dict) -> None:
    """Run the study over ``grid`` and write OUT (settings: network, config, out)."""
    from prrt_rwe.federated.coordinator import Coordinator
    from prrt_rwe.federated.flower.apps import GridTransport
    from prrt_rwe.federated.study import network_settings, write_outputs
    from prrt_rwe.study import _config

    started, clock = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), time.perf_counter()
    network = network_settings(settings["network"])
    config = _config(settings["config"] or None)
    _wait_for_nodes(grid, len(network.sites), network.timeout_s)
    transport = GridTransport(grid, network.timeout_s, network.secure_aggregation)
    study = Coordinator(transport, network, config, quantization=transport.quantization).run()
    timings = {"federated_rounds": time.perf_counter() - clock}
    provenance = {"input_kind": "federated network", "input_fingerprint": None, "source": settings["network"],
                  "runtime": "Flower deployment (SuperLink/SuperNode)"}
    write_outputs(Path(settings["out"]), study, config, provenance, None, started, timings)


@server_app.main()
def _main(grid: Grid, context: Context) -> None:
    from prrt_rwe.federated.errors import FederationError
    from prrt_rwe.outputs.destination import DestinationError
    from prrt_rwe.study import StudyInputError

    settings = dict(context.run_config)
    status = Path(settings["status"])
    try:
        coordinate_on(grid, settings)
        result = {"ok": True}
    except (FederationError, StudyInputError, DestinationError) as exc:
        result = {"ok": False, "error": str(exc)}
    status.write_text(json.dumps(result), encoding="utf-8")


def write_bundle(folder: Path) -> Path:
    """The Flower App project ``flwr run`` submits (pyproject.toml + one module)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{MODULE}.py").write_text(
        '"""prrt-rwe federated study: the ServerApp of the installed prrt-rwe."""\n'
        "from prrt_rwe.federated.flower import server_app as _apps\n\n"
        "server_app = _apps.server_app\nclient_app = _apps.refusing_client_app\n", encoding="utf-8")
    (folder / "pyproject.toml").write_text(f"""[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{APP_NAME}"
version = "{prrt_rwe.__version__}"
description = "prrt-rwe federated study (the coordinator's ServerApp)"
license = "MIT"
dependencies = []

[tool.hatch.build.targets.wheel]
packages = ["."]

[tool.flwr.app]
publisher = "{PUBLISHER}"

[tool.flwr.app.components]
serverapp = "{MODULE}:server_app"
clientapp = "{MODULE}:client_app"

[tool.flwr.app.config]
network = ""
config = ""
out = ""
status = ""
""", encoding="utf-8")
    return folder
