"""Included against excluded patients (STROBE items 13-14): the safety-set patients in the
complete-case model set beside those left out of it, with standardized differences."""

from __future__ import annotations

from prrt_rwe.report.cells import Derived, Label, Percent, Show, Stat, Sum
from prrt_rwe.report.section import Section
from prrt_rwe.report.study_period import complete_case_key
from prrt_rwe.report.table import Table, group
from prrt_rwe.report.table1 import INDENT, LEVEL_LABELS
from prrt_rwe.results.characteristics import VARIABLES
from prrt_rwe.results.included_excluded import largest_imbalance

LABELS = {name: label for name, label, _kind, _levels in VARIABLES}
IMBALANCE = 0.1   # |SMD| above which a difference is conventionally called meaningful (Austin 2009)


def _smd(x) -> str:
    return "NA" if x is None else f"{x:.2f}" + (" *" if abs(x) > IMBALANCE else "")


def side_keys(ctx) -> tuple[str, str]:
    """Count keys of the two sides: the included side is Table 1's complete-case column."""
    same = complete_case_key(ctx) == "analysis_sets.efficacy"
    return ("characteristics.efficacy" if same else "included_vs_excluded.included",
            "included_vs_excluded.excluded")


def _cells(r: dict, c: dict, nb, keys) -> tuple:
    """The included, excluded and SMD cells of one row. (Included + excluded = Table 1's
    safety column is a difference of two populations, not audited: report limitations.)"""
    var, level = r["variable"], r["level"] or "mean"
    side = []
    for key, (k, known), x in zip(keys, (c["included"], c["excluded"]), (r["included"], r["excluded"])):
        n_known = nb.n(f"{key}.{var}.known", known)
        if r["level"] is None:
            side.append((Stat("NA" if x is None else f"{x:.1f}", (n_known,)), n_known, None))
        else:
            n = nb.n(f"{key}.{var}.{level}", k)
            side.append((Percent(n, n_known, suffix=" %") if x is not None else "NA", n_known, n))
    (inc, inc_known, inc_n), (exc, exc_known, exc_n) = side
    basis = tuple(x for x in (inc_n, inc_known, exc_n, exc_known) if x is not None)
    return inc, exc, Derived(_smd(r["smd"]), basis)


def _level_sums(counts: list[dict], nb, keys) -> list:
    """Per categorical variable and side: its levels add up to the known values (a flag's
    "no" is the hidden complement of its "yes")."""
    sums, by_var = [], {}
    for c in counts:
        if c["level"] is not None:
            by_var.setdefault(c["variable"], []).append(c)
    for var, rows in by_var.items():
        for j, key in enumerate(keys):
            known = rows[0]["included" if j == 0 else "excluded"][1]
            parts = [nb.n(f"{key}.{var}.{c['level']}", c["included" if j == 0 else "excluded"][0]) for c in rows]
            if [c["level"] for c in rows] == ["yes"]:
                parts.append(nb.n(f"{key}.{var}.no", known - parts[0].value))
            elif sum(p.value for p in parts) != known:
                continue
            sums.append(Sum(nb.n(f"{key}.{var}.known", known), tuple(parts)))
    return sums


def table(ctx) -> Table:
    rows_in, nb = ctx.results["included_vs_excluded"], ctx.numbers
    counts = ctx.extras["included_vs_excluded_counts"]
    keys = side_keys(ctx)
    n_in = nb.population(complete_case_key(ctx), ctx.results["populations"]["complete_case"])
    n_out = nb.n("included_vs_excluded.excluded.N", ctx.results["analysis_sets"]["safety"] - n_in.value)
    sums = _level_sums(counts, nb, keys)
    rows, seen = [], set()
    for r, c in zip(rows_in, counts):
        label = LABELS.get(r["variable"], r["variable"])
        cells = _cells(r, c, nb, keys)
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
                 ("Characteristic", Label("Included: complete-case set (N = {})", Show(n_in)),
                  Label("Excluded (N = {})", Show(n_out)), "Standardized difference"), tuple(rows),
                 footnotes=("Excluded: safety-set patients without a baseline assessment or with a missing "
                            "model covariate. Percentages of the patients with a known value.",
                            "Standardized difference (included − excluded) / √((s1² + s0²) / 2), s² = p(1 − p) "
                            "for a proportion and the sample variance for a mean (Austin 2009); * |d| > 0.1.",
                            "NA: no known value on one side, or no variation on either.")
                 + (("With --suppress-below, a value resting on fewer patients than the threshold, or "
                     "from which one could be recomputed, is shown as –, with the standardized difference "
                     "built on it.",)
                    if nb.suppress_below else ()),
                 table_id="table-included-excluded", sums=tuple(sums), numbers=nb)


def section(ctx) -> Section:
    worst = largest_imbalance(ctx.results["included_vs_excluded"])
    lead = ("Who is left out of the complete-case analysis?" if worst is None else
            f"Largest imbalance: {LABELS.get(worst['variable'], worst['variable'])}"
            + (f" ({worst['level']})" if worst["level"] not in (None, "yes") else "")
            + f", standardized difference {worst['smd']:.2f}.")
    if ctx.numbers.suppress_below:
        lead = "Who is left out of the complete-case analysis?"
    return Section("included", "Included and excluded patients", table(ctx).html(), lead=lead)
