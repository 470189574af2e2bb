"""Table 1: patient characteristics of the safety and efficacy sets (STROBE item 14a)."""

from __future__ import annotations

from prrt_rwe.report.numbers import MASK
from prrt_rwe.report.section import Section
from prrt_rwe.report.table import Table, group
from prrt_rwe.results.characteristics import VARIABLES

INDENT = "\u2003"  # an em space: leading blanks survive HTML
LEVEL_LABELS = {"F": "female", "M": "male", "yes": "yes", "no": "no"}


def _continuous(stats: dict, nb) -> str:
    if stats["median"] is None:
        return "NA"
    if nb.masked(stats["n"]):
        return MASK
    return f"{nb.number(stats['median'])} ({nb.number(stats['q1'])}–{nb.number(stats['q3'])})"


def _rows(name, label, kind, sets, nb) -> list:
    cols = [s["variables"].get(name) for s in sets]
    if all(c is None for c in cols):
        return []
    Ns = [s["N"] for s in sets]
    if kind == "continuous":
        rows = [(f"{label}, median (Q1–Q3)", *[_continuous(c, nb) for c in cols])]
        if any(c["missing"] for c in cols):
            rows.append((f"{INDENT}missing", *[nb.count(c["missing"]) for c in cols]))
        return rows
    known = [N - c.get("missing", 0) for c, N in zip(cols, Ns)]   # percentages of known values
    if kind == "flag":
        rows = [(f"{label}, n (%)", *[nb.n_pct(c["yes"], K) for c, K in zip(cols, known)])]
        if any(c["missing"] for c in cols):
            rows.append((f"{INDENT}missing", *[nb.count(c["missing"]) for c in cols]))
        return rows
    rows = [group(f"{label}, n (%)")]
    for level in cols[0]:
        if level == "missing":
            if any(c.get("missing") for c in cols):
                rows.append((f"{INDENT}missing", *[nb.count(c["missing"]) for c in cols]))
            continue
        rows.append((f"{INDENT}{LEVEL_LABELS.get(level, level)}",
                     *[nb.n_pct(c.get(level, 0), K) for c, K in zip(cols, known)]))
    return rows


FOOTNOTES = ("Continuous variables: median and quartiles (R quantile type 7); percentages "
                   "of the patients with a known value, missing values on their own row.",
                   "Primary tumour groups: foregut = stomach, duodenum; midgut = small intestine, "
                   "appendix, caecum; hindgut = colon, rectum; other = lung, thymus, unknown, other.",
                   "Liver flags are true for patients without liver metastases.")


def _body(sets, nb, skip=()) -> tuple:
    rows = []
    for name, label, kind, _levels in VARIABLES:
        if name not in skip:
            rows += _rows(name, label, kind, sets, nb)
    return tuple(rows)


SET_LABELS = {"safety": "Safety set", "evaluable": "Response-evaluable", "efficacy": "Complete-case set"}


def table(ctx) -> Table:
    ch = ctx.extras["characteristics"]
    names = [k for k in SET_LABELS if k in ch]
    sets = [ch[k] for k in names]
    nb = ctx.numbers
    return Table(
        "Table 1. Patient characteristics at the first PRRT cycle",
        ("Characteristic", *[f"{SET_LABELS[k]} (N = {nb.count(ch[k]['N'])})" for k in names]),
        _body(sets, nb), footnotes=FOOTNOTES + (
            "Response-evaluable: safety set with a baseline assessment; complete-case set: "
            "response-evaluable with every model covariate known (the set of the models).",),
        table_id="table1")


def table_by_group(ctx) -> Table:
    """Table 1 continued: the safety set by primary tumour group (the groups of the models)."""
    by_group = ctx.extras["characteristics"]["by_primary_group"]
    nb = ctx.numbers
    names = [g for g, block in by_group.items() if block["N"] > 0]
    sets = [by_group[g] for g in names]
    header = ("Characteristic", *[f"{g.capitalize()} (N = {nb.count(by_group[g]['N'])})" for g in names])
    return Table("Table 1b. Patient characteristics by primary tumour group, safety set", header,
                 _body(sets, nb, skip=("primary_group",)), footnotes=FOOTNOTES,
                 table_id="table1-by-group")


def section(ctx) -> Section:
    return Section("baseline", "Patient characteristics",
                   table(ctx).html() + table_by_group(ctx).html())
