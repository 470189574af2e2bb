"""numba's one-off start-up cost, paid early on a background thread (issue 17).

The first numba kernel a process calls sets up numba's code generator (its typing and
lowering registries: imports of numba.cpython.*, about half a CPU second) before the kernel
is loaded from the cache. :func:`start` has a daemon thread call one kernel on four
patients while the ADaM datasets are derived, mostly in the database engine, which releases
the GIL; the statistics then find numba ready. Results do not depend on it: a kernel called
before the thread is done waits for numba's compiler lock.

The thread then imports the statistics and the report (results.analysis, report.html with
matplotlib: about two CPU seconds), which study.py no longer imports before the first stage, so
that a run starts on its registry at once; a module the main thread needs first is imported
there, the other waiting on Python's per-module import lock (the same modules either way).
"""

from __future__ import annotations

import threading

import numpy as np


def _warm() -> None:
    from prrt_rwe.stats.cumulative_incidence import cumulative_incidence

    try:
        cumulative_incidence(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 0, 2, 1]))
    except Exception:   # a warm-up only: the statistics report any real failure themselves
        pass
    try:
        import prrt_rwe.report.html  # noqa: F401  (every report part, matplotlib)
        import prrt_rwe.results.analysis  # noqa: F401
    except Exception:   # an import error is raised again where the module is used
        pass


def start() -> threading.Thread:
    """Start the warm-up thread (daemon: never keeps the process alive); returns it."""
    thread = threading.Thread(target=_warm, name="prrt-rwe-numba-warm-up", daemon=True)
    thread.start()
    return thread
