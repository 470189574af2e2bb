"""Count trees: the part of a site's own results that may leave it, and their sum over sites.

Node side, :func:`releasable` walks the site's results (computed by the pooled results/
functions on its rows) and keeps, in the same nesting, only what federated/contract.py lists:
counts, proportions as ``{"n", "N"}`` and labels, with the count rules of
federated/disclosure.py applied (a failing count travels as None).  :func:`skeleton` gives the
shape of the whole document (every leaf None), so the coordinator knows which keys exist.

Coordinator side, :func:`merge_trees` adds the sites' trees key by key (a key a site lacks
counts 0 there), rebuilds each proportion from its summed n and N with the pooled
``results.proportion.proportion``, and records which keys were suppressed and at which sites,
and which labels differed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prrt_rwe.federated.contract import TABLES, kind_of, path_join
from prrt_rwe.federated.disclosure import cell_ok, suppress_siblings
from prrt_rwe.results.proportion import proportion

__all__ = ["Merged", "blank", "leaf_types", "merge_skeletons", "merge_trees", "releasable", "skeleton"]


LEAF_TYPES = {bool: "b", int: "i", float: "f", str: "s"}


def skeleton(tree):
    """The same nesting with every leaf replaced by its type ("i" int, "f" float, "s" text,
    "b" bool, None null); list lengths kept.  No value leaves the site this way."""
    if isinstance(tree, dict):
        return {k: skeleton(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [skeleton(v) for v in tree]
    return None if tree is None else LEAF_TYPES.get(type(tree), "f")


def leaf_types(tree, prefix: str = "") -> dict:
    """Normalised path -> leaf type of a (merged) skeleton."""
    out: dict = {}
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.update(leaf_types(v, path_join(prefix, k)))
    elif isinstance(tree, list):
        for v in tree:
            out.update(leaf_types(v, path_join(prefix, 0)))
    else:
        out[prefix] = tree
    return out


def blank(tree):
    """A skeleton with its leaf types replaced by None (the document to fill)."""
    if isinstance(tree, dict):
        return {k: blank(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [blank(v) for v in tree]
    return None


def _is_proportion(value) -> bool:
    return isinstance(value, dict) and {"n", "N"} <= set(value) and "estimate" in value


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def releasable(document: str, tree, min_cell: int, prefix: str = ""):
    """The releasable part of ``tree`` (None when nothing of it is released)."""
    kind = kind_of(document, prefix) if prefix else None
    if kind == "proportion":
        if not _is_proportion(tree):
            return None
        n, N = tree["n"], tree["N"]
        ok = n is not None and N is not None and cell_ok(n, min_cell) and cell_ok(N - n, min_cell)
        return {"n": n, "N": N} if ok else {"n": None, "N": None}
    nested = isinstance(tree, (dict, list, tuple))
    if kind == "count" and not nested:
        return tree if _is_count(tree) and cell_ok(tree, min_cell) else None
    if kind == "label" and not nested:
        return tree
    if isinstance(tree, dict):
        out, counts = {}, {}
        for k, v in tree.items():
            path = path_join(prefix, k)
            if kind_of(document, path) == "count" and _is_count(v) and not isinstance(v, bool):
                counts[k] = out[k] = v   # checked below, with its siblings
            elif (r := releasable(document, v, min_cell, path)) is not None:
                out[k] = r
        out.update(suppress_siblings(counts, min_cell))
        if prefix in TABLES[document] and _has_none(out):
            out = _without_counts(out)
        return out or None
    if isinstance(tree, (list, tuple)):
        items = [releasable(document, v, min_cell, path_join(prefix, i)) for i, v in enumerate(tree)]
        return items if any(i is not None for i in items) else None
    return None


def _has_none(tree) -> bool:
    if isinstance(tree, dict):
        return any(_has_none(v) for v in tree.values())
    if isinstance(tree, list):
        return any(_has_none(v) for v in tree)
    return tree is None


def _without_counts(tree):
    """The same tree with every count None (a table a site cannot release whole)."""
    if isinstance(tree, dict):
        return {k: _without_counts(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_without_counts(v) for v in tree]
    return None if _is_count(tree) else tree


def _merge_order(key_lists) -> list:
    """Keys of several dicts in one order: each site's order kept, new keys inserted after
    their predecessor (the pooled order when the sites' orders agree)."""
    order: list = []
    for keys in key_lists:
        previous = None
        for k in keys:
            if k not in order:
                order.insert(order.index(previous) + 1 if previous is not None else 0, k)
            previous = k
    return order


def merge_skeletons(trees):
    """One skeleton from the sites' (dict keys united; lists of different lengths -> None; a
    leaf that is a float anywhere is a float)."""
    trees = [t for t in trees if t is not None]
    if not trees:
        return None
    if all(isinstance(t, str) for t in trees):
        return "f" if "f" in trees else trees[0]
    if all(isinstance(t, dict) for t in trees):
        return {k: merge_skeletons([t.get(k) for t in trees]) for k in _merge_order([list(t) for t in trees])}
    if all(isinstance(t, list) for t in trees) and len({len(t) for t in trees}) == 1:
        return [merge_skeletons(list(items)) for items in zip(*trees)]
    return None


@dataclass
class Merged:
    """The summed tree, and per key path the sites that suppressed it or labels that differed."""

    tree: object
    suppressed: dict = field(default_factory=dict)   # path -> [site ids]
    differing: list = field(default_factory=list)    # paths of labels that are not the same everywhere


def merge_trees(document: str, by_site: dict) -> Merged:
    """Sum of the sites' releasable trees (``by_site``: site id -> tree)."""
    merged = Merged(None)
    merged.tree = _merge(document, by_site, "", merged)
    return merged


def _merge(document, by_site: dict, prefix: str, merged: Merged):
    """``by_site``: site -> its value here (None: suppressed for a count or proportion, absent
    otherwise)."""
    kind = kind_of(document, prefix) if prefix else None
    nested = any(isinstance(v, (dict, list)) for v in by_site.values())
    if kind == "proportion":
        return _merge_proportion(by_site, prefix, merged)
    if kind == "count" and not nested:
        return _sum(by_site, prefix, merged)
    present = {s: t for s, t in by_site.items() if t is not None}
    if kind == "label" and not nested:
        values = list(present.values())
        if values and any(v != values[0] for v in values):
            merged.differing.append(prefix)
            return None
        return values[0] if values else None
    dicts = {s: t for s, t in present.items() if isinstance(t, dict)}
    if dicts:
        keys = _merge_order([list(t) for t in dicts.values()])
        return {k: _merge(document, {s: _child(t, k, document, path_join(prefix, k)) for s, t in dicts.items()},
                          path_join(prefix, k), merged) for k in keys}
    lists = {s: t for s, t in present.items() if isinstance(t, list)}
    if lists and len({len(t) for t in lists.values()}) == 1:
        length = len(next(iter(lists.values())))
        return [_merge(document, {s: t[i] for s, t in lists.items()}, path_join(prefix, i), merged)
                for i in range(length)]
    return None


def _child(tree: dict, key, document, path):
    """A site's value at ``key``; a count or proportion the site does not have is 0 there."""
    if key in tree:
        return tree[key]
    kind = kind_of(document, path)
    return 0 if kind == "count" else {"n": 0, "N": 0} if kind == "proportion" else None


def _sum(by_site: dict, prefix: str, merged: Merged):
    suppressed = sorted(s for s, v in by_site.items() if v is None)
    if suppressed:
        merged.suppressed[prefix] = suppressed
        return None
    return int(sum(by_site.values()))


def _merge_proportion(by_site: dict, prefix: str, merged: Merged):
    suppressed = sorted(s for s, v in by_site.items() if v is None or v.get("n") is None)
    if suppressed:
        merged.suppressed[prefix] = suppressed
        return proportion_none()
    return proportion(sum(int(v["n"]) for v in by_site.values()), sum(int(v["N"]) for v in by_site.values()))


def proportion_none() -> dict:
    return {"n": None, "N": None, "estimate": None, "ci95": [None, None]}
