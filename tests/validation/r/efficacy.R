# Reference results for the reviewer-grade efficacy analyses (results-v1.md "Additions:
# reviewer-grade efficacy"): cluster-robust logistic model (sandwich::vcovCL, HC0, cadjust),
# univariable logistic and Cox fits, the three-level liver sensitivity models, the Cox fit
# stratified on the terms cox.zph flags, the duration-of-response Kaplan-Meier summary, and
# restricted mean survival time as print(survfit, rmean = tau) with survRM2's unadjusted
# difference (survRM2 is not in Debian: its formula, rmst2.R, is written out below).
# Usage: Rscript tests/validation/r/efficacy.R OUTDIR
suppressPackageStartupMessages({library(survival); library(sandwich)})
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))

# ---- a registry-like cohort: 24 sites, the default model covariates, PH violated by krenning4
set.seed(20260502)
n <- 320
site_effect <- rnorm(24, 0, 0.6)
site_no <- sample(1:24, n, replace = TRUE)
primary_group <- sample(c("pancreas", "midgut", "hindgut", "foregut", "other"), n, replace = TRUE,
                        prob = c(0.35, 0.3, 0.1, 0.1, 0.15))
krenning4 <- rbinom(n, 1, 0.6)
ki67_lt10 <- rbinom(n, 1, 0.55)
ssa_concomitant <- rbinom(n, 1, 0.5)
liver_lesion3 <- sample(c("none", "le30", "gt30"), n, replace = TRUE, prob = c(0.3, 0.45, 0.25))
liver_burden3 <- ifelse(liver_lesion3 == "none", "none",
                        ifelse(runif(n) < 0.7, "lt50", "ge50"))
response <- rbinom(n, 1, plogis(-1.4 + 0.8 * (primary_group == "pancreas") - 0.6 * (primary_group == "hindgut")
                                + 0.9 * krenning4 + 0.6 * (liver_lesion3 != "gt30") + site_effect[site_no]))
# PFS: Weibull shape 2.2 with Krenning 4, 0.8 without (crossing hazards), days, with ties
lp <- -0.4 * ki67_lt10 - 0.5 * (liver_burden3 != "ge50") - 0.3 * ssa_concomitant
shape <- ifelse(krenning4 == 1, 2.2, 0.8)
event_day <- ceiling(rweibull(n, shape, 700 * exp(-lp / shape)))
censor_day <- ceiling(runif(n, 150, 1400))
pfs_days <- pmin(event_day, censor_day)
pfs_event <- as.integer(event_day <= censor_day)
# duration of response of the responders: from a response day to the PFS date, censored as PFS
response_day <- ifelse(response == 1, pmin(pfs_days, ceiling(runif(n, 50, 200))), NA)
cohort <- data.frame(usubjid = sprintf("S%02d-%03d", site_no, 1:n), site = sprintf("S%02d", site_no),
                     primary_group, krenning4, ki67_lt10, ssa_concomitant, liver_lesion3, liver_burden3,
                     liver_lesion_le30 = as.integer(liver_lesion3 != "gt30"),
                     liver_burden_lt50 = as.integer(liver_burden3 != "ge50"),
                     response, pfs_days, pfs_event, response_day)
wr(cohort, "efficacy_cohort.csv")

d <- cohort
d$primary_group3 <- relevel(factor(ifelse(d$primary_group %in% c("pancreas", "hindgut"), d$primary_group,
                                          "other")), ref = "other")
