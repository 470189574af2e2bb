"""Dates as epoch days (days since 1970-01-01, int64); ISO text only at writing time."""

from __future__ import annotations

import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")


def epoch_day(iso: str) -> int:
    return int((np.datetime64(iso, "D") - EPOCH).astype(np.int64))
