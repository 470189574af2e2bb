"""Our patients against one comparator: the response-evaluable population (ADSL ``EVALFL``,
comparators.md) restricted to the comparator's eligibility, with each patient's confirmed
best overall response (ADRS ``CBOR``), PFS and OS (ADTTE ``PFS``/``OS``, days from C1)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.benchmarks.comparators.eligibility import meets
from prrt_rwe.results.memo import memoized
from prrt_rwe.results.populations import flagged, positions, taken
from prrt_rwe.results.response import best_response, responders

POPULATION_FLAG = "EVALFL"
POPULATION_LABEL = "response-evaluable"


@dataclass(frozen=True)
class Patients:
    """Rows aligned: one per eligible patient (pfs_days NaN when the patient has no PFS row)."""

    adsl: pd.DataFrame
    responder: np.ndarray  # bool, confirmed CR/PR
    pfs_days: np.ndarray
    pfs_event: np.ndarray  # 1 = progression or death
    os_days: np.ndarray
    os_event: np.ndarray

    @property
    def n(self) -> int:
        return len(self.adsl)

    def subset(self, mask: np.ndarray) -> "Patients":
        return Patients(self.adsl.loc[mask], self.responder[mask], self.pfs_days[mask], self.pfs_event[mask],
                        self.os_days[mask], self.os_event[mask])

    @property
    def has_pfs(self) -> np.ndarray:
        return np.isfinite(self.pfs_days)


def evaluable(adsl: pd.DataFrame) -> pd.DataFrame:
    """The response-evaluable population (safety set with a baseline assessment; once per
    analysis, results.memo)."""
    return memoized("comparator_population", (adsl,),
                    lambda: flagged(adsl, POPULATION_FLAG).reset_index(drop=True))


def patients(adam, population: pd.DataFrame, criteria) -> Patients:
    """The patients of ``population`` meeting every criterion (EligibilityError if one cannot
    be applied to this ADSL); once per analysis and set of criteria (results.memo: the
    comparisons and the comparator results select the same patients; read-only)."""
    criteria = tuple(criteria)
    return memoized("comparator_patients", (adam.adrs, adam.adtte, population),
                    lambda: _patients(adam, population, criteria), _criteria_key(criteria))


def _criteria_key(criteria) -> tuple:
    """Criteria as a memo key: the literal spelled with its type (``True``, ``1`` and ``1.0``
    are different criteria)."""
    return tuple((c.variable, c.op, repr(c.value)) for c in criteria)


def _patients(adam, population: pd.DataFrame, criteria) -> Patients:
    keep = eligible_rows(population, criteria)
    rows = population.loc[keep].reset_index(drop=True)
    outcomes = memoized("comparator_outcomes", (adam.adrs, adam.adtte, population),
                        lambda: _outcomes(adam, pd.Index(population["USUBJID"])))
    return Patients(rows, *(a[keep] for a in outcomes))


def eligible_rows(population: pd.DataFrame, criteria) -> np.ndarray:
    """benchmarks.comparators.eligible (every criterion, AND), each criterion's mask once per
    analysis (results.memo): the comparators and comparisons share criteria (issue 17)."""
    keep = np.ones(len(population), dtype=bool)
    for c in criteria:
        keep &= memoized("eligibility", (population,), lambda c=c: meets(population, c), _criteria_key((c,)))
    return keep


def _outcomes(adam, ids: pd.Index) -> tuple[np.ndarray, ...]:
    """(responder, PFS days, event, OS days, event) of ``ids``, aligned (see Patients)."""
    cbor = best_response(adam.adrs, "CBOR", ids)
    return (responders(cbor).to_numpy(dtype=bool), *_endpoint(adam.adtte, "PFS", ids),
            *_endpoint(adam.adtte, "OS", ids))


def _endpoint(adtte: pd.DataFrame, paramcd: str, ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """(days, event) of one ADTTE parameter aligned to ``ids`` (NaN days: no row)."""
    rows = adtte.loc[adtte["PARAMCD"].astype("string").str.upper().eq(paramcd).fillna(False).to_numpy(),
                     ["USUBJID", "AVAL", "CNSR"]].drop_duplicates("USUBJID")
    at = positions(ids, pd.Index(rows["USUBJID"]))   # set_index("USUBJID").reindex(ids), faster
    days = taken(pd.to_numeric(rows["AVAL"]).to_numpy(dtype=float, na_value=np.nan), at)
    event = (taken(pd.to_numeric(rows["CNSR"]).to_numpy(dtype=float, na_value=np.nan), at) == 0).astype(np.int8)
    return days, event