d$liver_lesion3 <- factor(d$liver_lesion3, levels = c("none", "le30", "gt30"))   # results-v1.md order
d$liver_burden3 <- factor(d$liver_burden3, levels = c("none", "lt50", "ge50"))
# glm: R's default control for the plain fits (prrt_rwe's IRLS replicates glm.fit step for step,
# stats/logistic_fit.py, so its estimates and SEs equal R's to rounding); the sandwich is the
# formula at the converged estimate, so that fit is taken to epsilon = 1e-14.
gctl <- glm.control(epsilon = 1e-14, maxit = 100)
cctl <- coxph.control(eps = 1e-11, iter.max = 50)   # eps must stay above toler.chol
z <- qnorm(0.975)
term_name <- function(x) {
  x <- sub("^primary_group3", "primary_group[", x)
  x <- sub("^liver_lesion3(.+)$", "liver_lesion3[\\1]", x)
  x <- sub("^liver_burden3(.+)$", "liver_burden3[\\1]", x)
  sub("^(primary_group\\[.+)$", "\\1]", x)
}
coefs <- function(model, fit, est, se, dfn = NULL) {
  p <- 2 * pnorm(-abs(est / se))
  data.frame(model = model, term = term_name(names(est)), coef = unname(est), se = unname(se),
             p = unname(p), lower = unname(est - z * se), upper = unname(est + z * se),
             n = if (is.null(dfn)) NA else dfn)
}
rows <- list()

# ---- default response model, model-based and clustered by site (vcovCL HC0, cadjust = TRUE)
orr_f <- response ~ primary_group3 + krenning4 + liver_lesion_le30
fit <- glm(orr_f, family = binomial, data = d, control = gctl)
V <- vcovCL(fit, cluster = ~site, type = "HC0")
b <- coef(fit)[-1]
rows[[length(rows) + 1]] <- coefs("orr_logistic", fit, b, sqrt(diag(vcov(fit)))[-1])
rows[[length(rows) + 1]] <- coefs("orr_logistic_cluster_site", fit, b, sqrt(diag(V))[-1])

# ---- univariable fits, one per covariate of each default model (complete-case set = all rows)
for (v in c("primary_group3", "krenning4", "liver_lesion_le30")) {
  f <- glm(as.formula(paste("response ~", v)), family = binomial, data = d)
  rows[[length(rows) + 1]] <- coefs("orr_logistic_univariable", f, coef(f)[-1],
                                    sqrt(diag(vcov(f)))[-1], nrow(d))
}
pfs_terms <- c("ki67_lt10", "krenning4", "liver_burden_lt50", "liver_lesion_le30", "ssa_concomitant")
for (v in pfs_terms) {
  f <- coxph(as.formula(paste("Surv(pfs_days, pfs_event) ~", v)), data = d, ties = "efron", control = cctl)
  rows[[length(rows) + 1]] <- coefs("pfs_cox_univariable", f, coef(f), sqrt(diag(vcov(f))), nrow(d))
}

# ---- three-level liver factors (reference none)
f <- glm(response ~ primary_group3 + krenning4 + liver_lesion3, family = binomial, data = d)
rows[[length(rows) + 1]] <- coefs("orr_logistic_liver3", f, coef(f)[-1], sqrt(diag(vcov(f)))[-1])
f <- coxph(Surv(pfs_days, pfs_event) ~ ki67_lt10 + krenning4 + liver_burden3 + liver_lesion3 + ssa_concomitant,
           data = d, ties = "efron", control = cctl)
rows[[length(rows) + 1]] <- coefs("pfs_cox_liver3", f, coef(f), sqrt(diag(vcov(f))))

# ---- main Cox model, cox.zph (km transform), and the fit stratified on the flagged terms
main <- coxph(as.formula(paste("Surv(pfs_days, pfs_event) ~", paste(pfs_terms, collapse = " + "))),
              data = d, ties = "efron", control = cctl)
rows[[length(rows) + 1]] <- coefs("pfs_cox", main, coef(main), sqrt(diag(vcov(main))))
zph <- cox.zph(main, transform = "km")
flagged <- setdiff(rownames(zph$table)[zph$table[, "p"] < 0.05], "GLOBAL")
wr(data.frame(term = rownames(zph$table), chisq = zph$table[, "chisq"], df = zph$table[, "df"],
              p = zph$table[, "p"], flagged = rownames(zph$table) %in% flagged), "r_efficacy_zph.csv")
