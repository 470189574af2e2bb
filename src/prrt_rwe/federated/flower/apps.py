"""The ClientApp every node runs and the transport a coordinator uses over a Flower ``Grid``.

A request travels as one ``query.prrt`` message per node; the ClientApp hands it to the
site's :class:`~prrt_rwe.federated.node.Node` and replies with its answer.  The transport
waits at most ``timeout_s`` for the replies of a round; a node that does not answer in time,
or whose runtime reports an error, is a :class:`~prrt_rwe.federated.errors.SiteFailure` named
by its node id (the coordinator turns it into the site's id).
"""

from __future__ import annotations

import time

from flwr.app import Message
from flwr.clientapp import ClientApp

from prrt_rwe.federated.errors import SiteFailure
from prrt_rwe.federated.flower.records import decode_replies, decode_request, encode_replies, encode_request

__all__ = ["MESSAGE_TYPE", "GridTransport", "client_app"]

MESSAGE_TYPE = "query.prrt"
PULL_S = 0.1
LIVENESS_S = 1.0
NODE_UNAVAILABLE = 5   # flwr.common.constant.ErrorCode


def client_app(node_for, secure: bool = False) -> ClientApp:
    """A ClientApp answering with ``node_for(context)`` (the site's Node); with ``secure``
    also the ``train`` messages of Flower's SecAgg+ (its mod masks the node's vector)."""
    from flwr.client.mod import secaggplus_mod

    app = ClientApp(mods=[secaggplus_mod] if secure else [])

    @app.query("prrt")
    def query(msg: Message, context) -> Message:
        replies = node_for(context).handle(decode_request(msg.content))
        return Message(encode_replies(replies), reply_to=msg)

    if secure:
        from prrt_rwe.federated.flower.secure import train_reply

        @app.train()
        def train(msg: Message, context) -> Message:
            return train_reply(msg, node_for(context))

    return app


class GridTransport:
    """federated/coordinator.py's transport over a Flower Grid (simulated or deployed)."""

    def __init__(self, grid, timeout_s: float, secure: bool = False):
        self.grid, self.timeout_s, self.secure = grid, timeout_s, secure
        self.nodes = sorted(grid.get_node_ids())
        self.quantization = None
        if secure:
            from prrt_rwe.federated.flower.secure import quantization

            self.quantization = quantization(len(self.nodes))

    def send(self, request) -> dict:
        messages = [Message(encode_request(request), dst_node_id=node, message_type=MESSAGE_TYPE,
                            group_id=str(request.round)) for node in self.nodes]
        replies = self._exchange(messages, request.round)
        out = {}
        for node in map(str, self.nodes):
            reply = replies.get(node)
            if reply is None:
                raise SiteFailure(node, f"no reply within {self.timeout_s:g} s in round {request.round} "
                                        "(the node stopped or cannot be reached); rerun when it is back")
            if reply.has_error() and reply.error.code == NODE_UNAVAILABLE:
                raise SiteFailure(node, f"did not answer round {request.round}: its node is unavailable "
                                        "(stopped or lost the connection); restart it and rerun")
            if reply.has_error():
                raise SiteFailure(node, f"its runtime reported an error in round {request.round}: "
                                        f"{reply.error.reason}")
            out[node] = decode_replies(reply.content)
        return self._secure_sums(request, out) if self.secure else out

    def _secure_sums(self, request, replies: dict) -> dict:
        """Phase 2 of federated/flower/secure.py: the secured parts every node laid out are
        replaced by their sum, the reply of the one node SECURE_NODE."""
        from prrt_rwe.federated.flower.secure import quantization_range, secure_sum
        from prrt_rwe.federated.secure_parts import SECURE_ANALYSES, SECURE_NODE, plan_of, summed_replies

        parts = [p for p in request.parts if p.analysis in SECURE_ANALYSES]
        plan = plan_of(parts, replies, quantization_range(len(self.nodes)))
        if not plan:
            return replies
        vector = secure_sum(self.grid, self.nodes, plan, self.timeout_s)
        summed = summed_replies(vector, plan, replies)
        out = {node: {k: v for k, v in r.items() if k not in summed} for node, r in replies.items()}
        out[SECURE_NODE] = summed
        return out

    def _exchange(self, messages, round_: int) -> dict:
        """Push, then pull every ``PULL_S`` until each message has its reply, the timeout
        passes, or a node that still owes a reply leaves the network (checked every
        ``LIVENESS_S``; Grid.send_and_receive pulls every 3 s and waits out the timeout)."""
        destinations = dict(zip(self.grid.push_messages(messages), (m.metadata.dst_node_id for m in messages)))
        pending = set(destinations)
        deadline = time.monotonic() + self.timeout_s
        checked = time.monotonic()
        replies: dict = {}   # node id (str) -> reply; error replies of the SuperLink come from it
        while pending:
            got = list(self.grid.pull_messages(pending))
            replies.update({str(destinations[m.metadata.reply_to_message_id]): m for m in got})
            pending -= {m.metadata.reply_to_message_id for m in got}
            if not pending or time.monotonic() > deadline:
                break
            if time.monotonic() - checked > LIVENESS_S:
                online, checked = set(self.grid.get_node_ids()), time.monotonic()
                gone = sorted({destinations[i] for i in pending} - online)
                if gone:
                    raise SiteFailure(str(gone[0]), f"left the network during round {round_} (its node "
                                                    "stopped or lost the connection); restart it and rerun")
            time.sleep(PULL_S)
        return replies
