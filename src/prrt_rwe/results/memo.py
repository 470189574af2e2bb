"""Lookups that many blocks of one analysis repeat on the same ADaM frames (a parameter's
ADTTE rows, the best response per patient, an analysis set's ADSL rows), computed once per
:func:`prrt_rwe.results.analysis.analyze_adam` call (issue 17: 1e5-1e6 patients).

Only inside :func:`analysis_memo` (analyze_adam opens it): elsewhere :func:`memoized`
computes every time, as before. An entry keeps the frames it was computed from, so their
ids stay theirs while the analysis runs; the analysis never modifies an ADaM frame in place.
A memoized value is shared by its callers: what is returned must be treated as read-only
(pandas' copy-on-write makes a changed copy of a frame or series, never the shared one).
"""

from __future__ import annotations

import contextlib
import contextvars

_MEMO: contextvars.ContextVar = contextvars.ContextVar("prrt_rwe_results_memo", default=None)


@contextlib.contextmanager
def analysis_memo():
    """Memoize inside the block (nested blocks share the outer memo)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memoized(name: str, frames: tuple, compute, *key):
    """``compute()``, once per (``name``, the objects in ``frames``, ``key``) inside
    :func:`analysis_memo`; every time outside it."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    k = (name, tuple(id(f) for f in frames), key)
    hit = memo.get(k)
    if hit is not None and all(a is b for a, b in zip(hit[0], frames)):
        return hit[1]
    value = compute()
    memo[k] = (tuple(frames), value)
    return value
