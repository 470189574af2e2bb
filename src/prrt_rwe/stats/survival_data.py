"""The one survival-data contract (architecture rule 4), checked once at the engine edge.

Every survival engine (Kaplan-Meier, log-rank, Cox) calls :func:`survival_data` on its
inputs and works on the returned arrays only.  The contract:

* ``time``: finite and >= 0;
* ``event``: 0 or 1 (booleans accepted);
* covariates ``X`` (optional): finite numbers, one row per subject;
* ``entry`` (optional, (start, stop] data): finite and < ``time`` — the row is at risk on
  (entry, time] (delayed entry / left truncation, or one piece of a subject's follow-up
  with time-varying covariates), R ``Surv(entry, time, event)``;
* ``weights`` (optional): finite and > 0 (R ``coxph`` case weights); >= 0 where the engine
  accepts zero weights (Kaplan-Meier, as R ``survfit``);
* ``strata``/``cluster``/``group`` labels (optional): no missing labels;
* every array has the same length (number of rows).

A violation raises :class:`SurvivalDataError` (a ``ValueError``) naming the column and the
first offending row indices (0-based positions), e.g.
``time: must be finite and >= 0; offending rows [3, 17] (2 rows)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SurvivalData", "SurvivalDataError", "survival_data", "as_labels", "as_covariates", "check_entry",
           "check_not_empty", "check_time_event"]

_MAX_ROWS_SHOWN = 10


class SurvivalDataError(ValueError):
    """Input that breaks the survival-data contract; ``column`` and ``rows`` say where."""

    def __init__(self, column: str, problem: str, rows=()):
        self.column = column
        self.rows = [int(r) for r in rows]
        shown = self.rows[:_MAX_ROWS_SHOWN]
        where = ""
        if self.rows:
            more = ", ..." if len(self.rows) > _MAX_ROWS_SHOWN else ""
            where = f"; offending rows [{', '.join(map(str, shown))}{more}] ({len(self.rows)} rows)"
        super().__init__(f"{column}: {problem}{where}")


@dataclass(frozen=True)
class SurvivalData:
    """Checked survival data: plain numpy arrays, all of length ``n``."""

    time: np.ndarray
    event: np.ndarray  # int8 0/1
    X: np.ndarray | None = None  # float (n, p)
    names: tuple[str, ...] = ()
    weights: np.ndarray | None = None
    strata: np.ndarray | None = None  # integer codes 0..k-1
    strata_levels: tuple = ()
    cluster: np.ndarray | None = None  # integer codes 0..k-1
    cluster_levels: tuple = ()
    entry: np.ndarray | None = None  # float, < time; None for right-censored data

    @property
    def n(self) -> int:
        return self.time.shape[0]


def _bad_rows(mask) -> np.ndarray:
    return np.flatnonzero(mask)


def _one_dim(values, column: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise SurvivalDataError(column, f"must be one-dimensional, got shape {arr.shape}")
    return arr


def _as_float(values, column: str) -> np.ndarray:
    arr = _one_dim(values, column)
    if arr.dtype == object or arr.dtype.kind in "USO":
        try:
            arr = pd.to_numeric(pd.Series(arr), errors="coerce").to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:  # pragma: no cover - to_numeric coerces
            raise SurvivalDataError(column, f"must be numeric ({exc})") from exc
    else:
        arr = arr.astype(float, copy=False)
    return arr


def _all_within(arr: np.ndarray, lo: float, hi: float) -> bool:
    """lo <= every value <= hi, NaN failing; two reductions, no temporary arrays."""
    return bool(arr.size == 0 or (arr.min() >= lo and arr.max() <= hi))


def check_time(time, column: str = "time") -> np.ndarray:
    t = _as_float(time, column)
    if _all_within(t, 0.0, np.finfo(float).max):
        return t
    bad = _bad_rows(~np.isfinite(t) | (t < 0))
    if bad.size:
        raise SurvivalDataError(column, "must be finite and >= 0", bad)
    return t


def check_event(event, column: str = "event") -> np.ndarray:
    e = _one_dim(event, column)
    if e.dtype == bool or (e.dtype.kind in "iu" and _all_within(e, 0, 1)):
        return e.astype(np.int8)
    ef = _as_float(e, column)
    bad = _bad_rows(~((ef == 0) | (ef == 1)))
    if bad.size:
        raise SurvivalDataError(column, "must be 0 (censored) or 1 (event)", bad)
    return ef.astype(np.int8)


def check_weights(weights, n: int, column: str = "weights", *, allow_zero: bool = False) -> np.ndarray:
    w = _as_float(weights, column)
    _check_length(w, n, column)
    if w.size and (w.min() >= 0 if allow_zero else w.min() > 0) and w.max() <= np.finfo(float).max:
        return w
    bad = _bad_rows(~np.isfinite(w) | ((w < 0) if allow_zero else (w <= 0)))
    if bad.size:
        raise SurvivalDataError(column, "must be finite and >= 0" if allow_zero else "must be finite and > 0", bad)
    return w


def check_entry(entry, time: np.ndarray, column: str = "entry") -> np.ndarray:
    """Entry (start) times of (start, stop] data: finite and strictly before ``time``."""
    a = _as_float(entry, column)
    _check_length(a, time.shape[0], column)
    if a.size and np.all(a < time) and np.isfinite(a.min()):
        return a
    bad = _bad_rows(~np.isfinite(a))
    if bad.size:
        raise SurvivalDataError(column, "must be finite", bad)
    bad = _bad_rows(~(a < time))
    if bad.size:
        raise SurvivalDataError(column, "must be < time (the row is at risk on (entry, time])", bad)
    return a


def check_not_empty(time: np.ndarray, column: str = "time") -> None:
    if time.shape[0] == 0:
        raise SurvivalDataError(column, "has no rows")


def check_time_event(time, event) -> tuple[np.ndarray, np.ndarray]:
    """(time, event) checked, of equal length and not empty."""
    t = check_time(time)
    e = check_event(event)
    _check_length(e, t.shape[0], "event")
    check_not_empty(t)
    return t, e


def _check_length(arr, n: int, column: str) -> None:
    if arr.shape[0] != n:
        raise SurvivalDataError(column, f"has {arr.shape[0]} rows, expected {n} (the length of time)")


def _small_int_labels(arr: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Integer labels coded in O(n) by counting when their range is small, else by sorting."""
    lo, hi = arr.min(), arr.max()
    if int(hi) - int(lo) > 4 * arr.size + 1024:
        levels, codes = np.unique(arr, return_inverse=True)
        return codes.reshape(-1).astype(np.intp), tuple(levels.tolist())
    shifted = arr.astype(np.intp, copy=False) if lo == 0 else arr.astype(np.intp) - int(lo)
    present = np.bincount(shifted) > 0
    code_of = np.cumsum(present, dtype=np.intp) - 1
    levels = (np.flatnonzero(present) + int(lo)).astype(arr.dtype)
    return code_of[shifted], tuple(levels.tolist())


