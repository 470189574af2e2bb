"""Included against excluded patients (STROBE items 13-14): the safety-set patients in the
complete-case model set beside those left out of it, with standardized differences."""

from __future__ import annotations

from prrt_rwe.report.numbers import MASK
from prrt_rwe.report.section import Section
from prrt_rwe.report.table import Table, group
from prrt_rwe.report.table1 import INDENT, LEVEL_LABELS
from prrt_rwe.results.characteristics import VARIABLES
from prrt_rwe.results.included_excluded import largest_imbalance

LABELS = {name: label for name, label, _kind, _levels in VARIABLES}
IMBALANCE = 0.1   # |SMD| above which a difference is conventionally called meaningful (Austin 2009)


def _value(x, level, hidden: bool) -> str:
    if hidden:
        return MASK
    if x is None:
        return "NA"
    return f"{100 * x:.1f} %" if level is not None else f"{x:.1f}"


def _smd(x) -> str:
    return "NA" if x is None else f"{x:.2f}" + (" *" if abs(x) > IMBALANCE else "")


def hidden_cells(counts: list[dict], nb) -> list[tuple[bool, bool]]:
    """Per row, whether the included / excluded value is masked under --suppress-below: a side
    with fewer than k known values, a level held by (or missing from) fewer than k patients, and
    then every level of that variable on that side (the levels of a side add up to 100 %)."""
    per_row = [tuple(nb.masked(known) or (c["level"] is not None and (nb.masked(k) or nb.masked(known - k)))
                     for k, known in (c["included"], c["excluded"])) for c in counts]
    by_variable: dict = {}
    for c, hide in zip(counts, per_row):
        seen = by_variable.setdefault(c["variable"], [False, False])
        seen[0] |= hide[0]
        seen[1] |= hide[1]
    return [tuple(by_variable[c["variable"]]) for c in counts]


def table(ctx) -> Table:
    rows_in, nb = ctx.results["included_vs_excluded"], ctx.numbers
    n_in = ctx.results["populations"]["complete_case"]
    n_out = ctx.results["analysis_sets"]["safety"] - n_in
    hidden = hidden_cells(ctx.extras["included_vs_excluded_counts"], nb)
    rows, seen = [], set()
    for r, (hide_in, hide_out) in zip(rows_in, hidden):
        label = LABELS.get(r["variable"], r["variable"])
        cells = (_value(r["included"], r["level"], hide_in), _value(r["excluded"], r["level"], hide_out),
                 MASK if hide_in or hide_out else _smd(r["smd"]))
        if r["level"] is None:
            rows.append((f"{label}, mean", *cells))
        elif r["level"] == "yes":
            rows.append((f"{label}, %", *cells))
        else:
            if r["variable"] not in seen:
                rows.append(group(f"{label}, %"))
            rows.append((f"{INDENT}{LEVEL_LABELS.get(r['level'], r['level'])}", *cells))
        seen.add(r["variable"])
    return Table("Table 1c. Patients included in the models against those excluded, safety set",
                 ("Characteristic", f"Included: complete-case set (N = {nb.count(n_in)})",
                  f"Excluded (N = {nb.count(n_out)})", "Standardized difference"), tuple(rows),
                 footnotes=("Excluded: safety-set patients without a baseline assessment or with a missing "
                            "model covariate. Percentages of the patients with a known value.",
                            "Standardized difference (included − excluded) / √((s1² + s0²) / 2), s² = p(1 − p) "
                            "for a proportion and the sample variance for a mean (Austin 2009); * |d| > 0.1.",
                            "NA: no known value on one side, or no variation on either.")
                 + (("With --suppress-below, a value resting on fewer patients than the threshold is "
                     "shown as –, with the other levels of that variable and the standardized difference.",)
                    if nb.suppress_below else ()),
                 table_id="table-included-excluded")


def section(ctx) -> Section:
    worst = largest_imbalance(ctx.results["included_vs_excluded"])
    lead = ("Who is left out of the complete-case analysis?" if worst is None else
            f"Largest imbalance: {LABELS.get(worst['variable'], worst['variable'])}"
            + (f" ({worst['level']})" if worst["level"] not in (None, "yes") else "")
            + f", standardized difference {worst['smd']:.2f}.")
    if ctx.numbers.suppress_below:
        lead = "Who is left out of the complete-case analysis?"
    return Section("included", "Included and excluded patients", table(ctx).html(), lead=lead)
