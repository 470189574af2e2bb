"""Digitised Kaplan-Meier files: the curve (``time_months``, ``survival`` in 0-1) and the
numbers at risk (``time_months``, ``n_at_risk``), as a comparator file's ``km`` block names
them and as ``prrt-rwe reconstruct-km`` reads them; and the reconstruction from files to a
pseudo-IPD CSV (Guyot et al. 2012, :func:`prrt_rwe.stats.reconstruct_km`).

A bad file raises :class:`KmFileError` naming the file, line and column (header = line 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:   # the engine is imported where a curve is reconstructed: loading the
    # comparator files (at the start of every analyze) needs no prrt_rwe.stats (numba, scipy)
    from prrt_rwe.stats.reconstruct_km import ReconstructedIPD, ReconstructionError

__all__ = ["AT_RISK_COLUMNS", "CURVE_COLUMNS", "KmFileError", "numeric_csv", "reconstruct_files"]

CURVE_COLUMNS = ("time_months", "survival")
AT_RISK_COLUMNS = ("time_months", "n_at_risk")


class KmFileError(ValueError):
    """A digitised-curve or at-risk file that cannot be used; names file, line, column."""


def numeric_csv(path, columns: tuple[str, ...]) -> pd.DataFrame:
    """The named numeric columns of a CSV file (every cell a number)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except FileNotFoundError:
        raise KmFileError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise KmFileError(f"{path}: not a readable CSV file ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KmFileError(f"{path}:1: missing column {missing[0]} (needs columns {', '.join(columns)})")
    out = {}
    for c in columns:
        values = pd.to_numeric(frame[c].str.strip(), errors="coerce")
        bad = np.flatnonzero(values.isna().to_numpy())
        if bad.size:
            raise KmFileError(f"{path}:{bad[0] + 2}:{c}: {frame[c].iloc[bad[0]]!r} is not a number")
        out[c] = values.to_numpy(dtype=float)
    if not len(frame):
        raise KmFileError(f"{path}: no rows")
    return pd.DataFrame(out)


def _with_file(exc: ReconstructionError, curve: Path, at_risk: Path) -> KmFileError:
    """The engine names 'curve: row k' / 'at-risk: row k'; say which file and line."""
    text = str(exc)
    for prefix, path in (("curve: row ", curve), ("at-risk: row ", at_risk)):
        if text.startswith(prefix):
            row, _, rest = text[len(prefix):].partition(":")
            if row.isdigit():
                return KmFileError(f"{path}:{int(row) + 1}: {rest.strip()}")
    return KmFileError(f"{curve} / {at_risk}: {text}")


def reconstruct_files(curve_csv, at_risk_csv, out_csv=None, total_events: int | None = None) -> ReconstructedIPD:
    """Read the two files, reconstruct, and write ``out_csv`` (``time_months``, ``event``) if given."""
    from prrt_rwe.stats.reconstruct_km import ReconstructionError, reconstruct_km

    curve_csv, at_risk_csv = Path(curve_csv), Path(at_risk_csv)
    curve = numeric_csv(curve_csv, CURVE_COLUMNS)
    risk = numeric_csv(at_risk_csv, AT_RISK_COLUMNS)
    try:
        ipd = reconstruct_km(curve["time_months"], curve["survival"], risk["time_months"], risk["n_at_risk"],
                             total_events=total_events)
    except ReconstructionError as exc:
        raise _with_file(exc, curve_csv, at_risk_csv) from None
    if out_csv is not None:
        pd.DataFrame({"time_months": ipd.time, "event": ipd.event}).to_csv(out_csv, index=False, float_format="%.10g")
    return ipd
