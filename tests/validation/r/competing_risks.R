# Reference results for competing risks: Aalen-Johansen cumulative incidence with R survival's
# multi-state survfit (infinitesimal-jackknife standard errors), Gray's test and the Fine-Gray
# model with cmprsk.
# Usage: Rscript tests/validation/r/competing_risks.R OUTDIR
# Writes the input data sets (simulated here with set.seed) and R's results as CSV, numbers
# printed with 15 significant digits. Status: 0 censored, 1 cause of interest, 2 competing.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))

# ---- data sets: time, status, group, strata, weight, x1..x5 ----------------------------------
sets <- list()
# ten patients small enough to follow by hand (tests/stats/test_cumulative_incidence.py)
sets$hand <- data.frame(time = c(1, 2, 2, 3, 4, 5, 5, 6, 7, 8), status = c(1, 0, 2, 1, 0, 1, 2, 0, 1, 0),
                        group = c("a", "b", "a", "b", "a", "b", "a", "b", "a", "b"), strata = 1, weight = 1)
set.seed(20261101)  # whole-day times with heavy ties, three groups, two strata
n <- 300
sets$ties <- data.frame(time = ceiling(rexp(n, 1 / 300) / 30) * 30, status = sample(0:2, n, TRUE, c(.35, .35, .3)),
                        group = sample(c("g1", "g2", "g3"), n, TRUE), strata = sample(1:2, n, TRUE),
                        weight = round(runif(n, 0.5, 2), 2))
set.seed(20261102)  # continuous times, censoring at time 0, a covariate effect on cause 1
n <- 300
x1 <- rnorm(n); x2 <- rbinom(n, 1, 0.4); x3 <- runif(n, 40, 85); x4 <- rpois(n, 1); x5 <- rnorm(n, 4, 1)
t1 <- rexp(n, 0.02 * exp(0.5 * x1 + 0.4 * x2)); t2 <- rexp(n, 0.015); cens <- runif(n, 0, 120)
time <- pmin(t1, t2, cens); status <- ifelse(cens <= pmin(t1, t2), 0, ifelse(t1 < t2, 1, 2))
time[1:5] <- 0; status[1:5] <- 0
sets$cont <- data.frame(time = round(time, 3), status = status, group = sample(c("pancreas", "midgut", "hindgut",
                        "foregut", "other"), n, TRUE), strata = 1, weight = 1,
                        x1 = x1, x2 = x2, x3 = x3, x4 = x4, x5 = x5)
# the ties set gets covariates for the Fine-Gray fits
set.seed(20261103)
m <- nrow(sets$ties)
sets$ties$x1 <- rnorm(m); sets$ties$x2 <- rbinom(m, 1, 0.5); sets$ties$x3 <- rpois(m, 2)
for (nm in names(sets)) wr(sets[[nm]], paste0("cr_", nm, ".csv"))

# ---- Aalen-Johansen: curves for each conf.type, landmark summaries -----------------------------
curves <- marks <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  for (wtd in c(FALSE, TRUE)) {
    if (wtd && nm != "ties") next
    label <- paste0(nm, if (wtd) "_weighted" else "")
    for (ct in c("log", "log-log", "plain")) {
      fit <- if (wtd) survfit(Surv(time, factor(status, 0:2)) ~ 1, data = d, weights = weight, conf.type = ct)
             else survfit(Surv(time, factor(status, 0:2)) ~ 1, data = d, conf.type = ct)
      if (ct == "log") curve <- do.call(rbind, lapply(1:3, function(k) data.frame(dataset = label,
        state = k - 1, time = fit$time, n_risk = fit$n.risk[, 1], pstate = fit$pstate[, k],
        std_err = fit$std.err[, k])))
      curve[[paste0("lower_", ct)]] <- as.vector(fit$lower)
      curve[[paste0("upper_", ct)]] <- as.vector(fit$upper)
      times <- sort(unique(c(0, 0.5, quantile(d$time, c(0.25, 0.5, 0.9), type = 1), max(d$time), max(d$time) + 1)))
      s <- summary(fit, times = times, extend = FALSE)
      for (k in 2:3) marks[[length(marks) + 1]] <- data.frame(dataset = label, conf_type = ct, state = k - 1,
        time = s$time, pstate = s$pstate[, k], std_err = s$std.err[, k], lower = s$lower[, k],
        upper = s$upper[, k], n_risk = s$n.risk[, 1])
    }
    curves[[length(curves) + 1]] <- curve
  }
}
wr(do.call(rbind, curves), "r_aj_curves.csv")
wr(do.call(rbind, marks), "r_aj_landmarks.csv")

# ---- Gray's test: each cause, plain / stratified / rho = 1 -------------------------------------
tests <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  for (variant in c("plain", "strata", "rho1")) {
    if (variant == "strata" && length(unique(d$strata)) < 2) next
    ci <- if (variant == "strata") cuminc(d$time, d$status, d$group, strata = d$strata)
          else cuminc(d$time, d$status, d$group, rho = if (variant == "rho1") 1 else 0)
    tt <- ci$Tests
    tests[[length(tests) + 1]] <- data.frame(dataset = nm, variant = variant, cause = as.integer(rownames(tt)),
                                             stat = tt[, "stat"], p = tt[, "pv"], df = tt[, "df"])
  }
}
wr(do.call(rbind, tests), "r_gray.csv")

# ---- Fine-Gray (crr), tight convergence so that 1e-6 agreement means something -----------------
fg <- list()
for (spec in list(list("cont", c("x1", "x2", "x3", "x4", "x5"), 1), list("cont", c("x1", "x2"), 2),
                  list("ties", c("x1", "x2", "x3"), 1))) {
  d <- sets[[spec[[1]]]]
  fit <- crr(d$time, d$status, as.matrix(d[, spec[[2]]]), failcode = spec[[3]], cencode = 0,
             gtol = 1e-9, maxiter = 100)
  se <- sqrt(diag(fit$var))
  fg[[length(fg) + 1]] <- data.frame(dataset = spec[[1]], cause = spec[[3]], term = names(fit$coef),
    coef = unname(fit$coef), se = se, p = 2 * (1 - pnorm(abs(fit$coef) / se)),
    loglik = fit$loglik, loglik_null = fit$loglik.null, converged = fit$converged)
}
wr(do.call(rbind, fg), "r_crr.csv")
