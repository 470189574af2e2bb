"""Comparison with published studies: our patients matched to each study's population
(results.json ``comparisons``) with N and 95 % CI on both sides in a table and a forest-style
figure (axes from 0), and for each comparator file the naive matched comparison beside the
MAIC-adjusted one, its effective sample size, balance and weight distribution, the HR
against a reconstructed trial arm when a digitised curve exists; per comparator what was
matched, what was reported but not matched and why (the file's ``notes``) and what its ESS
means; and the caveats a reviewer of an unanchored MAIC expects (NICE DSU TSD 18)."""

from __future__ import annotations

from html import escape

from prrt_rwe.report.comparator_figures import forest_figure, overlay_figure, weights_figure
from prrt_rwe.report.cells import Derived, Label, Show, Stat, Sum
from prrt_rwe.report.comparison_labels import ARM_MARK, endpoint_label, ours_cells, short_arm, value
from prrt_rwe.report.section import Section, figure, paragraph
from prrt_rwe.report.table import Table, group

def comparisons_table(ctx) -> Table:
    nb = ctx.numbers
    rows, group_of, sums = [], None, []
    for i, r in enumerate(ctx.results["comparisons"]):
        pub, ours = r["published"], r["ours"]
        key = (r["study"], ours["population"])
        if key != group_of:
            group_of = key
            rows.append(group(f"{r['study']} — ours: {ours['population']}; theirs: {r['population']}"))
        arm_n = ARM_MARK if "randomised to the arm" in pub["source"] else ""
        cell, N, row_sums = ours_cells(nb, i, r)
        sums += row_sums
        rows.append((short_arm(r["arm"]), endpoint_label(r["endpoint"]),
                     value(r["endpoint"], pub["estimate"], pub["ci95"]),
                     "NA" if pub["N"] is None else f"{pub['N']}{arm_n}", cell, Show(N)))
    return Table("Table 11a. Published studies beside this cohort's patients matched to each study's population",
                 ("Arm", "End point", "Published (95 % CI)", "N", "This cohort (95 % CI)", "N"), tuple(rows),
                 footnotes=("Ours: confirmed best overall response (site-recorded RECIST 1.1) with exact "
                            "Clopper–Pearson CI; PFS/OS from the first PRRT cycle, Kaplan–Meier with the "
                            "configured CI. Trials: central RECIST review, PFS from randomisation.",
                            f"{ARM_MARK} N randomised to the arm: the source does not give the outcome's "
                            "denominator. NR: not reached; NE: limit not estimable; a missing CI was not "
                            "published (never estimated here, except an exact CI from published n/N, as "
                            "the sources below say).",
                            "Control-arm rows (octreotide LAR) are not like-for-like: they show the "
                            "randomised control's outcome beside our PRRT patients as context."),
                 table_id="table-benchmarks", text_columns=2, sums=tuple(sums), numbers=nb)


def sources_block(ctx) -> str:
    """Where each published number comes from, one line per study, arm and end point."""
    items = "".join(f"<li>{escape(r['study'])}, {escape(short_arm(r['arm']))}, {escape(endpoint_label(r['endpoint']))}: "
                    f"{escape(r['published']['source'])}</li>" for r in ctx.results["comparisons"])
    return f"<details><summary>Sources of the published numbers</summary><ul>{items}</ul></details>"


def _ci_marked(text: str, ctx, ci) -> str:
    """A federated MAIC estimate whose bootstrap CI is null says so."""
    if ctx.results.get("mode") == "federated" and (not ci or all(v is None for v in ci)):
        return f"{text} (CI not available)"
    return text


