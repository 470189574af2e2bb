"""results.json ``duration_of_response`` and ``time_to_response_months`` (confirmed responders
of the headline population; ADTTE ``DOR`` and ``TTR``, derive/response_duration.py).

Duration of response: a Kaplan-Meier summary as ``pfs`` (median with its CI, landmark rates).
Time to response: responders only, never censored, so its median and quartiles are plain
order statistics (R ``quantile`` type 7, as Table 1), in months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prrt_rwe.results import survival as surv


def duration_of_response(adtte: pd.DataFrame, ids: pd.Index, options: surv.KmOptions) -> dict:
    return surv.summary(surv.endpoint(adtte, "DOR", ids), options)


def time_to_response(adtte: pd.DataFrame, ids: pd.Index) -> dict:
    months = surv.endpoint(adtte, "TTR", ids).days / surv.DAYS_PER_MONTH
    if months.size == 0:
        return {"n": 0, "median": None, "q1": None, "q3": None}
    q1, med, q3 = np.quantile(months, [0.25, 0.5, 0.75])
    return {"n": int(months.size), "median": float(med), "q1": float(q1), "q3": float(q3)}
