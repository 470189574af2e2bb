"""results.json ``response`` (efficacy set): confirmed best overall response (ADRS ``CBOR``)
as the headline, the unconfirmed one (``BOR``) beside it; ORR = (CR + PR) / N, DCR =
(CR + PR + SD) / N, exact Clopper-Pearson intervals (derivations.md, "Tumour response")."""

from __future__ import annotations

import pandas as pd

from prrt_rwe.results.baseline import PRIMARY_GROUPS
from prrt_rwe.results.memo import memoized
from prrt_rwe.results.populations import positions
from prrt_rwe.results.proportion import proportion

RESPONSES = ("CR", "PR", "SD", "PD", "NE")


def best_response(adrs: pd.DataFrame, paramcd: str, usubjids: pd.Index) -> pd.Series:
    """One best response per efficacy patient (``NE`` when the patient has no row)."""
    by_patient = memoized("best_response", (adrs,), lambda: _by_patient(adrs, paramcd), paramcd)
    at = positions(usubjids, by_patient.index)   # by_patient.reindex(usubjids), faster
    return pd.Series(by_patient.array.take(at, allow_fill=True), index=pd.Index(usubjids),
                     name=by_patient.name).fillna("NE")


def _by_patient(adrs: pd.DataFrame, paramcd: str) -> pd.Series:
    """USUBJID -> AVALC of the patient's first ``paramcd`` row."""
    rows = adrs.loc[adrs["PARAMCD"].eq(paramcd), ["USUBJID", "AVALC"]].drop_duplicates("USUBJID")
    return rows.set_index("USUBJID")["AVALC"].astype("string")


def responders(bor: pd.Series) -> pd.Series:
    return bor.isin(["CR", "PR"])


def response(adrs: pd.DataFrame, eff: pd.DataFrame) -> dict:
    ids = pd.Index(eff["USUBJID"])
    cbor = best_response(adrs, "CBOR", ids)
    bor = best_response(adrs, "BOR", ids)
    N = len(ids)
    groups = eff.set_index("USUBJID")["primary_group"].astype("string").reindex(ids)
    by_group = {}
    for g in PRIMARY_GROUPS:
        in_group = groups.eq(g).fillna(False).to_numpy()
        by_group[g] = proportion(int(responders(cbor)[in_group].sum()), int(in_group.sum()))
    return {
        "orr": proportion(int(responders(cbor).sum()), N),
        "orr_unconfirmed": proportion(int(responders(bor).sum()), N),
        "dcr": proportion(int(cbor.isin(["CR", "PR", "SD"]).sum()), N),
        "bor_counts": {r: int(cbor.eq(r).sum()) for r in RESPONSES},
        "by_primary_group": by_group,
    }
