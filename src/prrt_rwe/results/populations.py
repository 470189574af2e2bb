"""Analysis sets (derivations.md, "Analysis sets") as read from ADSL's flags.

enrolled = every ADSL row; safety = SAFFL ``Y``; efficacy = EFFFL ``Y``. Each exclusion is
counted once, by its first reason (ADSL ``EXCLRSN``), in the order of derivations.md.
"""

from __future__ import annotations

import pandas as pd

EXCLUSION_REASONS = ("no PRRT cycle", "no baseline assessment", "missing covariate")


def flagged(adsl: pd.DataFrame, flag: str) -> pd.DataFrame:
    """Rows of ADSL with ``flag`` (``SAFFL`` or ``EFFFL``) equal to ``Y``."""
    return adsl.loc[adsl[flag].astype("string").eq("Y").fillna(False)]


def subjects(adsl: pd.DataFrame, flag: str) -> pd.Index:
    """USUBJIDs of an analysis set."""
    return pd.Index(flagged(adsl, flag)["USUBJID"])


def analysis_sets(adsl: pd.DataFrame) -> dict:
    """results.json ``analysis_sets``: counts and the exclusions, every reason listed."""
    reasons = adsl["EXCLRSN"].astype("string")
    excluded = [{"reason": r, "n": int(reasons.eq(r).fillna(False).sum())} for r in EXCLUSION_REASONS]
    return {
        "enrolled": int(len(adsl)),
        "safety": int(len(flagged(adsl, "SAFFL"))),
        "efficacy": int(len(flagged(adsl, "EFFFL"))),
        "excluded": excluded,
    }
