"""Tumour response (RECIST 1.1): confirmed best overall response counts, ORR and DCR with
exact intervals, unconfirmed ORR beside, ORR by primary tumour group."""

from __future__ import annotations

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
    N = r["orr"]["N"]
    rows = [(BOR_LABELS[k], nb.n_pct(v, N)) for k, v in r["bor_counts"].items()]
    rows += [("Objective response (CR + PR)", nb.proportion(r["orr"])),
             ("Disease control (CR + PR + SD)", nb.proportion(r["dcr"])),
             ("Objective response, unconfirmed", nb.proportion(r["orr_unconfirmed"]))]
    return Table(f"Table 2. Best overall response, {headline_label(ctx)} (N = {nb.count(N)})",
                 ("Response", "n (%) / % (95 % CI)"), tuple(rows),
                 footnotes=("Confirmed best overall response: CR/PR need a second assessment "
                            f"≥ {ctx.config.recist.confirmation_days} days later; SD needs an "
                            f"assessment on day ≥ {ctx.config.recist.sd_min_days}. Patients "
                            "without a post-baseline assessment are NE and stay in the denominator.",
                            CI_NOTE), table_id="table-bor")


def group_table(ctx) -> Table:
    by, nb = ctx.results["response"]["by_primary_group"], ctx.numbers
    rows = [(GROUP_LABELS[g], nb.n_over_N(p), nb.proportion(p)) for g, p in by.items()]
    return Table("Table 3. Objective response by primary tumour group",
                 ("Primary tumour", "responders / N", "ORR (95 % CI)"), tuple(rows),
                 footnotes=(CI_NOTE,), table_id="table-orr-group")


def section(ctx) -> Section:
    orr = ctx.results["response"]["orr"]
    return Section("response", "Tumour response", bor_table(ctx).html() + group_table(ctx).html(),
                   lead=f"Confirmed objective response rate {ctx.numbers.proportion(orr)}.")
