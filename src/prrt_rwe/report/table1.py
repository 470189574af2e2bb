"""Table 1: patient characteristics of the safety and efficacy sets (STROBE item 14a)."""

from __future__ import annotations

from prrt_rwe.report.cells import Label, Share, Show, Stat, Sum
from prrt_rwe.report.section import Section
from prrt_rwe.report.table import Table, group
from prrt_rwe.results.characteristics import VARIABLES

INDENT = "\u2003"  # an em space: leading blanks survive HTML
LEVEL_LABELS = {"F": "female", "M": "male", "yes": "yes", "no": "no"}


def _continuous(stats: dict, nb, key: str, N) -> tuple:
    """Median (Q1–Q3) of the patients with a value, masked when they are few; their count
    (N − missing) is hidden but sensitive."""
    present = nb.n(f"{key}.n", stats["n"])
    missing = nb.n(f"{key}.missing", stats["missing"])
    text = "NA" if stats["median"] is None else \
        f"{nb.number(stats['median'])} ({nb.number(stats['q1'])}–{nb.number(stats['q3'])})"
    return Stat(text, (present,)), missing, Sum(N, (present, missing))


def _rows(name, label, kind, sets, nb, keys, Ns) -> tuple[list, list]:
    """Rows of one variable over the columns, and the sums they obey (per column)."""
    cols = [s["variables"].get(name) for s in sets]
    if all(c is None for c in cols):
        return [], []
    rows, sums = [], []
    if kind == "continuous":
        parts = [_continuous(c, nb, f"{key}.{name}", N) for c, key, N in zip(cols, keys, Ns)]
        rows.append((f"{label}, median (Q1–Q3)", *[p[0] for p in parts]))
        if any(c["missing"] for c in cols):
            rows.append((f"{INDENT}missing", *[Show(p[1]) for p in parts]))
        return rows, [p[2] for p in parts]
    if kind == "flag":
        yes = [nb.n(f"{key}.{name}.yes", c["yes"]) for c, key in zip(cols, keys)]
        no = [nb.n(f"{key}.{name}.no", c["no"]) for c, key in zip(cols, keys)]
        missing = [nb.n(f"{key}.{name}.missing", c["missing"]) for c, key in zip(cols, keys)]
        rows.append((f"{label}, n (%)", *[Share(y, N) for y, N in zip(yes, Ns)]))
        if any(c["missing"] for c in cols):
            rows.append((f"{INDENT}missing", *[Show(m) for m in missing]))
        return rows, [Sum(N, (y, n, m)) for N, y, n, m in zip(Ns, yes, no, missing)]
    rows.append(group(f"{label}, n (%)"))
    names = dict.fromkeys(lv for c in cols for lv in c)  # "missing" last in each
    names = [lv for lv in names if lv != "missing"] + ["missing"]
    levels = {lv: [nb.n(f"{key}.{name}.{lv}", c.get(lv, 0)) for c, key in zip(cols, keys)] for lv in names}
    for level, counts in levels.items():
        if level == "missing" and not any(c.get("missing") for c in cols):
            continue
        rows.append((f"{INDENT}{LEVEL_LABELS.get(level, level)}", *[Share(c, N) for c, N in zip(counts, Ns)]))
    sums = [Sum(N, tuple(counts[j] for counts in levels.values())) for j, N in enumerate(Ns)]
    return rows, sums


FOOTNOTES = ("Continuous variables: median and quartiles (R quantile type 7); percentages "
                   "of the set's N, missing values counted apart.",
                   "Primary tumour groups: foregut = stomach, duodenum; midgut = small intestine, "
                   "appendix, caecum; hindgut = colon, rectum; other = lung, thymus, unknown, other.",
                   "Liver flags are true for patients without liver metastases.")


def _body(sets, nb, keys, Ns, skip=()) -> tuple[tuple, tuple]:
    rows, sums = [], []
    for name, label, kind, _levels in VARIABLES:
        if name not in skip:
            r, s = _rows(name, label, kind, sets, nb, keys, Ns)
            rows += r
            sums += s
    return tuple(rows), tuple(sums)


def table(ctx) -> Table:
    ch = ctx.extras["characteristics"]
    sets = [ch["safety"], ch["efficacy"]]
    nb = ctx.numbers
    Ns = [nb.population("analysis_sets.safety", sets[0]["N"]),
          nb.population("analysis_sets.efficacy", sets[1]["N"])]
    rows, sums = _body(sets, nb, ["characteristics.safety", "characteristics.efficacy"], Ns)
    return Table(
        "Table 1. Patient characteristics at the first PRRT cycle",
        ("Characteristic", Label("Safety set (N = {})", Show(Ns[0])),
         Label("Efficacy set (N = {})", Show(Ns[1]))),
        rows, footnotes=FOOTNOTES, table_id="table1", sums=sums, numbers=nb)


def table_by_group(ctx) -> Table:
    """Table 1 continued: the safety set by primary tumour group (the groups of the models);
    a group's N is the primary-tumour count of the safety column of Table 1."""
    by_group = ctx.extras["characteristics"]["by_primary_group"]
    nb = ctx.numbers
    names = [g for g, block in by_group.items() if block["N"] > 0]
    sets = [by_group[g] for g in names]
    Ns = [nb.n(f"characteristics.safety.primary_group.{g}", by_group[g]["N"]) for g in names]
    rows, sums = _body(sets, nb, [f"characteristics.by_primary_group.{g}" for g in names], Ns,
                       skip=("primary_group",))
    header = ("Characteristic", *[Label(f"{g.capitalize()} (N = {{}})", Show(N)) for g, N in zip(names, Ns)])
    return Table("Table 1b. Patient characteristics by primary tumour group, safety set", header,
                 rows, footnotes=FOOTNOTES, table_id="table1-by-group", sums=sums, numbers=nb)


def section(ctx) -> Section:
    return Section("baseline", "Patient characteristics",
                   table(ctx).html() + table_by_group(ctx).html())
