"""A site's node in a deployment (``prrt-rwe node``): a Flower SuperNode that dials out to the
coordinator's SuperLink, and this process as the SuperNode's ClientApp runtime.

The SuperNode runs with ``--isolation process``: it starts no ClientApp of its own.  This
process takes each task from the SuperNode's local Runtime API (the ``address`` of the site in
network.toml) and answers it with the site's Node, which stays loaded between rounds (Flower's
default would start a new ClientApp process, and re-read the registry, for every message).
The coordinator's app code is never run here: a task of any other Flower app is refused.
"""

from __future__ import annotations

import signal
import threading

import httpx
from pathlib import Path

from flwr.app import Message
from flwr.app.error import Error
from flwr.common.constant import SubStatus
from flwr.proto.runtime_pb2 import AcquireTaskRequest  # pylint: disable=E0611
from flwr.supercore.heartbeat import HeartbeatSender, make_task_heartbeat_fn_http
from flwr.supercore.interceptors import RuntimeTokenHttpInterceptor, RuntimeVersionHttpInterceptor
from flwr.supercore.retry.retry_invoker import RetryInvoker, exponential
from flwr.supercore.runtime import RuntimeHttpClient
from flwr.supernode.runtime.run_clientapp import pull_task_input, push_message, push_task_output

from prrt_rwe.federated.flower.apps import client_app
from prrt_rwe.federated.flower.processes import Child, flower_env, wait_listening
from prrt_rwe.federated.flower.server_app import APP_ID

__all__ = ["serve_node"]

POLL_S = 0.1
RECONNECT_S = 10
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


def _serve_tasks(node, address: str, supernode: Child, stop: threading.Event) -> None:
    """Answer the SuperNode's tasks until ``stop`` or until the SuperNode exits."""
    app = client_app(lambda _ctx: node)
    acquire = _client(address, "SuperExec")
    try:
        while not stop.is_set() and supernode.poll() is None:
            try:
                res = acquire.AcquireTask(AcquireTaskRequest(supported_task_types=["flwr-clientapp"]))
            except httpx.HTTPError:
                stop.wait(POLL_S)
                continue
            if res.HasField("task") and res.token:
                try:
                    _run_task(address, res.token, app, node)
                except httpx.HTTPError as exc:
                    node.audit.write("task_failed", reason=f"{type(exc).__name__}: {exc}")
            else:
                stop.wait(POLL_S)
    finally:
        acquire.close()


def serve_node(node, network, log_dir: Path, stop: threading.Event | None = None, say=print) -> None:
    """Run the site until SIGTERM/SIGINT (or ``stop``): a SuperNode child, restarted when it
    exits (the coordinator's SuperLink restarted or went away), and the task loop."""
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
               "--max-wait-time", str(RECONNECT_S)]   # gives up soon when the SuperLink is gone: restarted
    env = flower_env(log_dir / "flwr-home")
    while not stop.is_set():
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
            _serve_tasks(node, site.address, supernode, stop)
        node.audit.write("stopped", reason="signal" if stop.is_set() else "the SuperNode exited")
        if not stop.is_set():
            say(f"site {node.site_id}: the SuperNode exited (SuperLink gone?); restarting")
            stop.wait(2.0)
