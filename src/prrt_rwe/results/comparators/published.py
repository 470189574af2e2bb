"""A published outcome as results.json writes it: ``{"estimate", "ci95", "N"}``.

``N`` is the outcome's own denominator when the comparator file gives it, otherwise the
number randomised to the arm (``n``); :func:`n_is_arm_size` says which, so the report can
label it.  A missing limit stays ``null`` (e.g. a median whose upper limit was not reached).
"""

from __future__ import annotations


def published(outcome, comparator) -> dict | None:
    if outcome is None:
        return None
    ci = [None, None] if outcome.ci95 is None else list(outcome.ci95)
    return {"estimate": outcome.estimate, "ci95": None if outcome.ci95 is None else ci,
            "N": outcome.N if outcome.N is not None else comparator.n}


def n_is_arm_size(outcome) -> bool:
    return outcome is not None and outcome.N is None