def _maic_rows(ctx, item: dict, extra: dict, notes: list) -> list:
    """Rows of one comparator; our values as cells resting on the eligible (naive) or the
    matched (MAIC) patients, so that they are masked with those counts."""
    nb = ctx.numbers
    naive, maic = item["naive"], item["maic"]
    mx = extra.get("maic", {})
    key = f"comparators.{item['id']}"
    eligible = nb.n(f"{key}.eligible_evaluable_n", extra.get("eligible_evaluable_n", 0))
    matched = nb.n(f"{key}.eligible_n", item["eligible_n"])
    label = f"{item['study']} — {item['arm']}"
    rows = [group(label)]
    if maic is None:
        notes.append(f"{item['study']}, {short_arm(item['arm'])}: MAIC not estimable — {item['reason']}.")
    na = f"not estimable ({len(notes)})" if maic is None else None
    rows.append(("Patients", Label("{} eligible", Show(eligible)),
                 na or Label(f"{{}}, ESS {maic['ess']:.1f}", Show(matched)), f"{extra['n']} randomised"))
    if naive is not None:
        o = naive["orr"]
        pub = o["published"]
        adjusted = na or Stat(_ci_marked(value("orr", maic["orr"]["estimate"], maic["orr"]["ci95"]), ctx,
                                         maic["orr"]["ci95"]), (matched,))
        rows.append(("ORR", nb.prop(o["ours"], f"{key}.naive.orr"), adjusted,
                     "—" if pub is None else value("orr", pub["estimate"], pub["ci95"])))
        rate = naive["pfs_rate"]
        if rate is not None:
            m = f"pfs_rate_{rate['months']:g}m"
            mrate = None if maic is None else maic["pfs_rate"]
            rows.append((f"PFS at {rate['months']:g} months",
                         Stat(value(m, rate["ours"]["estimate"], rate["ours"]["ci95"]), (eligible,)),
                         na or ("—" if mrate is None else Stat(_ci_marked(value(m, mrate["estimate"], mrate["ci95"]),
                                                                         ctx, mrate["ci95"]), (matched,))),
                         value(m, rate["published"]["estimate"], rate["published"]["ci95"])))
    naive_med, pub_med = extra.get("naive_pfs_median_months"), extra.get("published_pfs_median_months")
    if "pfs_median_months" in mx or pub_med:
        med = mx.get("pfs_median_months")
        rows.append(("Median PFS, months",
                     "–" if naive_med is None else
                     Stat(value("pfs_median_months", naive_med["estimate"], naive_med["ci95"]), (eligible,)),
                     na or ("—" if med is None else
                            Stat(_ci_marked(value("pfs_median_months", med["estimate"], med["ci95"]), ctx,
                                            med["ci95"]), (matched,))),
                     "—" if pub_med is None else value("pfs_median_months", pub_med["estimate"], pub_med["ci95"])))
    if maic is not None:
        hr = maic["pfs_hr_vs_reconstructed"]
        if hr is None:
            notes.append(f"{item['study']}, {short_arm(item['arm'])}: no HR against a reconstructed arm — "
                         f"{extra.get('pfs_hr_reason', 'PFS not available')}.")
        rows.append(("PFS HR vs reconstructed arm", "", f"— ({len(notes)})" if hr is None else
                     Stat(f"{hr['hr']:.2f} ({hr['ci95'][0]:.2f}–{hr['ci95'][1]:.2f}), p {nb.pvalue(hr['p'])}",
                          (matched,)), ""))
        rows.append(("Matched on", "", ", ".join(maic["matched_on"]), f"max |Δ| {maic['max_abs_diff']:.0e}"))
    return rows


def maic_table(ctx) -> Table:
    rows, notes = [], []
    for item in ctx.results["comparators"]:
        rows += _maic_rows(ctx, item, ctx.extras["comparators"].get(item["id"], {}), notes)
    numbered = tuple(f"({i}) {n}" for i, n in enumerate(notes, start=1))
    return Table("Table 11b. Naive matched and MAIC-adjusted comparison with each comparator arm",
                 ("", "Naive matched (95 % CI)", "MAIC-adjusted (95 % CI)", "Published (95 % CI)"), tuple(rows),
                 footnotes=("Naive: our response-evaluable patients meeting the trial's eligibility, no "
                            "weighting. MAIC: the same patients with every matching variable recorded, weighted "
                            "so that their means equal the published ones (Signorovitch 2010; weights by "
                            "Newton's method, equal to R optim + Newton to 1e-6); 95 % CI: percentile bootstrap "
                            f"({ctx.config.comparators.bootstrap_resamples} resamples, seed "
                            f"{ctx.config.comparators.seed}), weights re-estimated in each (NICE DSU TSD 18). "
                            "Median PFS (MAIC): the case-weighted Kaplan–Meier median.",
                            "ESS: effective sample size (Σw)² / Σw² — the number of equally weighted "
                            "patients carrying the same information as the weighted set; max |Δ|: the largest "
                            "difference between a weighted mean and its target.") + numbered,
                 table_id="table-maic", text_columns=1, numbers=ctx.numbers)


