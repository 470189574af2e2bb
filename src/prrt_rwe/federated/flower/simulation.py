"""Flower in one process: every site's ClientApp (with its mods) behind an in-process
``Grid``, so a simulation sends the same Flower messages as a deployment, without a SuperLink.

Flower's own Simulation Engine runs ClientApps in Ray actors (``flwr[simulation]``); this
grid delivers each message to the node's ClientApp directly and in order, which is enough
for a study whose nodes answer one request at a time, and keeps the run in this process.
"""

from __future__ import annotations

import copy
from uuid import uuid4

from flwr.app import Context, Message, RecordDict
from flwr.app.error import Error
from flwr.serverapp import Grid
from flwr.supercore.run import Run
from flwr.supercore.task_identity import TaskIdentity

from prrt_rwe.federated.flower.apps import GridTransport, client_app

__all__ = ["FlowerSimulation", "InProcessGrid"]

COORDINATOR_NODE_ID = 1   # Flower's SUPERLINK_NODE_ID
CLIENT_APP_RAISED_EXCEPTION = 2


class InProcessGrid(Grid):
    """A Grid whose nodes are ClientApps of this process (node id -> (ClientApp, Context))."""

    def __init__(self, nodes: dict):
        self._nodes = nodes
        self._run = Run.create_empty(run_id=1)
        self._replies: dict = {}

    def set_run(self, run: Run) -> None:
        self._run = run

    @property
    def run(self) -> Run:
        return self._run

    def create_message(self, content: RecordDict, message_type: str, dst_node_id: int, group_id: str,
                       ttl: float | None = None) -> Message:
        return Message(content, dst_node_id, message_type, ttl=ttl, group_id=group_id)

    def get_node_ids(self):
        return list(self._nodes)

    def push_messages(self, messages) -> list[str]:
        ids = []
        for msg in messages:
            msg.metadata.__dict__["_message_id"] = uuid4().hex
            msg.metadata.__dict__["_src_node_id"] = COORDINATOR_NODE_ID
            app, context = self._nodes[msg.metadata.dst_node_id]
            try:
                reply = app(copy.deepcopy(msg), context)   # each node its own copy, as over a network
            except Exception as exc:  # noqa: BLE001 - as Flower's runtime, an error reply
                reply = Message(Error(code=CLIENT_APP_RAISED_EXCEPTION, reason=f"{type(exc).__name__}: {exc}"),
                                reply_to=msg)
            self._replies[msg.metadata.message_id] = reply
            ids.append(msg.metadata.message_id)
        return ids

    def pull_messages(self, message_ids) -> list[Message]:
        return [self._replies.pop(i) for i in message_ids if i in self._replies]

    def send_and_receive(self, messages, *, timeout: float | None = None) -> list[Message]:
        return self.pull_messages(self.push_messages(messages))


class FlowerSimulation(GridTransport):
    """The nodes' ClientApps on an in-process grid; node ids 2, 3, ... in site order."""

    def __init__(self, nodes, network):
        if TaskIdentity._run_id is None:   # what Flower's runtime sets in a ServerApp process
            TaskIdentity.run_id, TaskIdentity.node_id, TaskIdentity.task_id = 1, COORDINATOR_NODE_ID, 1
        by_id = {}
        for i, node in enumerate(sorted(nodes, key=lambda n: n.site_id), start=2):
            context = Context(run_id=1, node_id=i, node_config={"site": node.site_id}, state=RecordDict(),
                              run_config={})
            by_id[i] = (client_app(lambda _ctx, n=node: n, network.secure_aggregation), context)
        super().__init__(InProcessGrid(by_id), network.timeout_s, network.secure_aggregation)
