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
    """Rows of one variable over the columns, and the sums they obey (per column): levels add
    up to the known values (the percentages' denominator), known + missing to the N."""
    cols = [s["variables"].get(name) for s in sets]
    if all(c is None for c in cols):
        return [], []
    if kind == "continuous":
        parts = [_continuous(c, nb, f"{key}.{name}", N) for c, key, N in zip(cols, keys, Ns)]
        rows = [(f"{label}, median (Q1–Q3)", *[p[0] for p in parts])]
        if any(c["missing"] for c in cols):
            rows.append((f"{INDENT}missing", *[Show(p[1]) for p in parts]))
        return rows, [p[2] for p in parts]
    missing = [nb.n(f"{key}.{name}.missing", c.get("missing", 0)) for c, key in zip(cols, keys)]
    known = [nb.n(f"{key}.{name}.known", N.value - m.value) for N, m, key in zip(Ns, missing, keys)]
    sums = [Sum(N, (k, m)) for N, k, m in zip(Ns, known, missing)]
    missing_row = [(f"{INDENT}missing", *[Show(m) for m in missing])] if any(m.value for m in missing) else []
    if kind == "flag":
        yes = [nb.n(f"{key}.{name}.yes", c["yes"]) for c, key in zip(cols, keys)]
        no = [nb.n(f"{key}.{name}.no", c["no"]) for c, key in zip(cols, keys)]
        sums += [Sum(k, (y, n)) for k, y, n in zip(known, yes, no)]
        return [(f"{label}, n (%)", *[Share(y, k) for y, k in zip(yes, known)]), *missing_row], sums
    names = [lv for lv in dict.fromkeys(lv for c in cols for lv in c) if lv != "missing"]
    levels = {lv: [nb.n(f"{key}.{name}.{lv}", c.get(lv, 0)) for c, key in zip(cols, keys)] for lv in names}
    rows = [group(f"{label}, n (%)")]
    rows += [(f"{INDENT}{LEVEL_LABELS.get(lv, lv)}", *[Share(c, k) for c, k in zip(counts, known)])
             for lv, counts in levels.items()]
    sums += [Sum(k, tuple(counts[j] for counts in levels.values())) for j, k in enumerate(known)]
    return rows + missing_row, sums


FOOTNOTES = ("Continuous variables: median and quartiles (R quantile type 7); percentages "
                   "of the patients with a known value, missing values on their own row.",
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


SET_LABELS = {"safety": "Safety set", "evaluable": "Response-evaluable", "efficacy": "Complete-case set"}


SET_KEYS = {"safety": "analysis_sets.safety", "evaluable": "populations.evaluable",
            "efficacy": "analysis_sets.efficacy"}


def table(ctx) -> Table:
    ch = ctx.extras["characteristics"]
    names = [k for k in SET_LABELS if k in ch]
    sets = [ch[k] for k in names]
    nb = ctx.numbers
    Ns = [nb.population(SET_KEYS[k], ch[k]["N"]) for k in names]
    rows, sums = _body(sets, nb, [f"characteristics.{k}" for k in names], Ns)
    return Table(
        "Table 1. Patient characteristics at the first PRRT cycle",
        ("Characteristic", *[Label(f"{SET_LABELS[k]} (N = {{}})", Show(N)) for k, N in zip(names, Ns)]),
        rows, footnotes=FOOTNOTES + (
            "Response-evaluable: safety set with a baseline assessment; complete-case set: "
            "response-evaluable with every model covariate known (the set of the models).",),
        table_id="table1", sums=sums, numbers=nb)


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
