"""Shared by the benchmark scripts: best-of timing and the line describing the machine."""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np


def describe() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores, {cpu}, load average {load:.1f} at the end, "
            f"Python {platform.python_version()}, numpy {np.__version__}")


def best_of(fn, reps: int) -> float:
    """Fastest of ``reps`` timed calls, after one untimed warm-up (imports, JIT cache load)."""
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def output_folder(doc: str, argv=None) -> Path:
    """The ``--out`` folder of a benchmark script (created), its description the doc's first line."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", default="bench-out")
    out = Path(parser.parse_args(argv).out)
    out.mkdir(parents=True, exist_ok=True)
    return out
