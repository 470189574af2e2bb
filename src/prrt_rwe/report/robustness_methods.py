"""Methods text and method choices of the missing-data, confounding and site analyses, from
the rules in force (``[imputation]``, ``[iptw]``, ``[sites]``)."""

from __future__ import annotations


def paragraphs(config) -> list[str]:
    imp, iptw, sites = config.imputation, config.iptw, config.sites
    trunc = (f"truncated at the {iptw.truncation[0]:g}th and {iptw.truncation[1]:g}th percentiles"
             if iptw.truncation else "not truncated")
    imputation = (
        f"Multiple imputation by chained equations (m = {imp.m}, {imp.iterations} iterations, seed {imp.seed}; "
        "R mice defaults: predictive mean matching for numbers, logistic and multinomial regression for "
        "categories) of the recorded columns the model covariates derive from, on the response-evaluable "
        "population, with response, the PFS event and the Nelson–Aalen cumulative hazard and site in the "
        "imputation model (White & Royston 2009); the default models fitted on each completed data set and "
        "pooled by Rubin's rules with Barnard–Rubin degrees of freedom (as R mice::pool)."
        if imp.m else "Multiple imputation was switched off ([imputation] m = 0): the models are complete case only.")
    return [
        "Missing data: missingness of each covariate by site, and whether it relates to the outcome "
        f"(chi-square test against confirmed response, log-rank test against PFS). {imputation}",
        f"Confounding: inverse probability of treatment weighting for {iptw.exposure} (propensity by logistic "
        f"regression on {', '.join(iptw.covariates)}; stabilized ATE weights, {trunc}); balance by "
        "standardized mean differences before and after weighting; weighted Kaplan–Meier curves and a "
        "weighted Cox model with robust variance. E-values (VanderWeele & Ding 2017) for every odds and "
        "hazard ratio, outcomes treated as common.",
        f"Sites: ORR and median PFS per site (sites under {sites.min_site_n} patients pooled); random-effects "
        "meta-analysis of the site logit ORRs (REML and DerSimonian–Laird, as R metafor) with I² and the "
        "prediction interval; leave-one-site-out ranges; a shared gamma frailty Cox model by site (as R "
        "coxph + frailty) beside the stratified and cluster-robust fits.",
    ]


IMPUTATION_CHOICES = ("Multiple imputation", "Pooling")   # not in force when [imputation] m = 0
CHOICES = (
    ("Multiple imputation", "MICE: pmm / logreg / polyreg, outcome and Nelson–Aalen hazard as predictors",
     "van Buuren 2011 (R mice); White & Royston 2009"),
    ("Pooling", "Rubin's rules, Barnard–Rubin df", "Rubin 1987; Barnard & Rubin 1999 (R mice::pool)"),
    ("Confounding", "IPTW, stabilized ATE weights, robust SE", "Austin & Stuart 2015 (R survival, survey)"),
    ("Unmeasured confounding", "E-value, common outcome", "VanderWeele & Ding 2017 (R EValue)"),
    ("Site heterogeneity", "random-effects logit ORR, REML and DL", "Viechtbauer 2010 (R metafor)"),
    ("Site frailty", "shared gamma frailty, em method", "Therneau, Grambsch & Pankratz 2003 (R survival)"),
)