def balance_table(ctx) -> Table | None:
    """Matching variables before and after weighting; an unweighted share gives its count
    (and the complement) back from the matched n, so it is a cell on them."""
    nb, rows, sums = ctx.numbers, [], []
    for item in ctx.results["comparators"]:
        mx = ctx.extras["comparators"].get(item["id"], {}).get("maic")
        if not mx:
            continue
        key = f"comparators.{item['id']}.maic"
        n = nb.n(f"{key}.n", mx["maic_n"])
        rows.append(group(Label(f"{item['study']} — {short_arm(item['arm'])} (n = {{}})", Show(n))))
        for name, b in mx["balance"].items():
            before = b["before"]
            share = 0 <= b["target"] <= 1 and 0 <= before <= 1
            fmt = (lambda x: f"{100 * x:.1f} %") if share else (lambda x: f"{x:.2f}")
            if 0 <= before <= 1:
                k = nb.n(f"{key}.balance.{name}.n", round(before * mx["maic_n"]))
                sums.append(Sum(n, (k, nb.n(f"{key}.balance.{name}.complement", n.value - k.value))))
                unweighted = Derived(fmt(before), (k, n))
            else:
                unweighted = Stat(fmt(before), (n,))
            rows.append((name, fmt(b["target"]), unweighted, fmt(b["after"])))
        for variable, m in mx.get("unmatched_medians", {}).items():
            rows.append((f"{variable} (median, not matched)", f"{m['published_median']:g}",
                         "NA" if m["ours_median"] is None else Stat(f"{m['ours_median']:g}", (n,)), "—"))
    if not rows:
        return None
    return Table("Table 11c. Matching variables before and after MAIC weighting",
                 ("Variable", "Published target", "Ours, unweighted", "Ours, weighted"), tuple(rows),
                 footnotes=("A median-only published value is reported but not matched (comparators.md).",),
                 table_id="table-maic-balance", sums=tuple(sums), numbers=nb)


def _target_text(target: dict) -> str:
    v = target["value"]
    shown = f"{100 * v:.1f} %" if target["kind"] == "proportion" else f"{v:g}"
    return f"{target['label']} {'median ' if target['kind'] == 'median' else ''}{shown}"


def _ess_text(ctx, item: dict) -> str:
    if item["maic"] is None:
        return f"No MAIC: {item['reason']}; the naive comparison stands alone."
    n, ess = item["eligible_n"], item["maic"]["ess"]
    share = "" if ctx.numbers.masked(n) else f" ({100 * ess / n:.0f} %)"
    return (f"ESS {ess:.1f} of {ctx.numbers.count(n)} matched patients{share}: a small ESS means a few heavily "
            "weighted patients carry the adjusted estimate, so its bootstrap CI is wide and it can move with one "
            "patient; an ESS near n means our eligible patients already resembled the trial's.")


