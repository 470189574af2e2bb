"""results.json of two engines compared as issue 17 says: counts and strings identical,
numbers equal to 1e-9 relative (a distributed sum's order may differ)."""

from __future__ import annotations

import math

RTOL = 1e-9


def differences(a, b, path="") -> list[str]:
    """Where two results.json values differ beyond the tolerance (empty when equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} != {list(b)}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
            return [] if a == b else [f"{path}: {a!r} != {b!r}"]
        if math.isclose(a, b, rel_tol=RTOL, abs_tol=0.0) or (a == 0 == b):
            return []
        return [f"{path}: {a!r} != {b!r}"]
    return [] if (a == b and type(a) is type(b)) else [f"{path}: {a!r} != {b!r}"]
