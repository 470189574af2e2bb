"""Methods text of the reviewer-grade efficacy analyses, written from the rules in force
(derivations.md "Study period and populations (wave 2)"; results-v1.md "reviewer-grade
efficacy")."""

from __future__ import annotations

from prrt_rwe.report.numbering import ref
from prrt_rwe.report.study_period import POPULATION_LABELS, period_sentence


def population_paragraph(ctx) -> str:
    s = ctx.config.study
    return (f"Study period and data cut-off: {period_sentence(ctx)} Events and values dated after the cut-off "
            f"are ignored before any derivation (counted in {ref('table-cutoff')}): a death after it is censored at it, "
            "assessments, laboratory values and adverse events after it are dropped, and PFS is censored at "
            "the last adequate assessment on or before it. Efficacy populations: response-evaluable = safety set "
            "with a baseline assessment; complete-case model set = response-evaluable with every covariate of "
            f"{', '.join(s.complete_case)} known ([study] complete_case_covariates; by default the covariates "
            "of the default models, so that changing a model formula never changes the population). Headline "
            f"results use the {POPULATION_LABELS[s.headline_population]} ([study] headline_population); the "
            f"models always use the complete-case set; both populations are reported side by side ({ref('table-populations')}).")


def analyses_paragraph(ctx) -> str:
    return ("Duration of response: confirmed responders, from the first assessment with CR or PR among those the "
            "best overall response uses to progression or death, censored as PFS; time to response: C1 to that "
            "assessment. PFS and OS by primary tumour group and by Krenning score 4 vs < 4: Kaplan–Meier curves "
            "and the log-rank test (R survdiff); where a Cox model on the grouping alone fails cox.zph "
            "(p < 0.05), the restricted mean survival time up to the smallest of the groups' last follow-up "
            "times (R print(survfit, rmean = τ); SE by the Greenwood plug-in, CI ± 1.96 SE). Univariable fits of "
            "each model covariate beside the multivariable models (STROBE 16a). Sensitivity: the response model "
            "with cluster-robust standard errors by site (sandwich::vcovCL, HC0, G/(G − 1)); both models with "
            "three-level liver factors (none / ≤ 30 mm / > 30 mm, none / < 50 % / ≥ 50 %, reference none); when "
            "cox.zph flags a term of the PFS model (p < 0.05), the model stratified on it. Included and excluded "
            "patients compared by standardized differences (Austin 2009). Waterfall plot: best percentage "
            "change of the target-lesion sum (assessments' sum of diameters, else lesions.csv) within the "
            "window of the best overall response.")


def paragraphs(ctx) -> list[str]:
    return [population_paragraph(ctx), analyses_paragraph(ctx)]


CHOICES = (
    ("Efficacy populations", "response-evaluable and complete-case, side by side",
     "derivations.md; STROBE 13"),
    ("Restricted mean survival time", "area under KM to τ, Greenwood plug-in SE", "R print.survfit; Uno et al. 2014"),
    ("Response model, site sensitivity", "cluster-robust sandwich, HC0, G/(G − 1)", "R sandwich::vcovCL; Zeileis 2020"),
    ("Included vs excluded", "standardized differences", "Austin 2009"),
)
