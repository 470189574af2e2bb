"""Analysis sets (derivations.md, "Analysis sets") as read from ADSL's flags.

enrolled = every ADSL row; safety = SAFFL ``Y``; efficacy = EFFFL ``Y``. Each exclusion is
counted once, by its first reason (ADSL ``EXCLRSN``), in the order of derivations.md.

Named populations (derivations.md "Study period and populations (wave 2)"), for every
analysis that needs one: :func:`population_ids` with ``"safety"`` (SAFFL), ``"evaluable"``
(response-evaluable: safety set with a baseline assessment, EVALFL) or ``"complete_case"``
(the complete-case model set, EFFFL).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from prrt_rwe.results.memo import memoized

EXCLUSION_REASONS = ("no PRRT cycle", "no baseline assessment", "missing covariate")
POPULATION_FLAGS = {"safety": "SAFFL", "evaluable": "EVALFL", "complete_case": "EFFFL"}


def flagged(adsl: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Rows of ADSL with ``flag`` (``SAFFL`` or ``EFFFL``) equal to ``Y`` (once per analysis:
    results.memo; read-only)."""
    return memoized("flagged", (adsl,), lambda: adsl.loc[adsl[flag].astype("string").eq("Y").fillna(False)], flag)


def subjects(adsl: pd.DataFrame, flag: str) -> pd.Index:
    """USUBJIDs of an analysis set."""
    return pd.Index(flagged(adsl, flag)["USUBJID"])


def population_ids(adsl: pd.DataFrame, name: str) -> pd.Index:
    """USUBJIDs of a named population (:data:`POPULATION_FLAGS`), in ADSL order."""
    if name not in POPULATION_FLAGS:
        raise ValueError(f"unknown population {name!r}; expected one of {', '.join(POPULATION_FLAGS)}")
    return subjects(adsl, POPULATION_FLAGS[name])


def population_rows(adsl: pd.DataFrame, name: str) -> pd.DataFrame:
    """ADSL rows of a named population (:func:`population_ids`)."""
    population_ids(adsl, name)   # checks the name
    return flagged(adsl, POPULATION_FLAGS[name])


def populations(adsl: pd.DataFrame, headline: str) -> dict:
    """results.json ``populations``: the headline's name and both efficacy populations' N."""
    return {"headline": headline, **{name: len(population_ids(adsl, name))
                                     for name in ("evaluable", "complete_case")}}


def members(values: pd.Series, ids) -> np.ndarray:
    """Boolean mask: which ``values`` (USUBJIDs) are among ``ids`` (Arrow hash set; pandas'
    own ``isin`` on string columns is ~5x slower on millions of lab rows)."""
    return members_of(id_array(values), ids)


def id_array(values: pd.Series) -> pa.Array:
    """USUBJIDs as the Arrow array :func:`members_of` looks up."""
    return pa.array(values, from_pandas=True).cast(pa.large_string())


def members_of(arr: pa.Array, ids) -> np.ndarray:
    """:func:`members` of values already converted by :func:`id_array` (a fresh array: the
    caller may change it; the same lookup once per analysis, :func:`_same_arrays`)."""
    value_set = _ids(ids)
    return memoized("members_of", (), lambda: np.asarray(pc.is_in(arr, value_set=value_set).fill_null(False),
                                                          dtype=bool), _same_arrays(arr, value_set)).copy()


def _ids(ids) -> pa.Array:
    return pa.array(pd.Index(ids, dtype="str").array, from_pandas=True).cast(pa.large_string())


def positions(ids, index: pd.Index) -> np.ndarray:
    """Where each of ``ids`` is in ``index`` (unique USUBJIDs), -1 where absent: the lookup
    of ``reindex(ids)``, by an Arrow hash table (pandas' on Arrow strings is ~10x slower)."""
    looked_up, value_set = _ids(ids), _ids(index)
    return memoized("positions", (), lambda: np.asarray(pc.index_in(looked_up, value_set=value_set).fill_null(-1),
                                                         dtype=np.int64), _same_arrays(looked_up, value_set)).copy()


def _same_arrays(*arrays: pa.Array) -> tuple:
    """A memo key that is equal for two calls exactly when their Arrow arrays are the same
    values: the same buffers (their addresses), offset and length. The lookups are repeated
    with the same USUBJID columns (an analysis set's, a parameter's rows), each time in a new
    pandas Index around the same Arrow buffers, and hashing 1e5-1e6 strings was a tenth of the
    statistics (issue 17). The key holds the buffers, so no address is reused while it lives."""
    return tuple((len(a), a.offset, tuple(b.address if b is not None else 0 for b in a.buffers()),
                  _Held(a.buffers())) for a in arrays)


class _Held:
    """Keeps ``buffers`` alive inside a memo key without taking part in its equality."""

    __slots__ = ("buffers",)

    def __init__(self, buffers):
        self.buffers = buffers

    def __eq__(self, other):
        return isinstance(other, _Held)

    def __hash__(self):
        return 0


def taken(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]`` as floats, NaN where ``at`` is -1 (what reindex leaves)."""
    out = np.asarray(values, dtype=float)[np.maximum(at, 0)] if len(values) else np.zeros(len(at))
    out[at < 0] = np.nan
    return out


def either_case(codes) -> list[str]:
    """Codes as written and in upper case (PARAMCD spelled either way)."""
    return sorted({c for code in codes for c in (code, code.upper())})


def analysis_sets(adsl: pd.DataFrame) -> dict:
    """results.json ``analysis_sets``: counts and the exclusions, every reason listed."""
    reasons = adsl["EXCLRSN"].astype("string")
    excluded = [{"reason": r, "n": int(reasons.eq(r).fillna(False).sum())} for r in EXCLUSION_REASONS]
    return {
        "enrolled": len(adsl),
        "safety": len(flagged(adsl, "SAFFL")),
        "efficacy": len(flagged(adsl, "EFFFL")),
        "excluded": excluded,
    }
