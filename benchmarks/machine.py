"""One line describing the machine a benchmark ran on (cores, CPU model, load, Python, numpy)."""

from __future__ import annotations

import os
import platform
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
