"""Profile: where ``analyze --engine spark`` spends its derive time, per query (issue 17).

Wraps SparkEngine._arrow / _export_parquet / _materialize / _view with timers, runs the study
on a registry with ``[analyses] heavy = false`` and prints the queries by the CPU time of the
process tree (the JVM and its Python workers; a shared machine's wall time says little), wall
time beside it: what ran (arrow, export, materialize, view), the relation made, the derive
function that asked for it (module:function:line) and the start of the SQL. Usage:
``python benchmarks/profile_spark.py REGISTRY OUT [--top 25] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

CALLS = ("_arrow", "_export_parquet", "_materialize", "_view")


def tree_cpu(root: int | None = None) -> float:
    """CPU seconds (user + system, reaped children included) of this process and every live
    descendant (the JVM, its Python workers): Linux /proc."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(pid)] = int(fields[1])
        cpu[int(pid)] = sum(int(x) for x in fields[11:15]) / ticks
    root = os.getpid() if root is None else root
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo += [c for c, p in parent.items() if p == pid]
    return total


def _caller() -> str:
    """The innermost frame outside the engines package: the derivation that ran the query."""
    for frame in reversed(traceback.extract_stack()[:-3]):
        if "/prrt_rwe/" in frame.filename and "/engines/" not in frame.filename:
            return f"{Path(frame.filename).stem}:{frame.name}:{frame.lineno}"
    return "?"


def instrument(records: list[dict]) -> None:
    """Time every query of SparkEngine into ``records`` (kind, name, caller, seconds, sql)."""
    from prrt_rwe.engines.spark_engine import SparkEngine

    for kind in CALLS:
        original = getattr(SparkEngine, kind)

        def timed(self, *args, _original=original, _kind=kind):
            name = args[0] if _kind in ("_materialize", "_view") else ""
            sql = args[-1] if _kind != "_export_parquet" else args[0]
            start, cpu = time.perf_counter(), tree_cpu()
            try:
                return _original(self, *args)
            finally:
                records.append({"kind": _kind.lstrip("_"), "name": name, "caller": _caller(),
                                "seconds": time.perf_counter() - start, "cpu": tree_cpu() - cpu,
                                "sql": " ".join(str(sql).split())[:160]})

        setattr(SparkEngine, kind, timed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry")
    parser.add_argument("out")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", help="write every record here")
    args = parser.parse_args(argv)

    from prrt_rwe.config import parse_config
    from prrt_rwe.study import analyze

    records: list[dict] = []
    instrument(records)
    start = time.perf_counter()
    result = analyze(Path(args.registry), Path(args.out), config=parse_config({"analyses": {"heavy": False}}),
                     engine="spark")
    total = time.perf_counter() - start
    timings = json.loads((result.out / "run.json").read_text())["timings_seconds"]
    queried, cpu = sum(r["seconds"] for r in records), sum(r["cpu"] for r in records)
    print(f"wall {total:.1f} s, CPU {tree_cpu():.1f} s; stages {timings}; {len(records)} queries, "
          f"{queried:.1f} s wall / {cpu:.1f} CPU s in them")
    for r in sorted(records, key=lambda r: -r["cpu"])[:args.top]:
        print(f"{r['cpu']:7.2f} CPU s {r['seconds']:7.2f} s  {r['kind']:<11} {r['name']:<18} {r['caller']:<36} "
              f"{r['sql'][:80]}")
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
