"""Canonical numbers for byte-identical output: floats to 10 significant digits, NaN -> null.

The same input must give the same results.json byte for byte (results-v1.md), so every
float passes through :func:`canonical` before it is written: ten significant digits (well inside the 1e-6 agreement with R)
(``format(x, ".10g")``), ``-0.0`` written as ``0``, non-finite values as ``None``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

SIGNIFICANT_DIGITS = 10


def number(x):
    """One number: int stays int, float rounded to 10 significant digits, NaN/inf/None -> None."""
    if x is None:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    y = float(format(x, f".{SIGNIFICANT_DIGITS}g"))
    return 0.0 if y == 0 else y


def canonical(obj):
    """Deep copy of ``obj`` with every number canonical (dicts keep their key order)."""
    if isinstance(obj, dict):
        return {str(k): canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [canonical(v) for v in obj]
    if isinstance(obj, str) or obj is None:
        return obj
    if obj is pd.NA or obj is pd.NaT:
        return None
    return number(obj)
