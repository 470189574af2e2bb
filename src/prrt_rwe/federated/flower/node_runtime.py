"""A site's node in a deployment (``prrt-rwe node``): a Flower SuperNode that dials out to the
coordinator's SuperLink, and this process as the SuperNode's ClientApp runtime.

The SuperNode runs with ``--isolation process``: it starts no ClientApp of its own.  This
process takes each task from the SuperNode's local Runtime API (the ``address`` of the site in
network.toml) and answers it with the site's Node, which stays loaded between rounds (Flower's
default would start a new ClientApp process, and re-read the registry, for every message).
The coordinator's app code is never run here: a task of any other Flower app is refused.

The node starts its SuperNode only while the coordinator's SuperLink listens, and stops it
when the SuperLink goes away (a study ended, the coordinator restarted): Flower 1.42's
SuperNode, once it gives up reconnecting, does not exit while its Runtime API thread runs, and
a new SuperLink does not know its node id.  So every study finds a fresh SuperNode.
"""

from __future__ import annotations

import signal
import threading
import time

import httpx
from pathlib import Path

from flwr.app import Message
from flwr.app.error import Error
from flwr.common.constant import SubStatus
from flwr.proto.runtime_pb2 import AcquireTaskRequest  # pylint: disable=E0611
from flwr.supercore.heartbeat import HeartbeatSender, make_task_heartbeat_fn_http
from flwr.supercore.inflatable.inflatable_utils import ObjectPushError
from flwr.supercore.interceptors import RuntimeTokenHttpInterceptor, RuntimeVersionHttpInterceptor
from flwr.supercore.retry.retry_invoker import RetryInvoker, exponential
from flwr.supercore.runtime import RuntimeHttpClient
from flwr.supernode.runtime.run_clientapp import pull_task_input, push_message, push_task_output

from prrt_rwe.federated.flower.apps import client_app
from prrt_rwe.federated.flower.processes import Child, flower_env, listening, wait_listening
from prrt_rwe.federated.flower.server_app import APP_ID

__all__ = ["serve_node"]

POLL_S = 0.1
RECONNECT_S = 10
LINK_PROBE_S = 1.0   # how often the node checks that the SuperLink still listens
LINK_LOST_PROBES = 2   # failed probes in a row after which the SuperNode is stopped
CLIENT_APP_RAISED_EXCEPTION = 2


def _retries() -> RetryInvoker:
    """A few quick retries: the SuperNode is on this machine, and this loop must notice when
    it has gone (Flower's default invoker retries for ever, and signals its own process)."""
    return RetryInvoker(lambda: exponential(max_delay=1.0), httpx.TransportError, max_tries=5, max_time=10.0)


def _client(address: str, component: str, token: str | None = None) -> RuntimeHttpClient:
    interceptors = [RuntimeVersionHttpInterceptor(component_name=component)]
    if token is not None:
        interceptors.append(RuntimeTokenHttpInterceptor(token))
    return RuntimeHttpClient.from_server_address(server_address=address, insecure=True, root_certificates=None,
                                                 interceptors=interceptors, retry_invoker=_retries())


def _run_task(address: str, token: str, app, node) -> None:
    """What flwr-clientapp does for one task, in this process."""
    client = _client(address, "flwr-clientapp", token)
    heartbeat = HeartbeatSender(make_task_heartbeat_fn_http(client))
    heartbeat.start()
    context, status, details = None, SubStatus.FAILED, "refused"
    try:
        message, context, run, _fab = pull_task_input(client)
        if run.fab_id != APP_ID:
            node.audit.write("refused_app", app=run.fab_id, reason="not the prrt-rwe federated study")
            reply = Message(Error(code=CLIENT_APP_RAISED_EXCEPTION,
                                  reason=f"site {node.site_id} runs only {APP_ID}, not {run.fab_id}"), reply_to=message)
        else:
            reply = app(message, context)
            status, details = SubStatus.COMPLETED, ""
        push_message(client, reply, context)
    finally:
        heartbeat.stop()
        push_task_output(client, context, status, details)
        client.close()