def as_labels(labels, n: int, column: str) -> tuple[np.ndarray, tuple]:
    """Label array -> (integer codes 0..k-1, levels in sorted order); missing labels rejected."""
    arr = _one_dim(labels, column)
    _check_length(arr, n, column)
    if arr.dtype.kind in "biuf":  # numeric fast path (no pandas): NaN is the only missing label
        bad = _bad_rows(np.isnan(arr)) if arr.dtype.kind == "f" else np.empty(0, dtype=np.intp)
        if bad.size:
            raise SurvivalDataError(column, "has missing labels", bad)
        if arr.dtype.kind in "biu" and arr.size:
            return _small_int_labels(arr)
        levels, codes = np.unique(arr, return_inverse=True)
        return codes.reshape(-1).astype(np.intp), tuple(levels.tolist())
    # Text labels stay a NumPy object array: a pd.Series of them would be converted to pandas'
    # Arrow-backed str twice per call (issue 17: ~0.1 s a call at 1e5 rows, many calls). Object
    # factorize sorts str by code point, as Arrow sorts by UTF-8 bytes: the same levels and codes.
    arr = arr.astype(object, copy=False)
    bad = _bad_rows(pd.isna(arr))
    if bad.size:
        raise SurvivalDataError(column, "has missing labels", bad)
    codes, levels = pd.factorize(arr, sort=True)
    return codes.astype(np.intp), tuple(levels.tolist())


def as_covariates(X, n: int, column: str = "X") -> tuple[np.ndarray, tuple[str, ...]]:
    """(n, p) array or DataFrame -> float matrix and term names (DataFrame columns or x0, x1, ...)."""
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        names = tuple(str(c) for c in X.columns)
        frame = X
        mats = []
        for name in X.columns:
            col = frame[name]
            if col.dtype == bool or str(col.dtype) == "boolean":
                mats.append(col.astype(float).to_numpy(dtype=float, na_value=np.nan))
            else:
                try:
                    mats.append(pd.to_numeric(col, errors="raise").to_numpy(dtype=float, na_value=np.nan))
                except (TypeError, ValueError) as exc:
                    raise SurvivalDataError(f"{column}[{name}]", "must be numeric") from exc
        mat = np.column_stack(mats) if mats else np.empty((len(frame), 0))
    else:
        mat = np.asarray(X, dtype=float)
        if mat.ndim == 1:
            mat = mat[:, None]
        if mat.ndim != 2:
            raise SurvivalDataError(column, f"must be an (n, p) array, got shape {mat.shape}")
        names = tuple(f"x{j}" for j in range(mat.shape[1]))
    if mat.shape[0] != n:
        raise SurvivalDataError(column, f"has {mat.shape[0]} rows, expected {n} (the length of time)")
    for j, name in enumerate(() if np.isfinite(mat).all() else names):
        bad = _bad_rows(~np.isfinite(mat[:, j]))
        if bad.size:
            label = name if isinstance(X, pd.DataFrame) else f"{column}[:, {j}]"
            raise SurvivalDataError(label, "must be finite (no missing values)", bad)
    return mat, names


def survival_data(time, event, *, X=None, weights=None, strata=None, cluster=None, entry=None) -> SurvivalData:
    """Check inputs against the survival-data contract and return plain arrays."""
    t = check_time(time)
    e = check_event(event)
    n = t.shape[0]
    _check_length(e, n, "event")
    a = None if entry is None else check_entry(entry, t)
    mat, names = (None, ()) if X is None else as_covariates(X, n)
    w = None if weights is None else check_weights(weights, n)
    s, s_levels = (None, ()) if strata is None else as_labels(strata, n, "strata")
    c, c_levels = (None, ()) if cluster is None else as_labels(cluster, n, "cluster")
    return SurvivalData(t, e, mat, names, w, s, s_levels, c, c_levels, a)
