# Reference MAIC weights (Signorovitch et al. 2010; NICE DSU TSD 18 appendix D): the method-of-
# moments objective Q(a) = sum(exp(Z a)), Z = X - targets, minimised by optim (BFGS, analytic
# gradient) and then polished by Newton steps (gradient t(Z) w, Hessian t(Z) diag(w) Z) until
# max |weighted mean - target| < 1e-15, so the weights are exact to double precision.
# Writes per case the data (maic_<case>.csv), the targets (maic_targets.csv), the weights
# w_i = exp(z_i'a) (r_maic_weights.csv) and ESS, weighted ORR and the case-weighted
# Kaplan-Meier PFS at the landmark (survfit(weights = w); r_maic_summary.csv).
# Usage: Rscript tests/validation/r/maic.R OUTDIR
suppressPackageStartupMessages(library(survival))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))

maic_weights <- function(X, targets) {
  Z <- sweep(as.matrix(X), 2, targets)
  Q <- function(a) sum(exp(Z %*% a))
  grad <- function(a) as.vector(t(Z) %*% exp(Z %*% a))
  a <- optim(rep(0, ncol(Z)), Q, grad, method = "BFGS", control = list(reltol = 1e-16, maxit = 10000))$par
  for (i in 1:100) {
    w <- as.vector(exp(Z %*% a))
    g <- as.vector(t(Z) %*% w)
    if (max(abs(g)) / sum(w) < 1e-15) break
    a <- a - solve(t(Z) %*% (w * Z), g)
  }
  as.vector(exp(Z %*% a))
}

simulate <- function(n, seed) {
  set.seed(seed)
  age <- round(rnorm(n, 62, 10))
  male <- rbinom(n, 1, 0.6)
  ki67_lt10 <- rbinom(n, 1, 0.5)
  grade <- sample(c("G1", "G2", "G3"), n, replace = TRUE, prob = c(0.2, 0.6, 0.2))
  response <- rbinom(n, 1, plogis(-1 + 0.8 * ki67_lt10 + 0.02 * (age - 62)))
  t_event <- rexp(n, 1 / (18 * exp(0.5 * ki67_lt10)))
  t_cens <- runif(n, 6, 48)
  data.frame(id = seq_len(n), age = age, male = male, ki67_lt10 = ki67_lt10,
             grade_G1 = as.integer(grade == "G1"), grade_G2 = as.integer(grade == "G2"),
             grade_G3 = as.integer(grade == "G3"), response = response,
             pfs_months = round(pmin(t_event, t_cens), 2), pfs_event = as.integer(t_event <= t_cens))
}

cases <- list(
  cohort = list(data = simulate(80, 20260501), landmark = 20,
                targets = c(age = 63.5, male = 0.47, ki67_lt10 = 0.62)),
  small = list(data = simulate(15, 20260502), landmark = 12,
               targets = c(age = 64, male = 0.5)),
  grade = list(data = simulate(120, 20260503), landmark = 20,   # two of three levels: the third follows
               targets = c(age = 60, grade_G1 = 0.3, grade_G2 = 0.55)))

weights_all <- summary_all <- targets_all <- list()
for (nm in names(cases)) {
  d <- cases[[nm]]$data
  tg <- cases[[nm]]$targets
  w <- maic_weights(d[, names(tg), drop = FALSE], tg)
  fit <- survfit(Surv(pfs_months, pfs_event) ~ 1, data = d, weights = w)
  at <- summary(fit, times = cases[[nm]]$landmark, extend = FALSE)$surv
  wm <- colSums(w * d[, names(tg), drop = FALSE]) / sum(w)
  wr(d, paste0("maic_", nm, ".csv"))
  weights_all[[nm]] <- data.frame(case = nm, id = d$id, weight = w)
  targets_all[[nm]] <- data.frame(case = nm, variable = names(tg), target = unname(tg))
  summary_all[[nm]] <- data.frame(case = nm, n = nrow(d), ess = sum(w)^2 / sum(w^2),
                                  weighted_orr = sum(w * d$response) / sum(w),
                                  landmark_months = cases[[nm]]$landmark, weighted_pfs_rate = at,
                                  max_abs_diff = max(abs(wm - tg)))
}
wr(do.call(rbind, targets_all), "maic_targets.csv")
wr(do.call(rbind, weights_all), "r_maic_weights.csv")
wr(do.call(rbind, summary_all), "r_maic_summary.csv")
