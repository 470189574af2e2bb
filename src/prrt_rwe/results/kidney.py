"""eGFR (CKD-EPI 2021, ADLB ``EGFR`` rows) over time, as aggregates only: per 3-month
window after C1 (days 1-90, 91-180, ..., derivations.md "Treatment-emergent toxicity and late
effects") the number of patients with a value in the window and the median and quartiles of
each patient's last value in it, through the last window with any value (at most 20 years);
month 0 is the ADLB baseline record (``ABLFL``). The report stops drawing at the first window
with fewer than ``[safety] egfr_min_n`` patients."""

from __future__ import annotations

WINDOW_DAYS = 90  # days 1-90, 91-180, ...
MAX_WINDOWS = 80  # 20 years


def trajectory(labs, safety_ids=None) -> list[dict]:
    """The windows of the module doc (derived in the engine, derive/relational/kidney.py, over
    the ADLB population: the safety set); quartiles as numpy's linear ``np.quantile``."""
    return [dict(w) for w in labs.egfr_trajectory]
