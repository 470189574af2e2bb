# Reference results for the linear mixed model (random intercept and slope per group,
# unstructured covariance, REML) with R nlme::lme, and nlme::intervals for the fixed effects.
# Usage: Rscript tests/validation/r/mixed_model.R OUTDIR
# Convergence tightened (lmeControl) so that 1e-4 agreement means something.
suppressPackageStartupMessages(library(nlme))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))

sets <- list()
sets$orthodont <- with(Orthodont, data.frame(y = distance, time = age, group = as.character(Subject),
                                             female = as.integer(Sex == "Female")))
set.seed(20261104)  # eGFR-like: irregular visits, baseline just before time 0, dropout
m <- 150
rows <- list()
for (i in seq_len(m)) {
  k <- sample(2:12, 1)
  t <- sort(c(-runif(1, 0, 0.08), runif(k - 1, 0.05, 4.5)))
  b0 <- rnorm(1, 0, 15); b1 <- rnorm(1, 0, 2)
  rows[[i]] <- data.frame(y = 82 + b0 + (-2.5 + b1) * t + rnorm(k, 0, 6), time = t,
                          group = sprintf("p%03d", i), female = rbinom(1, 1, 0.45))
}
sets$egfr <- do.call(rbind, rows)
for (nm in names(sets)) wr(sets[[nm]], paste0("lme_", nm, ".csv"))

ctrl <- lmeControl(opt = "optim", optimMethod = "BFGS", reltol = 1e-14, maxIter = 1000, msMaxIter = 1000,
                   niterEM = 100, tolerance = 1e-12, msTol = 1e-14)
fits <- list()
for (nm in names(sets)) {
  for (model in c("slope", "slope_female")) {
    f <- if (model == "slope") y ~ time else y ~ time + female
    fit <- lme(f, random = ~ time | group, data = sets[[nm]], method = "REML", control = ctrl)
    tt <- summary(fit)$tTable
    ci <- intervals(fit, which = "fixed")$fixed
    vc <- getVarCov(fit)
    fits[[length(fits) + 1]] <- data.frame(dataset = nm, model = model, term = rownames(tt),
      coef = tt[, "Value"], se = tt[, "Std.Error"], df = tt[, "DF"], p = tt[, "p-value"],
      lower = ci[, "lower"], upper = ci[, "upper"], sigma = fit$sigma, loglik = as.numeric(logLik(fit)),
      var_intercept = vc[1, 1], cov_intercept_slope = vc[1, 2], var_slope = vc[2, 2])
  }
}
wr(do.call(rbind, fits), "r_lme.csv")
