"""Efficacy in the two populations side by side (derivations.md "Study period and populations
(wave 2)"): response-evaluable and complete-case model set, the headline one marked."""

from __future__ import annotations

from prrt_rwe.report.cells import Label, Show
from prrt_rwe.report.numbering import ref
from prrt_rwe.report.section import Section
from prrt_rwe.report.study_period import complete_case_key
from prrt_rwe.report.summary import median
from prrt_rwe.report.table import Table

POPULATIONS = (("evaluable", "Response-evaluable"), ("complete_case", "Complete-case set"))


def _rate(block: dict, month: str, nb) -> str:
    at = block["rate_at"].get(month)
    if at is None:
        return "NE"
    lo, hi = (None if c is None else 100 * c for c in at["ci95"])
    return f"{nb.rate(at['estimate'])} ({nb.ci(lo, hi)})"


def block_key(ctx, block: str, population: str) -> str:
    """The results.json key whose counts a population's block repeats: the headline
    population's blocks are ``response``, ``pfs``, ``os`` (the tables' keys)."""
    return block if population == ctx.results["populations"]["headline"] else f"{block}_{population}"


def size_key(ctx, population: str) -> str:
    """The key of a population's size (the complete-case set is the efficacy set)."""
    return complete_case_key(ctx) if population == "complete_case" else f"populations.{population}"


def table(ctx) -> Table:
    r, nb = ctx.results, ctx.numbers
    head = r["populations"]["headline"]
    fu = ctx.extras.get("efficacy_notes", {}).get("followup_median_months", {})
    first = format(float((ctx.config.km.landmarks_months or (12,))[0]), "g")
    cols, Ns = [], []
    for key, _label in POPULATIONS:
        resp, pfs, os_ = r[f"response_{key}"], r[f"pfs_{key}"], r[f"os_{key}"]
        N = nb.population(size_key(ctx, key), r["populations"][key])
        rk = block_key(ctx, "response", key)
        Ns.append(N)
        cols.append((*[nb.prop(resp[m], f"{rk}.{m}", N=N if resp[m]["N"] == N.value else None)
                       for m in ("orr", "dcr", "orr_unconfirmed")],
                     Show(nb.n(f"{block_key(ctx, 'pfs', key)}.events", pfs["events"])), median(pfs, nb),
                     _rate(pfs, first, nb),
                     Show(nb.n(f"{block_key(ctx, 'os', key)}.events", os_["events"])), median(os_, nb),
                     _rate(os_, first, nb), nb.months(fu.get(key))))
    labels = ("Objective response (confirmed), % (95 % CI)", "Disease control, % (95 % CI)",
              "Objective response, unconfirmed", "PFS events", "Median PFS", f"PFS at {first} months",
              "OS events", "Median OS", f"OS at {first} months", "Median follow-up, months")
    header = tuple(Label(f"{label} (N = {{}})" + (", headline" if key == head else ""), Show(N))
                   for (key, label), N in zip(POPULATIONS, Ns))
    return Table("Table 3b. Efficacy in the response-evaluable population and the complete-case model set",
                 ("End point", *header), tuple((lab, *vals) for lab, *vals in zip(labels, *cols)),
                 footnotes=("Response-evaluable: safety set with a baseline assessment, whatever the "
                            "covariates. Complete-case: the response-evaluable patients with every "
                            "covariate that defines the complete-case set ([study] complete_case_covariates; "
                            "default those of the default models) known; the models use this set.",
                            "The headline population ([study] headline_population) is the one of the key "
                            f"results, {ref('table-bor', 'table-orr-group', 'table-tte')} and the figures; the other is shown here so that a reader "
                            "sees what the complete-case restriction changes."),
                 table_id="table-populations", numbers=nb)


def section(ctx) -> Section:
    return Section("populations", "Efficacy populations side by side", table(ctx).html(),
                   lead="Does restricting to patients with every covariate known change the efficacy estimates?")
