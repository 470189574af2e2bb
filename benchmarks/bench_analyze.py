"""Benchmark: the whole study (`prrt_rwe.study.analyze`: validate + load, derive, statistics,
report) on synthetic registries of 422 and 100,000 patients (synth, seed 1, 33 sites).

The registries are generated first (not timed) under ``<out>/registries/``; each size is
analysed ``--repeat`` times and the best wall time is reported with the stage times of
that run (OUT/run.json). Writes ``<out>/analyze.md``. Usage:
``python benchmarks/bench_analyze.py --out bench-out [--sizes 422 100000] [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import time
from pathlib import Path

from prrt_rwe.study import analyze
from prrt_rwe.synth.generator import generate

STAGES = ("load_and_validate", "derive", "statistics", "report")


def registry(out: Path, patients: int) -> Path:
    folder = out / "registries" / f"synth-{patients}"
    if not (folder / "patients.csv").exists():
        generate(folder, patients=patients, sites=33, seed=1)
    return folder


def run_once(source: Path, out: Path) -> tuple[float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    analyze(source, out)
    wall = time.perf_counter() - start
    return wall, json.loads((out / "run.json").read_text())["timings_seconds"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sizes", type=int, nargs="+", default=[422, 100_000])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines = ["## analyze (whole study: registry files -> results.json, report.html, ard, ADaM)", "",
             f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}; "
             f"best of {args.repeat}.", "",
             "| patients | wall s | " + " | ".join(STAGES) + " |",
             "|---:|---:|" + "---:|" * len(STAGES)]
    for n in args.sizes:
        source = registry(args.out, n)
        best = min((run_once(source, args.out / f"analyze-{n}") for _ in range(args.repeat)),
                   key=lambda r: r[0])
        lines.append(f"| {n:,} | {best[0]:.2f} | " + " | ".join(f"{best[1][s]:.2f}" for s in STAGES) + " |")
        print(lines[-1], flush=True)
    (args.out / "analyze.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
