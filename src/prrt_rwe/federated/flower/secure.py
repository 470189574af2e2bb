"""Flower SecAgg+ for the summed arrays (shared/spec/federated.md, "Secure aggregation").

With ``secure_aggregation = true`` the model sums — analyses whose arrays the coordinator only
ever needs added over the sites (``SECURE_ANALYSES``: cox_moments, cox_blocks, cox_stratum, irls) — reach
the coordinator only as their sum.  A round with such parts has two phases:

1. in the clear, each node answers with the parts' *layout* only: the array names, shapes and
   the power of two above each array's largest absolute value (its order of magnitude), the
   values that are not counts (design columns) and any refusal; the arrays stay at the node;
2. Flower's SecAggPlusWorkflow then adds the nodes' arrays, each divided by the largest power
   of two over the sites (so every value lies in [-1/2, 1/2]), quantized to
   ``quantization_range`` levels on [-1, 1] and masked: the coordinator sees the sum alone.

The sum carries the quantization error stated in results.json (``federation.quantization``):
at most one level (2 / quantization_range of the array's power of two) per value per site.
Counts that these analyses release (n, events) are summed the same way and rounded.  The
layout and the node's cache are runtime-independent (federated/secure_parts.py); this module is
the Flower side.
"""

from __future__ import annotations

import json
import math

import numpy as np
from flwr.app import ConfigRecord, Context, Message, RecordDict
from flwr.common import Code, FitRes, Parameters, Status, ndarrays_to_parameters, parameters_to_ndarrays
from flwr.compat.common import recorddict_compat as compat
from flwr.server import LegacyContext, ServerConfig, SimpleClientManager
from flwr.server.compat.grid_client_proxy import GridClientProxy
from flwr.server.strategy import Strategy
from flwr.server.workflow import SecAggPlusWorkflow
from flwr.server.workflow.constant import MAIN_CONFIGS_RECORD, MAIN_PARAMS_RECORD

from prrt_rwe.federated.secure_parts import SECURE_ANALYSES

__all__ = ["quantization", "secure_sum", "train_reply"]

MODULUS = 2 ** 32
CONFIG_KEY = "prrt.secure"


def quantization_range(sites: int) -> int:
    """Levels per value: the largest power of two with (sites + 1) x levels < 2^32 (SecAgg+
    adds the quantized values and the weights modulo 2^32)."""
    return 2 ** (31 - math.ceil(math.log2(sites + 1)))


def quantization(sites: int) -> dict:
    """What results.json states about the error of the secured sums."""
    levels = quantization_range(sites)
    bits = int(math.log2(levels))
    return {"protocol": "Flower SecAgg+", "secured": list(SECURE_ANALYSES), "clipping_range": 1.0,
            "quantization_range": levels, "limbs": 2,
            "max_relative_error": sites * 4.0 / levels ** 2,
            "note": f"each value is divided by the power of two above the largest absolute value of its "
                    f"array at any site (an order of magnitude each site reveals) and sent as two "
                    f"{bits}-bit fixed-point limbs on SecAgg+'s quantization grid, so the stochastic "
                    "rounding has nothing to round: a sum differs from the plain sum by at most "
                    "max_relative_error of that power of two (below float64 rounding of the statistics)"}


def train_reply(msg: Message, node) -> Message:
    """The ClientApp's ``train`` answer inside SecAgg+: this node's vector of the round."""
    fitins = compat.recorddict_to_fitins(msg.content, keep_input=True)
    vector = node.secure_vector(json.loads(fitins.config[CONFIG_KEY]))
    res = FitRes(Status(Code.OK, ""), ndarrays_to_parameters([vector]), 1, {})
    return Message(compat.fitres_to_recorddict(res, keep_input=True), reply_to=msg)


class _SumStrategy(Strategy):
    """Every node fits once with the round's plan; the aggregate (a mean) is kept."""

    def __init__(self, plan: list):
        self.plan, self.mean = plan, None

    def initialize_parameters(self, client_manager):
        return None

    def configure_fit(self, server_round, parameters, client_manager):
        from flwr.common import FitIns

        ins = FitIns(parameters, {CONFIG_KEY: json.dumps(self.plan)})
        return [(proxy, ins) for proxy in client_manager.all().values()]

    def aggregate_fit(self, server_round, results, failures):
        if failures or not results:
            return None, {}
        self.mean = parameters_to_ndarrays(results[0][1].parameters)[0]
        return results[0][1].parameters, {}

    def configure_evaluate(self, server_round, parameters, client_manager):
        return []

    def aggregate_evaluate(self, server_round, results, failures):
        return None, {}

    def evaluate(self, server_round, parameters):
        return None


def secure_sum(grid, nodes: list[int], plan: list, timeout_s: float) -> np.ndarray:
    """The sum over ``nodes`` of their vectors for ``plan`` (SecAggPlusWorkflow), unscaled by
    the caller."""
    strategy = _SumStrategy(plan)
    manager = SimpleClientManager()
    for node in nodes:
        manager.register(GridClientProxy(node, grid, grid.run.run_id))
    context = LegacyContext(Context(run_id=grid.run.run_id, node_id=0, node_config={}, state=RecordDict(),
                                    run_config={}), ServerConfig(num_rounds=1), strategy, manager)
    context.state.config_records[MAIN_CONFIGS_RECORD] = ConfigRecord({"current_round": 1})
    context.state.array_records[MAIN_PARAMS_RECORD] = compat.parameters_to_arrayrecord(
        Parameters(tensors=[], tensor_type="numpy.ndarray"), keep_input=True)
    k = len(nodes)
    workflow = SecAggPlusWorkflow(num_shares=k if k > 2 else 1.0, reconstruction_threshold=max(2, k // 2 + 1)
                                  if k > 2 else 1.0, max_weight=1.0, clipping_range=1.0,
                                  quantization_range=quantization_range(k), modulus_range=MODULUS,
                                  timeout=timeout_s)
    workflow(grid, context)
    if strategy.mean is None:
        from prrt_rwe.federated.errors import FederationError

        raise FederationError("secure aggregation did not complete: a site dropped out or failed during "
                              "the SecAgg+ stages; rerun when every site answers")
    return np.asarray(strategy.mean, dtype=float) * k
