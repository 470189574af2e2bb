# Reference results for the IPTW analysis (prrt_rwe.stats.propensity, results/confounding):
# propensity by glm(binomial), stabilized ATE weights (optionally truncated at the 1st and 99th
# percentiles, quantile type 7), Kish ESS, balance before/after from survey::svymean/svyvar, the
# weighted Cox model coxph(..., weights = w, robust = TRUE) and weighted Kaplan-Meier curves
# survfit(..., weights = w, robust = FALSE) (Greenwood on the weighted counts).
# Usage: Rscript tests/validation/r/iptw.R OUTDIR
#   iptw_data.csv      the cohort (exposure ssa, the propensity covariates, days, event)
#   r_iptw_weights.csv per patient and truncation: propensity, weight
#   r_iptw_summary.csv per truncation: ESS (overall and by arm), Cox coef, se, robust se, z, p, HR, CI
#   r_iptw_balance.csv per truncation and covariate: weighted/unweighted means and SDs by arm, SMD
#   r_iptw_km.csv      per truncation, variance and arm: weighted median and CI, S(365.25),
#                      S(730.5) and CIs; variance "greenwood" (robust = FALSE) and "robust" (R's
#                      default for these weights: the infinitesimal jackknife)
suppressPackageStartupMessages({library(survival); library(survey)})
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "fixture_io.R"))
source(file.path(here, "registry_like.R"))

reg <- registry_like()
d <- data.frame(ssa = reg$ssa_concomitant, age = reg$age, sex_m = as.integer(reg$sex == "M"),
                pancreas = as.integer(reg$primary_group == "pancreas"),
                hindgut = as.integer(reg$primary_group == "hindgut"),
                g3nec = as.integer(reg$who_grade == "G3"), ki67_lt10 = reg$ki67_lt10,
                krenning4 = reg$krenning4, liver_burden_lt50 = reg$liver_burden_lt50,
                prior_lines = reg$prior_lines, functioning = reg$functioning,
                days = reg$days, event = reg$event)
wr(d, "iptw_data.csv")
covs <- c("age", "sex_m", "pancreas", "hindgut", "g3nec", "ki67_lt10", "krenning4",
          "liver_burden_lt50", "prior_lines", "functioning")
ps <- glm(reformulate(covs, "ssa"), family = binomial, data = d,
          control = glm.control(epsilon = 1e-14, maxit = 100))
e <- fitted(ps)
pa <- mean(d$ssa)
w0 <- ifelse(d$ssa == 1, pa / e, (1 - pa) / (1 - e))
q <- quantile(w0, c(0.01, 0.99), type = 7)
weights <- list(none = w0, p1_p99 = pmin(pmax(w0, q[1]), q[2]))

smd <- function(m1, m0, v1, v0) (m1 - m0) / sqrt((v1 + v0) / 2)
wt_rows <- list(); summ <- list(); bal <- list(); kms <- list()
for (tr in names(weights)) {
  w <- weights[[tr]]
  d$w <- w
  wt_rows[[tr]] <- data.frame(truncation = tr, row = seq_len(nrow(d)), propensity = e, weight = w)
  fit <- coxph(Surv(days, event) ~ ssa, data = d, weights = w, robust = TRUE,
               control = coxph.control(eps = 1e-12, toler.chol = 1e-15))
  s <- summary(fit)
  ess <- function(x) sum(x)^2 / sum(x^2)
  summ[[tr]] <- data.frame(truncation = tr, n = nrow(d), ess = ess(w), ess_exposed = ess(w[d$ssa == 1]),
                           ess_unexposed = ess(w[d$ssa == 0]), coef = s$coefficients[1, "coef"],
                           se = s$coefficients[1, "se(coef)"], robust_se = s$coefficients[1, "robust se"],
                           z = s$coefficients[1, "z"], p = s$coefficients[1, "Pr(>|z|)"],
                           hr = s$conf.int[1, "exp(coef)"], lower = s$conf.int[1, "lower .95"],
                           upper = s$conf.int[1, "upper .95"])
  des <- svydesign(ids = ~1, weights = ~w, data = d)
  for (v in covs) {
    f <- as.formula(paste0("~", v))
    m <- svyby(f, ~ssa, des, svymean)
    s2 <- svyby(f, ~ssa, des, svyvar)
    binary <- all(d[[v]] %in% c(0, 1))
    x1 <- d[[v]][d$ssa == 1]; x0 <- d[[v]][d$ssa == 0]
    um1 <- mean(x1); um0 <- mean(x0)
    uv1 <- if (binary) um1 * (1 - um1) else var(x1)
    uv0 <- if (binary) um0 * (1 - um0) else var(x0)
    wm1 <- m[m$ssa == 1, v]; wm0 <- m[m$ssa == 0, v]
    wv1 <- if (binary) wm1 * (1 - wm1) else s2[s2$ssa == 1, v]
    wv0 <- if (binary) wm0 * (1 - wm0) else s2[s2$ssa == 0, v]
    bal[[paste(tr, v)]] <- data.frame(truncation = tr, covariate = v, binary = binary,
                                      mean_exposed = um1, mean_unexposed = um0,
                                      wmean_exposed = wm1, wmean_unexposed = wm0,
                                      smd_before = smd(um1, um0, uv1, uv0),
                                      smd_after = smd(wm1, wm0, wv1, wv0))
  }
  for (variance in c("greenwood", "robust")) {
  km <- if (variance == "greenwood") {
    survfit(Surv(days, event) ~ ssa, data = d, weights = w, robust = FALSE, conf.type = "log-log")
  } else survfit(Surv(days, event) ~ ssa, data = d, weights = w, conf.type = "log-log")
  med <- quantile(km, 0.5)
  at <- summary(km, times = c(365.25, 730.5), extend = FALSE)
  for (arm in 0:1) {
    k <- arm + 1
    sel <- at$strata == levels(at$strata)[k]
    kms[[paste(tr, variance, arm)]] <- data.frame(truncation = tr, variance = variance, arm = arm,
                                        median = unname(med$quantile[k, 1]),
                                        median_lower = unname(med$lower[k, 1]),
                                        median_upper = unname(med$upper[k, 1]),
                                        s12 = at$surv[sel][1], s12_lower = at$lower[sel][1],
                                        s12_upper = at$upper[sel][1], s24 = at$surv[sel][2],
                                        s24_lower = at$lower[sel][2], s24_upper = at$upper[sel][2])
  }
  }
}
wr(do.call(rbind, wt_rows), "r_iptw_weights.csv")
wr(do.call(rbind, summ), "r_iptw_summary.csv")
wr(do.call(rbind, bal), "r_iptw_balance.csv")
wr(do.call(rbind, kms), "r_iptw_km.csv")
