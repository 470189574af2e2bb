"""The parts of a round that secure aggregation sums (runtime-independent half of
federated/flower/secure.py): a node keeps their arrays and sends only their layout; for the
secure sum it sends them in the coordinator's order, each divided by the network's power of
two; the coordinator turns the summed vector back into arrays.

Per-time arrays (the Cox risk-set sums of cox_blocks) are summed on one grid: the union of
the sites' released times, which the layout carries (they are the pooled times of
disclosure.py rule 2, as the sites' Kaplan-Meier tables release them); each site puts its
blocks at their times on the grid, zeros elsewhere.
"""

from __future__ import annotations

import math

import numpy as np

from prrt_rwe.federated.protocol import PartReply

__all__ = ["COUNT_VALUES", "SECURE_ANALYSES", "SECURE_NODE", "SecureCache", "join_limbs", "layout_of", "limbs",
           "plan_of", "summed_replies"]

SECURE_ANALYSES = ("cox_moments", "cox_blocks", "cox_stratum", "irls")   # arrays only needed as sums
TIME = "time"                    # a part's per-time arrays are indexed by this array
NOT_PER_TIME = ("xd", "value.n", "value.events")   # arrays of such a part that are not per time
COUNT_VALUES = ("n", "events")   # counts such a part reports: summed securely too
SECURE_NODE = "secure-sum"       # the one "node" whose reply is the sum over every site
NO_EXPONENT = -1074              # an array of zeros


def _arrays(reply: PartReply) -> dict:
    arrays = dict(reply.arrays)
    for name in COUNT_VALUES:
        if name in reply.values:
            arrays[f"value.{name}"] = np.array([float(reply.values[name])])
    return arrays


def _exponent(a: np.ndarray) -> int:
    """e with 2^e >= 2 max|a| (so a / 2^e lies within +-1/2)."""
    top = float(np.max(np.abs(a))) if a.size else 0.0
    return NO_EXPONENT if top == 0 else math.frexp(top)[1] + 1


def layout_of(reply: PartReply) -> PartReply:
    """What a node sends in the clear for a secured part: each array's shape and order of
    magnitude, its released times (per-time parts), the values that are not counts (design
    columns), refusals and errors."""
    arrays = _arrays(reply)
    layout = {name: {"shape": list(a.shape), "exponent": _exponent(a)} for name, a in arrays.items() if name != TIME}
    values = {k: v for k, v in reply.values.items() if k not in COUNT_VALUES}
    if reply.arrays:
        values["secure_layout"] = layout
        if TIME in arrays:
            values["secure_time"] = arrays[TIME].tolist()
    return PartReply(values=values, refused=reply.refused, error=reply.error)


def _on_grid(arrays: dict, grid: list | None) -> dict:
    if grid is None or TIME not in arrays:
        return arrays
    time, g = arrays[TIME], np.asarray(grid, dtype=float)
    at = np.searchsorted(g, time)
    out = {}
    for name, a in arrays.items():
        if name != TIME and name not in NOT_PER_TIME:
            full = np.zeros((g.size,) + a.shape[1:])
            full[at] = a
            out[name] = full
        else:
            out[name] = a
    return out


class SecureCache:
    """A node's arrays of the secured parts of the round in progress."""

    def __init__(self):
        self._arrays: dict = {}

    def keep(self, part_id: str, reply: PartReply) -> None:
        if reply.arrays:
            self._arrays[part_id] = _arrays(reply)

    def vector(self, plan: list) -> np.ndarray:
        """The arrays in ``plan`` order (plan_of), scaled and written as two fixed-point limbs
        (:func:`limbs`)."""
        aligned = {p: _on_grid(a, next((e["grid"] for e in plan if e["part"] == p), None))
                   for p, a in self._arrays.items()}
        scaled = np.concatenate([np.ravel(aligned[e["part"]][e["name"]]) * 2.0 ** -e["exponent"] for e in plan]) \
            if plan else np.zeros(0)
        self._arrays.clear()
        return limbs(scaled, plan[0]["levels"]) if plan else scaled


def _grid_point(x: np.ndarray, levels: int) -> np.ndarray:
    """The nearest of SecAgg+'s quantization points on [-1, 1] (exact in float64), so its
    stochastic rounding has nothing to round."""
    return np.rint((x + 1.0) * (levels / 2)) * (2.0 / levels) - 1.0


def limbs(x: np.ndarray, levels: int) -> np.ndarray:
    """Values within +-1/2 as two limbs on the quantization grid: hi, and the remainder
    (at most one level) scaled by levels / 4; :func:`join_limbs` adds them back.  The sum over
    the sites then equals the plain sum to about 2^-2b of the scale (b = log2 levels bits)."""
    hi = _grid_point(x, levels)
    lo = _grid_point((x - hi) * (levels / 4), levels)
    return np.concatenate([hi, lo])


def join_limbs(v: np.ndarray, levels: int) -> np.ndarray:
    half = v.size // 2
    return v[:half] + v[half:] * (4.0 / levels)


def plan_of(parts: list, replies: dict, levels: int) -> list:
    """One entry per array of the secured parts that every node laid out: part, name, shape
    (on the grid), the largest exponent over the nodes, the grid of a per-time part and the
    quantization levels of the secure sum."""
    plan = []
    for part in parts:
        layouts = [r[part.id].values.get("secure_layout") for r in replies.values()]
        if not layouts or any(layout is None for layout in layouts):
            continue
        times = [r[part.id].values.get("secure_time") for r in replies.values()]
        grid = sorted(set().union(*map(set, times))) if times[0] is not None else None
        for name in sorted(layouts[0]):
            shape = list(layouts[0][name]["shape"])
            if grid is not None and name not in NOT_PER_TIME:
                shape[0] = len(grid)
            plan.append({"part": part.id, "name": name, "shape": shape, "grid": grid, "levels": levels,
                         "exponent": max(layout[name]["exponent"] for layout in layouts)})
    return plan


def summed_replies(vector: np.ndarray, plan: list, replies: dict) -> dict:
    """part id -> the PartReply of the sum (``vector``: the summed limbs; arrays unscaled, on
    the grid; counts rounded; the number of sites with rows as ``sites_with_rows``)."""
    first = next(iter(replies.values()))
    vector = join_limbs(vector, plan[0]["levels"])
    out, at = {}, 0
    for entry in plan:
        part_id, name = entry["part"], entry["name"]
        size = int(np.prod(entry["shape"], dtype=np.int64))
        value = vector[at:at + size].reshape(entry["shape"]) * 2.0 ** entry["exponent"]
        at += size
        reply = out.setdefault(part_id, PartReply(values={k: v for k, v in first[part_id].values.items()
                                                          if k not in ("secure_layout", "secure_time")}))
        if name.startswith("value."):
            reply.values[name[len("value."):]] = int(round(float(value[0])))
        else:
            reply.arrays[name] = value
        if entry["grid"] is not None:
            reply.arrays[TIME] = np.asarray(entry["grid"], dtype=float)
    for part_id, reply in out.items():
        reply.values["secure"] = True
        reply.values["sites_with_rows"] = sum(
            1 for r in replies.values() if any(v["exponent"] != NO_EXPONENT for v in
                                               r[part_id].values["secure_layout"].values()))
    return out
