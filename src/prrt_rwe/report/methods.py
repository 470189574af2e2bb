"""Statistical methods, written from the rules in force (study.toml or the defaults of
derivations.md) so the text cannot drift from what was computed; the table of method
choices repeats each one with its reference, as a reviewer would look for it."""

from __future__ import annotations

import json
from html import escape

from prrt_rwe.report import robustness_methods
from prrt_rwe.report import efficacy_methods
from prrt_rwe.report.provenance import rules_link
from prrt_rwe.report.section import Section, paragraph
from prrt_rwe.report.table import Table


def paragraphs(ctx) -> list[str]:
    c, k = ctx.config, ctx.numbers.suppress_below
    gap = (f"a death more than {c.pfs.max_gap_days} days after the last adequate assessment is "
           "censored at that assessment" if c.pfs.max_gap_days else
           "a death after a long gap without scans counts as an event")
    landmarks = ", ".join(format(float(m), "g") for m in c.km.landmarks_months)
    note = ctx.provenance.get("input_note")
    return [
        *((f"Data: {note}.",) if note else ()),
        "Design: retrospective multicentre cohort of patients treated with 177Lu-DOTATATE, analysed "
        "from registry records (format v1). Day 0 is the first PRRT cycle (C1); months are days / 30.4375.",
        "Analysis sets: enrolled = every patient; safety = at least one cycle; efficacy = safety with a "
        "baseline assessment (on or before C1) and every covariate of the models present (complete case). "
        "Each exclusion is counted once, by the first reason that applies.",
        *efficacy_methods.paragraphs(ctx),
        "Tumour response (RECIST 1.1, site-recorded time-point responses): assessments after C1 and before "
        f"the next therapy, up to the first PD. Confirmed response needs a second CR/PR at least "
        f"{c.recist.confirmation_days} days later; stable disease needs an assessment on day "
        f"{c.recist.sd_min_days} or later. Patients without a post-baseline assessment are not evaluable "
        "and remain in the denominator. ORR and DCR with exact Clopper–Pearson 95 % intervals.",
        "Progression-free survival: first PD or death; without an event, censored at the last adequate "
        "assessment (day 0 without one); assessments from the next therapy on are ignored (FDA convention); "
        f"{gap}. Overall survival: death; otherwise censored at the latest recorded date. "
        f"Kaplan–Meier estimates with Greenwood variance and {int(c.km.conf_level * 100)} % pointwise "
        f"intervals on the {c.km.conf_type} scale; median and its interval as R quantile.survfit "
        f"(Brookmeyer–Crowley); landmark rates at {landmarks} months, not reported beyond the last "
        "follow-up. Follow-up: median by reverse Kaplan–Meier.",
        f"Models (efficacy set, complete case): logistic regression {c.models.orr} with primary tumour "
        f"reduced to {', '.join(c.models.orr_group_levels)} (reference {c.models.orr_group_reference}), "
        + ("Firth's penalised likelihood with profile penalised-likelihood 95 % intervals and penalised "
           "likelihood-ratio p values (as R logistf, Heinze & Schemper 2002); " if c.models.orr_method == "firth"
           else "Wald 95 % intervals; ")
        + f"Cox proportional hazards {c.models.pfs}, Efron ties, Wald intervals, "
        "Harrell concordance. Proportional hazards: Grambsch–Therneau test as R cox.zph (km transform). "
        "Sensitivity: the Cox model stratified by site, and with cluster-robust (sandwich) variance by site.",
        "Safety: CTCAE v5.0 grades computed from laboratory values (baseline = last value "
        f"in the {c.labs.baseline_window_days} days up to C1, none = grade 0; acute window to the last cycle + "
        f"{c.safety.window_days} days, late window to the data cut-off). A value is treatment-emergent when its "
        "grade is worse than the baseline grade; headline rates use treatment-emergent worst grades, and the "
        "worst grade whatever the baseline is shown beside them, with shift tables, beside grade ≥ 3 adverse "
        "events as reported. Kidney function: eGFR by CKD-EPI 2021 (race-free) with the age at each value; "
        "annual slope from a linear mixed model with a random intercept and slope per patient (REML).",
        "Late effects (safety set, time from C1): first treatment-emergent haematologic grade ≥ 3 value, MDS/AML, "
        "renal decline (two consecutive eGFR values ≤ 60 % of baseline or < 30); death without the event is a "
        "competing event, others are censored at the last recorded date. Cumulative incidence by the "
        "Aalen–Johansen estimator (95 % CI as R survfit multi-state, log scale); groups compared by Gray's "
        "test; covariates by the Fine–Gray subdistribution hazards model (as R cmprsk::crr).",
        *robustness_methods.paragraphs(c),
        "Hormonal symptoms: patients with a hormonal syndrome, response as recorded by the site.",
        comparison_methods(c),
        privacy(k),
    ]


