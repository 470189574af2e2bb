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


def table(ctx) -> Table:
    rows_in, nb = ctx.results["included_vs_excluded"], ctx.numbers
    n_in = ctx.results["populations"]["complete_case"]
    n_out = ctx.results["analysis_sets"]["safety"] - n_in
    hide_in, hide_out = nb.masked(n_in), nb.masked(n_out)
    rows, seen = [], set()
    for r in rows_in:
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
                            "NA: no known value on one side, or no variation on either."),
                 table_id="table-included-excluded")


def section(ctx) -> Section:
    worst = largest_imbalance(ctx.results["included_vs_excluded"])
    lead = ("Who is left out of the complete-case analysis?" if worst is None else
            f"Largest imbalance: {LABELS.get(worst['variable'], worst['variable'])}"
            + (f" ({worst['level']})" if worst["level"] not in (None, "yes") else "")
            + f", standardized difference {worst['smd']:.2f}.")
    if ctx.numbers.masked(ctx.results["analysis_sets"]["safety"] - ctx.results["populations"]["complete_case"]):
        lead = "Who is left out of the complete-case analysis?"
    return Section("included", "Included and excluded patients", table(ctx).html(), lead=lead)
