"""The node's audit log: one JSON line per request it received and per array or value it sent
(shared/spec/federated.md: name, shape, sum of counts), in a file the site owns and can read
before, during and after a run.

Each reply line records the request (analysis and part names), every released item with its
shape, its sum (counts: the number of patients it describes) and the SHA-256 of the bytes
sent, and every refusal with its reason.  Lines are appended and flushed one by one, so a run
that is killed leaves a complete log of what had left the site.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from prrt_rwe.federated.contract import leaves

__all__ = ["AuditLog", "describe_item"]


def describe_item(name: str, value) -> dict:
    """Name, kind, shape, sum and digest of one released array or JSON value."""
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        finite = data[np.isfinite(data)] if data.dtype.kind == "f" else data
        return {"name": name, "kind": "array", "dtype": str(data.dtype), "shape": list(data.shape),
                "sum": float(finite.sum()) if finite.size else 0.0,
                "sha256": hashlib.sha256(data.tobytes()).hexdigest()}
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    cells = [v for _, v in leaves(value)]
    counts = [v for v in cells if isinstance(v, int) and not isinstance(v, bool)]
    return {"name": name, "kind": "values", "cells": len(cells),
            "sum": int(sum(counts)), "sha256": hashlib.sha256(text.encode()).hexdigest()}


class AuditLog:
    """Append-only JSON lines at ``path`` (created with its folder)."""

    def __init__(self, path, site: str):
        self.path = Path(path)
        self.site = site
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, event: str, **fields) -> None:
        line = {"utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "site": self.site,
                "event": event, **fields}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(line, separators=(",", ":"), allow_nan=False) + "\n")
            f.flush()

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]
