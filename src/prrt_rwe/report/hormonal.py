"""Hormonal symptoms in patients with a functioning tumour: marked improvement (the
headline, as Okamoto et al. report "marked improvement in 18 of 24") and any improvement."""

from __future__ import annotations

from prrt_rwe.report.cells import Share, Show, Sum
from prrt_rwe.report.section import Section
from prrt_rwe.report.table import Table


def table(ctx) -> Table:
    """Evaluable = any improvement + no improvement; any = marked + improvement only (the
    two hidden complements are protected when small)."""
    h, nb = ctx.results["hormonal_symptoms"], ctx.numbers
    N = nb.n("hormonal_symptoms.evaluable", h["evaluable"])
    marked = nb.n("hormonal_symptoms.marked_improvement", h["marked_improvement"])
    anyimp = nb.n("hormonal_symptoms.any_improvement", h["any_improvement"])
    rows = (("Evaluable patients", Show(N)),
            ("Marked improvement", Share(marked, N)),
            ("Any improvement (marked or improvement)", Share(anyimp, N)))
    sums = (Sum(anyimp, (marked, nb.n("hormonal_symptoms.improvement_only", anyimp.value - marked.value))),
            Sum(N, (anyimp, nb.n("hormonal_symptoms.no_improvement", N.value - anyimp.value))))
    return Table("Table 10. Hormonal symptom response, safety-set patients with a hormonal syndrome",
                 ("", "n (% of evaluable)"), rows,
                 footnotes=("Evaluable = response recorded other than not evaluable.",),
                 table_id="table-hormonal", sums=sums, numbers=nb)


def section(ctx) -> Section:
    return Section("hormonal", "Hormonal symptoms", table(ctx).html())
