"""Analysis sets and exclusion counts.

Source: shared/spec/derivations.md "Analysis sets".
1. enrolled = every patient row.
2. safety = enrolled with at least one PRRT cycle (exclusion reason ``no PRRT cycle``).
3. response-evaluable = safety with a baseline assessment, i.e. any assessment dated on or
   before C1 (else ``no baseline assessment``); ADSL ``EVALFL``.
4. efficacy (complete-case model set) = response-evaluable with every derived covariate of
   ``[study] complete_case_covariates`` present (default: the default models' covariates;
   else ``missing covariate``); ADSL ``EFFFL``.
Each excluded patient is counted once, under the first reason that applies (order of
:data:`EXCLUSION_REASONS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.config import ConfigError

EXCLUSION_REASONS = ("no PRRT cycle", "no baseline assessment", "missing covariate")


def covariates_complete(adsl: pd.DataFrame, covariates: tuple[str, ...]) -> np.ndarray:
    """Per patient: every named ADSL covariate present; unknown names raise naming them."""
    unknown = [c for c in covariates if c not in adsl.columns]
    if unknown:
        raise ConfigError(f"[study] complete_case_covariates / [models] covariate(s) {unknown} are not ADSL variables "
                          f"(known: {', '.join(c for c in adsl.columns if c != 'pidx' and not c.endswith('_D'))})")
    complete = np.ones(len(adsl), dtype=bool)
    for col in covariates:
        complete &= adsl[col].notna().to_numpy()
    return complete


def analysis_sets(n_cycles, baseline_assessment, complete) -> pd.DataFrame:
    """SAFFL, EVALFL, EFFFL (bool) and EXCLRSN (first reason, None when in the efficacy set)."""
    fails = (np.asarray(n_cycles) == 0, ~np.asarray(baseline_assessment, dtype=bool),
             ~np.asarray(complete, dtype=bool))
    reason = np.select(fails, EXCLUSION_REASONS, default="")
    reason = np.where(reason == "", None, reason)
    return pd.DataFrame({"SAFFL": ~fails[0], "EVALFL": ~(fails[0] | fails[1]),
                         "EFFFL": pd.isna(reason), "EXCLRSN": pd.array(reason, dtype="str")})


def exclusion_counts(exclrsn) -> list[tuple[str, int]]:
    """(reason, n) in the order of derivations.md, every reason listed (n may be 0)."""
    values = pd.Series(exclrsn, dtype="str")
    return [(r, int((values == r).sum())) for r in EXCLUSION_REASONS]