def privacy(k) -> str:
    """The disclosure rule in force, as the methods state it."""
    rule = (f"Counts from 1 to {k - 1} are shown as <{k}; masked with them (shown as –) is every "
            "number of the same table or figure from which they could be recomputed by arithmetic: "
            "their percentages and confidence intervals, and, by complementary suppression, other "
            "counts so that no row or column total, complement, difference of numbers at risk or "
            "flow-diagram box gives a masked count back; small hidden complements (e.g. grade 0) "
            "are protected the same way, and a count masked once is masked wherever it appears. "
            "Kaplan–Meier curves stop where fewer than "
            f"{k} patients remain at risk. " if k else
            "No small-cell suppression was requested (--suppress-below). ")
    return ("Privacy: the report shows aggregates only. " + rule +
            "results.json and ard.parquet are never masked: they are the analyst's complete "
            "machine-readable record of aggregates. OUT/adam holds row-level (patient-level, "
            "pseudonymised) analysis datasets and is not for sharing outside the study team.")


def comparison_methods(c) -> str:
    return ("Comparison with published studies: for each trial arm or cohort (comparator files, "
            "comparators.md), our response-evaluable patients meeting its eligibility criteria; naive "
            "comparison with exact or Kaplan–Meier CIs; matching-adjusted indirect comparison (MAIC, "
            "Signorovitch 2010) reweighting those patients so that their means of the published baseline "
            "characteristics equal the trial's (method-of-moments weights, solved exactly by Newton's method), "
            "effective sample size (Σw)²/Σw², weighted ORR and case-weighted Kaplan–Meier PFS, percentile "
            f"bootstrap CIs from {c.comparators.bootstrap_resamples} resamples (seed {c.comparators.seed}) "
            "re-estimating the weights (NICE DSU TSD 18). Unanchored MAIC assumes all prognostic factors and "
            "effect modifiers are matched. Trial arms with a digitised Kaplan–Meier curve are reconstructed "
            "(Guyot et al. 2012) and compared with our weighted cohort by a Cox model with robust variance.")


CHOICES = (
    ("Proportion CI", "exact Clopper–Pearson", "R binom.test; Clopper & Pearson 1934"),
    ("Kaplan–Meier variance", "Greenwood", "R survfit"),
    ("Kaplan–Meier CI", "{km.conf_type} scale, {level} %", "R survfit conf.type; SAS default log-log"),
    ("Median survival CI", "Brookmeyer–Crowley, as R quantile.survfit", "Brookmeyer & Crowley 1982"),
    ("Follow-up", "reverse Kaplan–Meier median", "Schemper & Smith 1996"),
    ("Cox ties", "Efron", "R coxph default"),
    ("Model CIs", "Wald", "R confint.default"),
    ("PH check", "cox.zph, km transform, GLOBAL test", "Grambsch & Therneau 1994"),
    ("Site sensitivity", "strata(site); cluster(site) sandwich variance", "Lin & Wei 1989"),
    ("Toxicity grading", "CTCAE v5.0 from values; treatment-emergent = worse than baseline grade",
     "NCI CTCAE v5.0; admiral ATOXGR/BTOXGR"),
    ("Cumulative incidence", "Aalen–Johansen, death competing; infinitesimal-jackknife SE",
     "R survfit multi-state; Aalen & Johansen 1978"),
    ("Competing-risk comparison", "Gray's test (rho = 0)", "R cmprsk::cuminc; Gray 1988"),
    ("Competing-risk regression", "Fine–Gray, sandwich variance", "R cmprsk::crr; Fine & Gray 1999"),
    ("eGFR slope", "linear mixed model, random intercept and slope, REML", "R nlme::lme; Laird & Ware 1982"),
    ("Response", "RECIST 1.1 confirmed best overall response", "Eisenhauer et al. 2009"),
    *robustness_methods.CHOICES,
    ("Published comparators", "MAIC, method of moments; percentile bootstrap re-estimating weights",
     "Signorovitch et al. 2010; NICE DSU TSD 18"),
    ("Reconstructed trial arms", "Guyot algorithm from digitised KM curve and numbers at risk", "Guyot et al. 2012"),
    *efficacy_methods.CHOICES,
)


FIRTH_CHOICE = ("Model CIs", "Wald (Cox); profile penalised likelihood (response model, Firth)",
                "R confint.default; R logistf, Heinze & Schemper 2002")


def choices_in_force(config) -> tuple:
    """CHOICES as run: Firth's intervals when [models] orr_method = "firth", no imputation rows
    when [imputation] m = 0."""
    off = robustness_methods.IMPUTATION_CHOICES if config.imputation.m == 0 else ()
    return tuple(FIRTH_CHOICE if row[0] == "Model CIs" and config.models.orr_method == "firth" else row
                 for row in CHOICES if row[0] not in off)


def choices_table(ctx) -> Table:
    km = ctx.config.km
    rows = tuple((what, choice.format(km=km, level=int(km.conf_level * 100)), ref)
                 for what, choice, ref in choices_in_force(ctx.config))
    return Table("Table 14. Method choices in force", ("Quantity", "Method", "Reference"), rows,
                 table_id="table-methods", text_columns=3)


def rules_block(ctx) -> str:
    text = json.dumps(ctx.analysis.rules, indent=2, ensure_ascii=False, sort_keys=True)
    return (f"<p>The derivation rules, in words, with their sources: {rules_link()}.</p>"
            f'<details><summary>Rules in force (as JSON)</summary><pre>{escape(text)}</pre></details>')


def section(ctx) -> Section:
    body = "".join(paragraph(p) for p in paragraphs(ctx)) + choices_table(ctx).html() + rules_block(ctx)
    return Section("methods", "Statistical methods", body)
