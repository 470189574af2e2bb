"""stats.warm_up: numba's start-up on a daemon thread, the kernel it calls then ready."""

import numpy as np

from prrt_rwe.stats import warm_up
from prrt_rwe.stats.cumulative_incidence import _aalen_johansen, cumulative_incidence


def test_warm_up_thread_leaves_the_kernel_compiled_and_results_unchanged():
    thread = warm_up.start()
    assert thread.daemon
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert _aalen_johansen.signatures   # loaded (or compiled) for float64 tables
    fit = cumulative_incidence(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 0, 2, 1]))
    # cause 1 at t=1 (1/4), censored at 2, cause 2 at 3, cause 1 at 4 (the last at risk)
    assert np.allclose(fit.cif, [0.25, 0.25, 0.25, 0.625])


def test_warm_up_thread_imports_the_statistics_and_the_report():
    import sys

    warm_up.start().join(timeout=120)
    assert "prrt_rwe.results.analysis" in sys.modules
    assert "prrt_rwe.report.html" in sys.modules


def test_analyze_start_up_imports_neither_the_statistics_nor_the_report():
    """What analyze imports before its first stage (issue 17): a fresh interpreter."""
    import subprocess
    import sys

    code = ("import sys, prrt_rwe.cli, prrt_rwe.study, prrt_rwe.ingest.load, prrt_rwe.config, "
            "prrt_rwe.benchmarks.comparators as c; c.shipped_comparators(); "
            "print(sorted(m for m in ('matplotlib', 'numba', 'scipy', 'prrt_rwe.stats', 'prrt_rwe.results', "
            "'prrt_rwe.report.html') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
