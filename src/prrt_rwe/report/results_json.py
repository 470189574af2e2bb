"""OUT/results.json (shared/spec/results-v1.md): keys in contract order, numbers canonical
(10 significant digits), no timestamps, so the same input gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path


def dumps(results: dict) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_results(results: dict, path: Path) -> Path:
    path = Path(path)
    path.write_bytes(dumps(results).encode("utf-8"))
    return path
