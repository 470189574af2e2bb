"""OUT/ard.parquet: every statistic of the report as one long Analysis Results Dataset
(CDISC ARD, in the layout of R's cards package): ``context`` (the results block),
``group1``/``group1_level`` (a by-group such as the primary tumour group or a published
study), ``variable``/``variable_level`` (what is summarised, a model term or a level),
``stat_name`` and ``stat`` (numeric) or ``stat_chr`` (text). Never masked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLUMNS = ("context", "group1", "group1_level", "variable", "variable_level", "stat_name", "stat", "stat_chr")
LEVEL_KEYS = ("term", "reason", "month", "site_id", "covariate", "site")  # a list item named by one of these keys
GROUP_ITEM_KEYS = ("model", "endpoint")  # ... and grouped by one of these (E-values by model, tests by end point)
GROUP_BLOCKS = {"by_primary_group": "primary_group"}
COUNT_TABLES = ("primary_group", "who_grade", "bor_counts")  # dicts of level -> patients


def is_count_table(context: str, parts: list, node: dict) -> bool:
    """A dict whose keys are levels and values patient counts (stat_name "n")."""
    if not node or not all(isinstance(v, int) and not isinstance(v, bool) for v in node.values()):
        return False
    return (bool(parts) and parts[-1] in COUNT_TABLES) or "worst_grade" in parts[:-1] \
        or (context == "characteristics" and "median" not in node and "variables" in parts)


def _row(context, variable, stat_name, value, group=None, level=None, var_level=None) -> dict:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return {"context": context, "group1": group, "group1_level": level, "variable": variable,
            "variable_level": None if var_level is None else str(var_level), "stat_name": stat_name,
            "stat": float(value) if numeric else (float(value) if isinstance(value, bool) else None),
            "stat_chr": None if numeric or value is None or isinstance(value, bool) else str(value)}


def _walk(node, context, parts, group=None, level=None, var_level=None):
    variable = ".".join(parts) if parts else context
    if isinstance(node, dict):
        if is_count_table(context, parts, node):
            for key, n in node.items():
                yield _row(context, variable, "n", n, group, level, key)
            return
        if "months" in node and all(isinstance(v, list) for v in node.values()):
            for i, m in enumerate(node["months"]):
                for k, values in node.items():
                    if k != "months":
                        yield _row(context, variable, k, values[i], group, level, m)
            return
        for key, value in node.items():
            if key in GROUP_BLOCKS and isinstance(value, dict):
                for g, sub in value.items():
                    yield from _walk(sub, context, parts + [key], GROUP_BLOCKS[key], g, var_level)
            elif (key in LEVEL_KEYS and var_level is not None) or (key in GROUP_ITEM_KEYS and group == key):
                continue
            else:
                yield from _leaf_or_walk(value, key, context, parts, group, level, var_level)
    elif isinstance(node, list):
        for item in node:
            key = next((k for k in LEVEL_KEYS if isinstance(item, dict) and k in item), None)
            by = next((k for k in GROUP_ITEM_KEYS if isinstance(item, dict) and k in item and k != key), None)
            yield from _walk(item, context, parts, by or group, item[by] if by else level,
                             item[key] if key else None)


def _leaf_or_walk(value, key, context, parts, group, level, var_level):
    variable = ".".join(parts) if parts else context
    if key == "ci95" and isinstance(value, list):
        yield _row(context, variable, "conf.low", value[0], group, level, var_level)
        yield _row(context, variable, "conf.high", value[1], group, level, var_level)
    elif isinstance(value, (dict, list)):
        yield from _walk(value, context, parts + [key], group, level, var_level)
    else:
        yield _row(context, variable, key, value, group, level, var_level)


def benchmark_rows(items: list[dict]):
    for item in items:
        for stat in ("published", "ours"):
            yield _row("benchmarks", item["endpoint"], stat, item[stat], "study", item["study"])


def comparison_rows(items: list[dict]):
    """``comparisons``: one group per study and arm, the end point as the variable."""
    for item in items:
        level = f"{item['study']} | {item['arm']}"
        for side in ("published", "ours"):
            yield from _walk(item[side], "comparisons", [item["endpoint"], side], "study", level)


def comparator_rows(items: list[dict]):
    """``comparators``: one group per comparator file (its id)."""
    for item in items:
        body = {k: v for k, v in item.items() if k not in ("id", "study", "arm")}
        yield from _walk(body, "comparators", [], "comparator", item["id"])


def ard(results: dict, extras: dict) -> pd.DataFrame:
    rows = []
    for context, block in results.items():
        if context == "schema":
            continue
        if context == "benchmarks":
            rows += list(benchmark_rows(block))
        elif context == "comparisons":
            rows += list(comparison_rows(block))
        elif context == "comparators":
            rows += list(comparator_rows(block))
        elif isinstance(block, (dict, list)):
            rows += list(_walk(block, context, []))
        else:
            rows.append(_row(context, context, "estimate", block))
    for context, block in extras.items():
        if isinstance(block, (dict, list)):
            rows += list(_walk(block, context, []))
        else:
            rows.append(_row(context, context, "estimate", block))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype({"stat": "float64"})


def write_ard(results: dict, extras: dict, path: Path) -> Path:
    path = Path(path)
    ard(results, extras).to_parquet(path, index=False)
    return path