class _LinkWatch:
    """Whether the SuperLink still listens, probed every LINK_PROBE_S."""

    def __init__(self, superlink: str):
        self.superlink, self.failed, self.next = superlink, 0, time.monotonic()

    def lost(self) -> bool:
        if time.monotonic() >= self.next:
            self.failed = 0 if listening(self.superlink) else self.failed + 1
            self.next = time.monotonic() + LINK_PROBE_S
        return self.gone

    @property
    def gone(self) -> bool:
        return self.failed >= LINK_LOST_PROBES


def _serve_tasks(node, address: str, supernode: Child, stop: threading.Event, link: _LinkWatch) -> None:
    """Answer the SuperNode's tasks until ``stop``, until the SuperNode exits or until the
    SuperLink goes away."""
    app = client_app(lambda _ctx: node, node.network.secure_aggregation)
    acquire = _client(address, "SuperExec")
    try:
        while not stop.is_set() and supernode.poll() is None and not link.lost():
            try:
                res = acquire.AcquireTask(AcquireTaskRequest(supported_task_types=["flwr-clientapp"]))
            except httpx.HTTPError:
                stop.wait(POLL_S)
                continue
            if res.HasField("task") and res.token:
                try:
                    _run_task(address, res.token, app, node)
                except (httpx.HTTPError, ObjectPushError) as exc:   # ObjectPushError: the study
                    # ended (another site failed) while this reply was being pushed; the node stays up
                    node.audit.write("task_failed", reason=f"{type(exc).__name__}: {exc}")
            else:
                stop.wait(POLL_S)
    finally:
        acquire.close()


def serve_node(node, network, log_dir: Path, stop: threading.Event | None = None, say=print) -> None:
    """Run the site until SIGTERM/SIGINT (or ``stop``): while the coordinator's SuperLink
    listens, a SuperNode child and the task loop; the SuperNode is stopped when it exits or the
    SuperLink goes away, and started again when a SuperLink listens."""
    site = network.site(node.site_id)
    if not network.superlink or not site.address:
        raise ValueError(f"{network.source or 'network.toml'}: deployment needs superlink = \"host:port\" and "
                         f"an address for site {node.site_id}")
    host, port = site.address.rsplit(":", 1)
    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    command = ["flower-supernode", "--insecure", "--superlink", network.superlink, "--isolation", "process",
               "--host", host, "--port", port, "--node-config", f"site='{node.site_id}'",
               "--max-wait-time", str(RECONNECT_S)]   # gives up soon; the node stops and restarts it
    env = flower_env(log_dir / "flwr-home")
    waiting = False
    while not stop.is_set():
        if not listening(network.superlink):
            if not waiting:
                say(f"site {node.site_id}: waiting for the coordinator's SuperLink at {network.superlink}")
                waiting = True
            stop.wait(LINK_PROBE_S)
            continue
        waiting = False
        with Child("flower-supernode", command, log_dir / f"supernode-{node.site_id}.log", env) as supernode:
            try:
                wait_listening(site.address, 120, supernode)
            except RuntimeError as exc:
                say(f"site {node.site_id}: {exc}; retrying")
                stop.wait(2.0)
                continue
            node.audit.write("started", superlink=network.superlink, runtime_api=site.address)
            say(f"site {node.site_id}: node ready, connecting to the SuperLink at {network.superlink} "
                f"(audit log {node.audit.path})")
            link = _LinkWatch(network.superlink)
            _serve_tasks(node, site.address, supernode, stop, link)
        reason = "signal" if stop.is_set() else "the SuperLink went away" if link.gone else "the SuperNode exited"
        node.audit.write("stopped", reason=reason)
        if not stop.is_set():
            say(f"site {node.site_id}: {reason}; restarting when a SuperLink listens")
            stop.wait(2.0)   # no tight loop when a SuperNode keeps exiting
