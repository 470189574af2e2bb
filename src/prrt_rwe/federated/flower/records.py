"""A request or a reply as a Flower ``RecordDict``: the JSON part in one ``ConfigRecord``
(floats written by ``json`` round-trip exactly), each part's arrays in its own
``ArrayRecord``."""

from __future__ import annotations

import json

from flwr.app import Array, ArrayRecord, ConfigRecord, RecordDict

from prrt_rwe.federated.protocol import Part, PartReply, Request

__all__ = ["decode_replies", "decode_request", "encode_replies", "encode_request"]

REQUEST, REPLY = "prrt.request", "prrt.reply"


def encode_request(request: Request) -> RecordDict:
    text = json.dumps({"round": request.round,
                       "parts": [{"id": p.id, "analysis": p.analysis, "params": p.params} for p in request.parts]},
                      allow_nan=False)
    return RecordDict({REQUEST: ConfigRecord({"json": text})})


def decode_request(content: RecordDict) -> Request:
    data = json.loads(content.config_records[REQUEST]["json"])
    return Request(int(data["round"]), tuple(Part(p["id"], p["analysis"], p["params"]) for p in data["parts"]))


def encode_replies(replies: dict) -> RecordDict:
    meta, records = {}, {}
    for i, (part_id, reply) in enumerate(replies.items()):
        meta[part_id] = {"values": reply.values, "refused": reply.refused, "error": reply.error,
                         "arrays": f"arrays.{i}"}
        records[f"arrays.{i}"] = ArrayRecord(array_dict={k: Array(v) for k, v in reply.arrays.items()})
    return RecordDict({REPLY: ConfigRecord({"json": json.dumps(meta, allow_nan=False)}), **records})


def decode_replies(content: RecordDict) -> dict:
    meta = json.loads(content.config_records[REPLY]["json"])
    out = {}
    for part_id, m in meta.items():
        record = content.array_records[m["arrays"]]
        out[part_id] = PartReply(values=m["values"], arrays={k: a.numpy() for k, a in record.items()},
                                 refused=m["refused"], error=m["error"])
    return out
