"""Hormonal symptoms in patients with a functioning tumour: marked improvement (the
headline, as Okamoto et al. report "marked improvement in 18 of 24") and any improvement."""

from __future__ import annotations

from prrt_rwe.report.section import Section
from prrt_rwe.report.table import Table


def table(ctx) -> Table:
    h, nb = ctx.results["hormonal_symptoms"], ctx.numbers
    N = h["evaluable"]
    rows = (("Evaluable patients", nb.count(N)),
            ("Marked improvement", nb.n_pct(h["marked_improvement"], N)),
            ("Any improvement (marked or improvement)", nb.n_pct(h["any_improvement"], N)))
    return Table("Table 10. Hormonal symptom response, safety-set patients with a hormonal syndrome",
                 ("", "n (% of evaluable)"), rows,
                 footnotes=("Evaluable = response recorded other than not evaluable.",),
                 table_id="table-hormonal")


def section(ctx) -> Section:
    return Section("hormonal", "Hormonal symptoms", table(ctx).html())
