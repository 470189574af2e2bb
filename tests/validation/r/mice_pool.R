# Reference results for prrt_rwe.stats.pool_rubin: R mice 3.15 pool() on per-imputation fits.
# Usage: Rscript tests/validation/r/mice_pool.R OUTDIR
#   mice_input.csv       the data mice imputed (NA = missing)
#   mice_completed.csv   every completed data set of a mice run (m = 5, seed 20260502; pmm,
#                        logreg, polyreg; response, event and the Nelson-Aalen cumulative hazard
#                        in the imputation model), with the derived model covariates
#   r_pool_fits.csv      each per-imputation fit: estimate and variance (std.error^2) per term
#   r_pool.csv           pool() of glm(binomial) and coxph fits on those data sets, as
#                        summary(pool, conf.int = TRUE) and pool()$pooled: estimate, ubar, b, t,
#                        dfcom, df, riv, lambda, fmi, std.error, statistic, p.value, CI
#   r_missingness.csv    is a covariate's missingness related to the outcome? chisq.test (R's
#                        default, Yates-corrected for 2x2) against response, survdiff against PFS
# The model fits keep R's default controls: our engines repeat glm's IRLS and coxph's Newton
# steps exactly, so the per-imputation fits agree to rounding (a tighter R tolerance would stop
# one step later than our engines and differ by ~1e-7 in the between-imputation variance).
suppressPackageStartupMessages({library(mice); library(survival)})
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "fixture_io.R"))
source(file.path(here, "registry_like.R"))

reg <- registry_like()
d <- data.frame(site = factor(reg$site), age = reg$age, sex = factor(reg$sex),
                primary_group = factor(reg$primary_group),
                who_grade = factor(reg$who_grade_obs), ki67_percent = reg$ki67_percent_obs,
                krenning_score = reg$krenning_score_obs,
                liver_tumor_burden_percent = reg$liver_tumor_burden_percent,
                largest_liver_lesion_mm = reg$largest_liver_lesion_mm_obs,
                ssa_concomitant = factor(reg$ssa_concomitant_obs), response = reg$response,
                days = reg$days, event = reg$event)
d$cumhaz <- nelsonaalen(d, days, event)
wr(d, "mice_input.csv")
pred <- make.predictorMatrix(d)
pred[, "site"] <- 0  # 20 sites, several of one or two patients: not a predictor here
imp <- mice(d, m = 5, seed = 20260502, printFlag = FALSE, predictorMatrix = pred)

derive <- function(x) {
  data.frame(x, pancreas = as.integer(x$primary_group == "pancreas"),
             hindgut = as.integer(x$primary_group == "hindgut"),
             ki67_lt10 = as.integer(x$ki67_percent < 10), krenning4 = as.integer(x$krenning_score == 4),
             liver_burden_lt50 = as.integer(x$liver_tumor_burden_percent < 50),
             liver_lesion_le30 = as.integer(x$largest_liver_lesion_mm <= 30),
             ssa = as.integer(as.character(x$ssa_concomitant) == "1"))
}
done <- lapply(seq_len(imp$m), function(i) derive(complete(imp, i)))
long <- do.call(rbind, lapply(seq_along(done), function(i) data.frame(.imp = i, done[[i]])))
wr(long, "mice_completed.csv")

fits <- list(
  glm = lapply(done, function(x) glm(response ~ pancreas + hindgut + krenning4 + liver_lesion_le30,
                                     family = binomial, data = x)),
  coxph = lapply(done, function(x) coxph(Surv(days, event) ~ ki67_lt10 + krenning4 + liver_burden_lt50 +
                                           liver_lesion_le30 + ssa, data = x)))
res <- list(); inputs <- list()
for (nm in names(fits)) {
  for (i in seq_along(fits[[nm]])) {
    f <- fits[[nm]][[i]]
    inputs[[paste(nm, i)]] <- data.frame(model = nm, imputation = i, term = names(coef(f)),
                                         estimate = unname(coef(f)), variance = unname(diag(vcov(f))))
  }
  pooled <- pool(as.mira(fits[[nm]]))
  s <- summary(pooled, conf.int = TRUE)
  p <- pooled$pooled
  res[[nm]] <- data.frame(model = nm, term = as.character(p$term), m = p$m, estimate = p$estimate,
                          ubar = p$ubar, b = p$b, t = p$t, dfcom = p$dfcom, df = p$df, riv = p$riv,
                          lambda = p$lambda, fmi = p$fmi, std.error = s$std.error,
                          statistic = s$statistic, p.value = s$p.value,
                          conf.low = s[["2.5 %"]], conf.high = s[["97.5 %"]])
}
wr(do.call(rbind, inputs), "r_pool_fits.csv")
wr(do.call(rbind, res), "r_pool.csv")

tests <- list()
for (v in c("ki67_percent", "krenning_score", "largest_liver_lesion_mm", "who_grade", "ssa_concomitant")) {
  miss <- is.na(d[[v]])
  ct <- suppressWarnings(chisq.test(table(miss, d$response)))
  lr <- survdiff(Surv(days, event) ~ miss, data = d)
  tests[[v]] <- data.frame(covariate = v, n_missing = sum(miss), chisq = unname(ct$statistic),
                           chisq_p = ct$p.value, logrank = lr$chisq,
                           logrank_p = pchisq(lr$chisq, 1, lower.tail = FALSE))
}
wr(do.call(rbind, tests), "r_missingness.csv")
