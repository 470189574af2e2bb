"""Tumour response (RECIST 1.1): confirmed best overall response counts, ORR and DCR with
exact intervals, unconfirmed ORR beside, ORR by primary tumour group."""

from __future__ import annotations

from prrt_rwe.report.cells import Label, Ratio, Share, Show, Sum
from prrt_rwe.report.section import Section
from prrt_rwe.report.study_period import headline_label
from prrt_rwe.report.table import Table

BOR_LABELS = {"CR": "Complete response", "PR": "Partial response", "SD": "Stable disease",
              "PD": "Progressive disease", "NE": "Not evaluable"}
GROUP_LABELS = {"pancreas": "Pancreas", "foregut": "Foregut (stomach, duodenum)",
                "midgut": "Midgut (small intestine, appendix, caecum)",
                "hindgut": "Hindgut (colon, rectum)", "other": "Other / unknown"}
CI_NOTE = "95 % CI: exact Clopper–Pearson (R binom.test)."


def bor_table(ctx) -> Table:
    r, nb = ctx.results["response"], ctx.numbers
    N = nb.n("response.orr.N", r["orr"]["N"])
    bor = {k: nb.n(f"response.bor_counts.{k}", v) for k, v in r["bor_counts"].items()}
    orr, dcr = nb.prop(r["orr"], "response.orr", N=N), nb.prop(r["dcr"], "response.dcr", N=N)
    unconfirmed = nb.prop(r["orr_unconfirmed"], "response.orr_unconfirmed", N=N)
    rows = [(BOR_LABELS[k], Share(c, N)) for k, c in bor.items()]
    rows += [("Objective response (CR + PR)", orr), ("Disease control (CR + PR + SD)", dcr),
             ("Objective response, unconfirmed", unconfirmed)]
    sums = (Sum(N, tuple(bor.values())),
            Sum(orr.n, tuple(bor[k] for k in ("CR", "PR") if k in bor)),
            Sum(dcr.n, tuple(bor[k] for k in ("CR", "PR", "SD") if k in bor)))
    return Table(Label(f"Table 2. Best overall response, {headline_label(ctx)} (N = {{}})", Show(N)),
                 ("Response", "n (%) / % (95 % CI)"), tuple(rows),
                 footnotes=("Confirmed best overall response: CR/PR need a second assessment "
                            f"≥ {ctx.config.recist.confirmation_days} days later; SD needs an "
                            f"assessment on day ≥ {ctx.config.recist.sd_min_days}. Patients "
                            "without a post-baseline assessment are NE and stay in the denominator.",
                            CI_NOTE), table_id="table-bor", sums=sums, numbers=nb)


def group_table(ctx) -> Table:
    """ORR by primary group; the groups' responders and Ns add up to the efficacy set's."""
    r, nb = ctx.results["response"], ctx.numbers
    by = r["by_primary_group"]
    props = {g: nb.prop(p, f"response.by_primary_group.{g}") for g, p in by.items()}
    rows = [(GROUP_LABELS[g], Ratio(p.n, p.N), p) for g, p in props.items()]
    sums = ()
    if sum(p.N.value for p in props.values()) == r["orr"]["N"]:   # every patient has a group
        sums = (Sum(nb.n("response.orr.N", r["orr"]["N"]), tuple(p.N for p in props.values())),
                Sum(nb.n("response.orr.n", r["orr"]["n"]), tuple(p.n for p in props.values())))
    return Table("Table 3. Objective response by primary tumour group",
                 ("Primary tumour", "responders / N", "ORR (95 % CI)"), tuple(rows),
                 footnotes=(CI_NOTE,), table_id="table-orr-group", sums=sums, numbers=nb)


def section(ctx) -> Section:
    orr = ctx.results["response"]["orr"]
    body = bor_table(ctx).html() + group_table(ctx).html()
    return Section("response", "Tumour response", body,
                   lead=f"Confirmed objective response rate {ctx.numbers.proportion(orr, 'response.orr')}.")
