"""results.json ``evalues``: an E-value (VanderWeele & Ding 2017) for every odds ratio and
hazard ratio the results report, for the estimate and for the CI limit nearer the null, with
both outcomes treated as common (R ``EValue`` with ``rare = FALSE``:
:func:`prrt_rwe.stats.evalue.evalue`).

Every block of ``results["models"]`` whose terms carry ``or`` or ``hr`` is covered, whoever
added it, plus the blocks named in ``others`` (the IPTW hazard ratio, the frailty model). A
term without an estimate (not estimable) has no E-value.
"""

from __future__ import annotations

import math

from prrt_rwe.stats.evalue import evalue

MEASURES = (("or", "OR"), ("hr", "HR"))


def _rows(model: str, terms) -> list[dict]:
    out = []
    for t in terms or ():
        for key, measure in MEASURES:
            value = t.get(key) if isinstance(t, dict) else None
            if value is None:
                continue
            lo, hi = (t.get("ci95") or [None, None])[:2]
            try:
                e = evalue(value, lo, hi, measure=measure, rare=False)
            except (ValueError, OverflowError, ZeroDivisionError):  # 0, infinite, CI not containing it
                continue
            if not math.isfinite(e.point):
                continue
            out.append({"model": model, "term": t.get("term", model), "point": e.point, "ci": e.ci})
    return out


def evalues(models: dict, others: dict | None = None) -> list[dict]:
    """One row per ratio estimate, models in their results.json order."""
    rows = []
    for name, block in models.items():
        if isinstance(block, dict):
            rows += _rows(name, block.get("terms"))
    for name, terms in (others or {}).items():
        rows += _rows(name, terms)
    return rows
