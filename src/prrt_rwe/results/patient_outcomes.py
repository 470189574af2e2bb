"""Per-patient outcomes of a population, aligned with its ADSL rows: confirmed response
(ADRS ``CBOR`` CR/PR; no row = not a responder, as the response block counts NE) and PFS days
and event (ADTTE ``PFS``, CNSR 0 = event). Used by the analyses that model patients one by
one: multiple imputation, missingness tests, IPTW and the site analyses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from prrt_rwe.results.memo import memoized
from prrt_rwe.results.parameters import parameter_rows
from prrt_rwe.results.populations import positions, taken
from prrt_rwe.results.response import best_response, responders


@dataclass(frozen=True)
class PatientOutcomes:
    frame: pd.DataFrame  # the population's ADSL rows, index 0..n-1
    response: np.ndarray  # 0/1
    days: np.ndarray
    event: np.ndarray  # 0/1

    @property
    def n(self) -> int:
        return len(self.frame)

    @cached_property
    def site(self) -> np.ndarray:
        """SITEID per patient (computed once: the site analyses loop over it; read-only)."""
        return self.frame["SITEID"].astype(str).to_numpy()

    def subset(self, keep: np.ndarray) -> "PatientOutcomes":
        keep = np.asarray(keep, dtype=bool)
        return PatientOutcomes(self.frame.loc[keep].reset_index(drop=True), self.response[keep],
                               self.days[keep], self.event[keep])


def patient_outcomes(frame: pd.DataFrame, adrs: pd.DataFrame, adtte: pd.DataFrame) -> PatientOutcomes:
    frame = frame.reset_index(drop=True)
    ids = pd.Index(frame["USUBJID"])
    response = responders(best_response(adrs, "CBOR", ids)).to_numpy(dtype=float)
    days, event = pfs_of(adtte, ids)
    return PatientOutcomes(frame, response, days, event)


def pfs_of(adtte: pd.DataFrame, ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """(days, event as 0/1 floats) of each of ``ids``' PFS row (NaN days and event 0: no row):
    the PFS rows' ``set_index("USUBJID").reindex(ids)``, by a position lookup on the PFS rows
    read once per analysis (reindex itself, which raises, when a USUBJID repeats)."""
    pfs = memoized("pfs_by_patient", (adtte,), lambda: _pfs(adtte))
    if pfs is None:   # a patient with two PFS rows: reindex says so
        rows = parameter_rows(adtte, "PFS").set_index("USUBJID").reindex(ids)
        days = pd.to_numeric(rows["AVAL"]).to_numpy(dtype=float)
        return days, (pd.to_numeric(rows["CNSR"]).to_numpy() == 0).astype(float)
    index, aval, cnsr = pfs
    at = positions(ids, index)
    return taken(aval, at), (taken(cnsr, at) == 0).astype(float)


def _pfs(adtte: pd.DataFrame):
    """(USUBJIDs, days, CNSR) of the PFS rows, or None when a USUBJID repeats."""
    rows = parameter_rows(adtte, "PFS")
    index = pd.Index(rows["USUBJID"])
    if not index.is_unique:
        return None
    return (index, pd.to_numeric(rows["AVAL"]).to_numpy(dtype=float),
            pd.to_numeric(rows["CNSR"]).to_numpy(dtype=float))