def matching(ctx) -> str:
    """Per comparator (arms with the same targets and notes together): what was matched, what
    was reported but not matched, what the ESS means, and the file's own reasons (``notes``)."""
    groups: dict = {}
    for item in ctx.results["comparators"]:
        extra = ctx.extras["comparators"].get(item["id"], {})
        targets = extra.get("targets", [])
        key = (item["study"], tuple(_target_text(x) for x in targets), extra.get("notes", ""))
        groups.setdefault(key, []).append(item)
    out = []
    for (study, _, notes), items in groups.items():
        targets = ctx.extras["comparators"].get(items[0]["id"], {}).get("targets", [])
        matched = [_target_text(x) for x in targets if x["kind"] != "median"]
        medians = [_target_text(x) for x in targets if x["kind"] == "median"]
        arms = "; ".join(short_arm(i["arm"]) for i in items)
        text = (f"<b>{escape(study)}</b> ({escape(arms)}). Matched on: "
                f"{escape(', '.join(matched)) if matched else 'nothing (the file gives no published mean or proportion)'}."
                f" Reported, not matched: {escape(', '.join(medians)) + ' (a median is not matched)' if medians else 'none'}.")
        ess = dict.fromkeys(_ess_text(ctx, i) for i in items)
        text += "".join(f" {escape(e)}" for e in ess)
        lines = [ln.strip() for ln in notes.splitlines() if ln.strip()]
        if lines:
            text += ("<details><summary>Each baseline variable: matched or left out, and why (the file's notes)"
                     "</summary><ul>" + "".join(f"<li>{escape(ln)}</li>" for ln in lines) + "</ul></details>")
        out.append(f"<li>{text}</li>")
    return "<h3>What each comparison was matched on</h3><ul>" + "".join(out) + "</ul>"


def caveats(ctx) -> list[str]:
    return ["Unanchored MAIC: a single-arm cohort against one trial arm, with no common comparator. The adjusted "
            "comparison is unbiased only if every prognostic factor and effect modifier is among the matching "
            "variables (NICE DSU TSD 18); differences in factors not matched — line of therapy, disease "
            "progression before entry, assessment schedule, central versus site review, the time origin of PFS — "
            "remain, so the adjusted numbers are descriptive, not causal.",
            "The shipped NETTER-1 and NETTER-2 files hold only numbers read in citable sources; a target published "
            "for both arms together stands for either arm (randomised arms estimate the same population). A "
            "comparator file with the published per-arm Table 1 (prrt-rwe analyze --comparator FILE) gives a "
            "fuller match."]


FEDERATED_NOTE = ("Federated analysis: the naive comparison, the eligible counts and the MAIC point estimates "
                  "(weights, ESS, balance, weighted ORR, PFS rate and median) are exact; the bootstrap CIs of the "
                  "MAIC estimates, the weight histograms and any HR against a reconstructed arm are not available.")


def section(ctx) -> Section:
    if ctx.results["comparisons"] is None:   # federated: not available (results.json federation)
        body = paragraph("Published studies beside this cohort's patients matched to each study's population "
                         "(the forest figure and its table): not available in this federated analysis.")
        n_rows = 0
    else:
        body = figure(forest_figure(ctx), "Figure 7a. Published estimates (diamonds) and this cohort's matched "
                      "patients (squares) with 95 % CIs; axes start at 0.", "fig-benchmarks")
        body += comparisons_table(ctx).html() + sources_block(ctx)
        n_rows = len(ctx.results["comparisons"])
    if ctx.results.get("mode") == "federated":
        body += paragraph(FEDERATED_NOTE)
    body += maic_table(ctx).html()
    balance = balance_table(ctx)
    if balance is not None:
        body += balance.html()
    weights = weights_figure(ctx)
    if weights:
        body += figure(weights, "Figure 7b. Distribution of the MAIC weights (rescaled to mean 1) per comparator.",
                       "fig-maic-weights")
    elif ctx.numbers.suppress_below and any(i["maic"] for i in ctx.results["comparators"]):
        body += paragraph("The MAIC weight histograms are omitted under --suppress-below (a bar can be one patient).")
    overlay = overlay_figure(ctx)
    if overlay:
        body += figure(overlay, "Figure 7c. PFS of this cohort (MAIC-weighted) and of the reconstructed trial arm "
                       "(Guyot et al. 2012).", "fig-maic-overlay")
    body += matching(ctx)
    body += "<h3>Caveats</h3><ul>" + "".join(f"<li>{escape(t)}</li>" for t in caveats(ctx)) + "</ul>"
    return Section("benchmarks", "Comparison with published studies", body,
                   lead=f"{n_rows} published end points, each against our patients matched to that study's "
                        "population, with N and 95 % CIs on both sides; MAIC where baseline targets exist.")

