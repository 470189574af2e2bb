"""The federated study in one call, as ``prrt_rwe.study.analyze`` is the pooled one:
:func:`simulate` (one registry split by site, every node in this process) and the files of
OUT: results.json (``"mode": "federated"``), report.html, ard.parquet, run.json and the
completion marker; a simulation also leaves OUT/audit/<site>.jsonl, each node's audit log.

Bad input raises :class:`~prrt_rwe.study.StudyInputError` (exit 1), a destination that must
not be written :class:`~prrt_rwe.outputs.destination.DestinationError` (exit 2), a network
that cannot complete the study :class:`~prrt_rwe.federated.errors.FederationError` (exit 1,
naming the site).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import prrt_rwe
from prrt_rwe.federated.network import NetworkConfig, NetworkError, load_network
from prrt_rwe.outputs import completion
from prrt_rwe.outputs.atomic import write_with
from prrt_rwe.outputs.destination import cannot_write, check_output_folder, make_folder
from prrt_rwe.study import StudyInputError, StudyResults, _config, open_source

__all__ = ["coordinate", "network_settings", "serve_node", "simulate", "write_outputs"]


def network_settings(network) -> NetworkConfig:
    """A NetworkConfig from a path, an object or None (the spec's defaults)."""
    if isinstance(network, NetworkConfig):
        return network
    if network is None:
        return NetworkConfig()
    try:
        return load_network(network)
    except NetworkError as exc:
        raise StudyInputError(str(exc)) from None


def simulate(registry, out, config=None, network=None, runtime: str = "flower",
             suppress_below: int | None = None) -> StudyResults:
    """Split ``registry`` by site_id and run the federated study over its sites in this
    process; ``runtime`` "flower" (Flower's Message API on an in-process grid) or "direct"
    (the nodes called directly: the same requests and replies without a runtime)."""
    from prrt_rwe.federated.coordinator import Coordinator, DirectTransport
    from prrt_rwe.federated.simulation import simulated_nodes

    started, clock = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), time.perf_counter()
    out = Path(out)
    check_output_folder(out, registry)
    cfg, net = _config(config), network_settings(network)
    con, _report, provenance = open_source(registry)
    timings = {"load_and_validate": time.perf_counter() - clock}
    try:
        make_folder(out / "audit")
        completion.begin(out)
        for old in (out / "audit").glob("*.jsonl"):
            old.unlink()
    except OSError as exc:
        raise cannot_write(out, exc) from None
    clock = time.perf_counter()
    nodes = simulated_nodes(con, net, out / "audit")
    con.close()
    if runtime == "flower":
        from prrt_rwe.federated.flower.simulation import FlowerSimulation

        transport = FlowerSimulation(nodes, net)
    else:
        transport = DirectTransport(nodes)
    study = Coordinator(transport, net, cfg, quantization=getattr(transport, "quantization", None)).run()
    timings["federated_rounds"] = time.perf_counter() - clock
    provenance.update(source=str(registry), runtime=f"simulation ({runtime})")
    audit = sorted((out / "audit").glob("*.jsonl"))
    return write_outputs(out, study, cfg, provenance, suppress_below, started, timings, audit)


def write_outputs(out: Path, study, cfg, provenance: dict, suppress_below, started: str, timings: dict,
                  extra_files=()) -> StudyResults:
    """results.json, ard.parquet, report.html, run.json and the marker (written last)."""
    from prrt_rwe.report.ard import write_ard
    from prrt_rwe.report.context import ReportContext
    from prrt_rwe.report.html import write_report
    from prrt_rwe.report.numbers import Numbers
    from prrt_rwe.report.provenance import versions
    from prrt_rwe.report.results_json import write_results
    from prrt_rwe.report.run_json import write_run

    clock = time.perf_counter()
    run_id = completion.new_run_id()
    provenance.update(code_version=prrt_rwe.__version__, versions=versions(), config=cfg.source, run_id=run_id)
    analysis = study.analysis
    quality = {"available": False, "federated": True}
    try:
        files = [write_with(out / "results.json", lambda tmp: write_results(analysis.results, tmp)),
                 write_with(out / "ard.parquet", lambda tmp: write_ard(
                     analysis.results, {**analysis.extras, "data_quality": quality}, tmp))]
        ctx = ReportContext(analysis, Numbers(suppress_below), cfg, quality, provenance)
        report_path = write_with(out / "report.html", lambda tmp: write_report(ctx, tmp))
        timings["report"] = time.perf_counter() - clock
        files += [report_path, write_with(out / "run.json", lambda tmp: write_run(
            tmp, started_utc=started, timings=timings, provenance=provenance, rules=analysis.rules,
            suppress_below=suppress_below))]
        completion.finish(out, run_id, provenance.get("input_fingerprint"), files + list(extra_files))
    except OSError as exc:
        raise cannot_write(out, exc) from None
    return StudyResults(analysis.results, report_path, out)


def serve_node(source, network, audit=None, log_dir=None, say=print) -> None:
    """Run one site's node until stopped (``prrt-rwe node``): validate and load the site's
    registry or database, then answer the coordinator over Flower. ``audit``: the JSON-lines
    log (default ./audit-<site>.jsonl)."""
    from prrt_rwe.federated.flower.node_runtime import serve_node as serve
    from prrt_rwe.federated.node import Node
    from prrt_rwe.federated.site import SiteData, SiteDataError

    net = network_settings(network)
    data = SiteData(source)
    try:
        site_id = data.site_id()
        net.site(site_id)
    except (SiteDataError, NetworkError) as exc:
        raise StudyInputError(str(exc)) from None
    audit = Path(audit) if audit is not None else Path.cwd() / f"audit-{site_id}.jsonl"
    node = Node(data, net, audit)
    serve(node, net, Path(log_dir) if log_dir is not None else audit.parent / f"flower-{site_id}", say=say)


def coordinate(network, out, config=None) -> StudyResults:
    """The coordinator of a deployed network (``prrt-rwe federate --network``)."""
    import json

    from prrt_rwe.federated.flower.coordinator_runtime import coordinate as run

    out = Path(out)
    net = network_settings(network)
    check_output_folder(out)
    _config(config)   # a bad study.toml fails here, before any site is asked
    try:
        make_folder(out)
        completion.begin(out)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    run(net, Path(network), out, None if config is None else Path(config))
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return StudyResults(results, out / "report.html", out)
