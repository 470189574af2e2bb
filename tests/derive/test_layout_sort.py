"""layout.sort_order: the row order of np.lexsort, through one packed int64 key when it fits."""

from __future__ import annotations

import numpy as np
import pytest

from prrt_rwe.derive.layout import sort_order


@pytest.mark.parametrize("seed", range(40))
def test_sort_order_is_lexsort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 200))
    day = rng.choice([np.nan, -0.0, 0.0, 1.0, -3.0, 18000.0], n)
    keys = [np.arange(n)[::-1].copy(), day, rng.integers(-1, 6, n), rng.integers(0, 2, n).astype(bool)]
    if seed % 4 == 1:
        keys[1] = day + 0.5                                   # not whole numbers: lexsort
    if seed % 4 == 2:
        keys[1] = np.where(rng.random(n) < 0.2, np.inf, day)  # infinite: lexsort
    if seed % 4 == 3:
        keys[0] = rng.integers(-2**62, 2**62, n)              # ranges too wide to pack
    assert np.array_equal(sort_order(keys), np.lexsort(keys))
