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