others <- setdiff(pfs_terms, flagged)
strat <- coxph(as.formula(paste("Surv(pfs_days, pfs_event) ~", paste(others, collapse = " + "),
                                "+ strata(", paste(flagged, collapse = ", "), ")")),
               data = d, ties = "efron", control = cctl)
rows[[length(rows) + 1]] <- coefs("pfs_cox_ph_stratified", strat, coef(strat), sqrt(diag(vcov(strat))))
wr(do.call(rbind, rows), "r_efficacy_models.csv")

# ---- duration of response: Kaplan-Meier of the responders (log-log CI), median and landmarks
r <- d[d$response == 1, ]
dor <- survfit(Surv(pfs_days - response_day, pfs_event) ~ 1, data = r, conf.type = "log-log")
q <- quantile(dor, probs = 0.5)
s <- summary(dor, times = c(365.25, 608.75, 730.5), extend = FALSE)
wr(data.frame(n = dor$n, events = sum(dor$n.event), median = unname(q$quantile), lower = unname(q$lower),
              upper = unname(q$upper)), "r_efficacy_dor.csv")
wr(data.frame(time = s$time, surv = s$surv, lower = s$lower, upper = s$upper), "r_efficacy_dor_landmarks.csv")

# ---- restricted mean survival time: print(survfit, rmean = tau); survRM2 rmst2 difference
rm_rows <- list()
rmst_case <- function(case, time, event, group, tau) {
  if (is.null(group)) {
    tab <- summary(survfit(Surv(time, event) ~ 1), rmean = tau)$table
    rm_rows[[length(rm_rows) + 1]] <<- data.frame(case = case, level = "all", tau = tau,
      rmst = tab[["rmean"]], se = tab[["se(rmean)"]], diff = NA, diff_se = NA, diff_p = NA)
    return(invisible())
  }
  if (is.na(tau)) tau <- min(tapply(time, group, max))   # smallest of the groups' last times
  tab <- summary(survfit(Surv(time, event) ~ group), rmean = tau)$table
  est <- tab[, "rmean"]; se <- tab[, "se(rmean)"]
  two <- length(est) == 2
  dd <- if (two) est[2] - est[1] else NA
  dse <- if (two) sqrt(se[1]^2 + se[2]^2) else NA                 # survRM2 rmst2.R
  rm_rows[[length(rm_rows) + 1]] <<- data.frame(case = case, level = sub("^group=", "", rownames(tab)),
    tau = tau, rmst = unname(est), se = unname(se), diff = unname(dd), diff_se = unname(dse),
    diff_p = unname(if (two) 2 * pnorm(-abs(dd) / dse) else NA))
}
rmst_case("lung_sex", lung$time, as.integer(lung$status == 2), lung$sex, NA)
rmst_case("lung_sex_tau500", lung$time, as.integer(lung$status == 2), lung$sex, 500)
rmst_case("veteran_celltype", veteran$time, veteran$status, as.character(veteran$celltype), NA)
rmst_case("cohort_krenning4", d$pfs_days, d$pfs_event, d$krenning4, NA)
# the grouping's own PH test, which decides on the RMST block (results/survival_by_group.py)
gz <- cox.zph(coxph(Surv(pfs_days, pfs_event) ~ factor(krenning4), data = d, ties = "efron", control = cctl))
wr(data.frame(grouping = "krenning4", chisq = gz$table["GLOBAL", "chisq"], p = gz$table["GLOBAL", "p"]),
   "r_efficacy_group_zph.csv")
rmst_case("lung_all_tau_at_event", lung$time, as.integer(lung$status == 2), NULL, 310)
rmst_case("lung_all_tau_beyond", lung$time, as.integer(lung$status == 2), NULL, 1100)
wr(do.call(rbind, rm_rows), "r_efficacy_rmst.csv")
