# Reference results for the wave-2 survival additions (R survival): times equal up to
# rounding (aeqSurv, timefix), (start, stop] data, Fleming-Harrington / Nelson-Aalen,
# zero case weights, G-rho log-rank tests and degenerate input.
# Usage: Rscript tests/validation/r/km_logrank_extras.R OUTDIR
# Also uses survival::heart (exported by cox_reference.R).
# Input data sets are written with 17 significant digits (near-tied times must survive the
# round trip); results with 15 (fixture_io.R).
suppressPackageStartupMessages(library(survival))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))
wr17 <- function(df, name) {
  df[] <- lapply(df, function(x) if (is.numeric(x)) sprintf("%.17g", x) else x)
  write.csv(df, file.path(out, name), row.names = FALSE, quote = FALSE)
}

# ---- inputs ----------------------------------------------------------------------------
# near ties: months computed as differences of day counts from different origins, the way a
# registry derives them (e.g. (d2 - d0) / 30.4375 versus (d2 - d1) / 30.4375 + (d1 - d0) / 30.4375)
set.seed(20261201)
n <- 240
days <- sample(1:400, n, replace = TRUE)
origin <- sample(c(0, 17, 12345, 99991), n, replace = TRUE)
neartie <- data.frame(time = ((days + origin) / 30.4375 - origin / 30.4375), event = rbinom(n, 1, 0.7),
                      group = sample(c("a", "b", "c"), n, replace = TRUE),
                      strata = sample(1:2, n, replace = TRUE), weight = 1)
neartie$time[1:6] <- c(2, sqrt(2)^2, 0.3, 0.1 * 3, 1 - 0.9, 0.1)
stopifnot(length(unique(neartie$time)) > length(unique(aeqSurv(Surv(neartie$time, neartie$event))[, 1])))
# delayed entry (left truncation): enrolment 0-12 months after the first cycle
set.seed(20261202)
n <- 300
entry <- round(runif(n, 0, 12), 2)
t_event <- entry + rexp(n, 1 / 20)
t_cens <- entry + runif(n, 1, 40)
delayed <- data.frame(entry = entry, time = round(pmin(t_event, t_cens), 2), event = as.integer(t_event <= t_cens),
                      group = sample(c("x", "y"), n, replace = TRUE), weight = round(runif(n, 0.3, 2.5), 3))
delayed$time <- pmax(delayed$time, delayed$entry + 0.01)
# zero case weights, among ties
set.seed(20261203)
n <- 150
zerow <- data.frame(time = sample(1:30, n, replace = TRUE), event = rbinom(n, 1, 0.6),
                    group = sample(1:2, n, replace = TRUE), strata = 1,
                    weight = sample(c(0, 0, 1, 2, 3), n, replace = TRUE))
zerow$weight[1:3] <- 0
zerow$time[1:3] <- c(31, 32, 0.5)   # times held only by zero-weight rows
heart_d <- survival::heart  # its CSV copy, data_heart.csv, is written by cox_reference.R
wr17(neartie, "surv_neartie.csv")
wr17(delayed, "surv_delayed.csv")
wr17(zerow, "surv_zerow.csv")

# ---- curves ----------------------------------------------------------------------------
curve_rows <- list(); quant_rows <- list()
probs <- c(0.25, 0.5, 0.75)
add_curve <- function(label, fit) {
  ci <- list()
  for (ct in c("log", "log-log")) {
    f2 <- update(fit, conf.type = ct)
    ci[[ct]] <- f2
  }
  curve_rows[[length(curve_rows) + 1]] <<- data.frame(
    case = label, time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
    surv = fit$surv, std_err = fit$std.err, cumhaz = fit$cumhaz, std_chaz = fit$std.chaz,
    lower_log = ci[["log"]]$lower, upper_log = ci[["log"]]$upper,
    lower_loglog = ci[["log-log"]]$lower, upper_loglog = ci[["log-log"]]$upper)
  q <- quantile(ci[["log-log"]], probs = probs)
  quant_rows[[length(quant_rows) + 1]] <<- data.frame(case = label, p = probs, quantile = unname(q$quantile),
                                                      lower = unname(q$lower), upper = unname(q$upper))
}
for (tf in c(TRUE, FALSE)) {
  tag <- if (tf) "" else "_notimefix"
  add_curve(paste0("neartie_km", tag), survfit(Surv(time, event) ~ 1, data = neartie, timefix = tf))
  add_curve(paste0("neartie_fh", tag), survfit(Surv(time, event) ~ 1, data = neartie, timefix = tf,
                                               stype = 2, ctype = 1))
}
add_curve("delayed_km", survfit(Surv(entry, time, event) ~ 1, data = delayed))
add_curve("delayed_fh", survfit(Surv(entry, time, event) ~ 1, data = delayed, stype = 2, ctype = 1))
add_curve("delayed_km_weighted", survfit(Surv(entry, time, event) ~ 1, data = delayed, weights = weight,
                                         robust = FALSE))
add_curve("heart_km", survfit(Surv(start, stop, event) ~ 1, data = heart_d))
add_curve("zerow_km", survfit(Surv(time, event) ~ 1, data = zerow, weights = weight))
add_curve("zerow_fh", survfit(Surv(time, event) ~ 1, data = zerow, weights = weight, stype = 2, ctype = 1))
add_curve("zerow_km_dropped", survfit(Surv(time, event) ~ 1, data = zerow[zerow$weight > 0, ],
                                      weights = weight))
add_curve("lung_fh", survfit(Surv(time, status) ~ 1, data = survival::lung, stype = 2, ctype = 1))
wr(do.call(rbind, curve_rows), "r_km_extras.csv")
wr(do.call(rbind, quant_rows), "r_km_extras_quantiles.csv")

# ---- G-rho log-rank --------------------------------------------------------------------
lung2 <- with(survival::lung, data.frame(time = time, event = as.integer(status == 2), group = sex,
                                          strata = ifelse(is.na(ph.ecog), 9, ph.ecog)))
vet <- with(survival::veteran, data.frame(time = time, event = status, group = as.character(celltype),
                                          strata = trt))
survdiff_raw <- function(d, rho, strat) {
  groups <- factor(d$group)
  fit <- survival:::survdiff.fit(Surv(d$time, d$event), groups, if (strat) d$strata else rep(1, nrow(d)), rho)
  otmp <- if (is.matrix(fit$observed)) rowSums(fit$observed) else fit$observed
  etmp <- if (is.matrix(fit$expected)) rowSums(fit$expected) else fit$expected
  keep <- etmp > 0
  dd <- ((otmp - etmp)[keep])[-1]
  vv <- (fit$var[keep, keep])[-1, -1, drop = FALSE]
  chi <- sum(solve(vv, dd) * dd)
  n <- table(groups); names(n) <- paste0("group=", names(n))
  list(n = n, obs = fit$observed, exp = fit$expected, var = fit$var, chisq = chi,
       pvalue = pchisq(chi, sum(keep) - 1, lower.tail = FALSE))
}
sets <- list(lung = lung2, veteran = vet, neartie = neartie, zerow = zerow)
tests <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  for (rho in c(0, 0.5, 1, 2)) for (strat in c(FALSE, TRUE)) for (tf in c(TRUE, FALSE)) {
    if (!tf && nm != "neartie") next
    f <- if (strat) Surv(time, event) ~ group + strata(strata) else Surv(time, event) ~ group
    # survival 3.5-3's survdiff(timefix = ) fails in model.frame, so timefix = FALSE calls the
    # same fitting routine survdiff uses, without aeqSurv, and forms the test as survdiff does
    sd <- if (tf) survdiff(f, data = d, rho = rho) else survdiff_raw(d, rho, strat)
    obs <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
    ex <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
    df <- sum(ex > 0) - 1
    tests[[length(tests) + 1]] <- data.frame(
      dataset = nm, rho = rho, stratified = strat, timefix = tf, group = sub("^group=", "", names(sd$n)),
      n = as.vector(sd$n), observed = obs, expected = ex, var_diag = diag(sd$var),
      chisq = sd$chisq, df = df, p = sd$pvalue)
  }
}
wr(do.call(rbind, tests), "r_logrank_extras.csv")

# ---- degenerate input: R's answers ------------------------------------------------------
deg <- list()
put <- function(case, quantity, value) deg[[length(deg) + 1]] <<- data.frame(case = case, quantity = quantity,
                                                                             value = as.numeric(value))
f <- survfit(Surv(c(1, 2, 3), c(0, 0, 0)) ~ 1)
put("km_no_events", "surv_last", tail(f$surv, 1)); put("km_no_events", "std_err_last", tail(f$std.err, 1))
put("km_no_events", "lower_last", tail(f$lower, 1)); put("km_no_events", "upper_last", tail(f$upper, 1))
f <- survfit(Surv(5, 1) ~ 1)
put("km_one_event", "surv", f$surv); put("km_one_event", "std_err", f$std.err)
put("km_one_event", "lower", f$lower); put("km_one_event", "median", quantile(f, 0.5)$quantile)
f <- survfit(Surv(5, 0) ~ 1)
put("km_one_censored", "surv", f$surv); put("km_one_censored", "std_err", f$std.err)
sd <- suppressWarnings(survdiff(Surv(c(1, 2, 3, 4), c(0, 0, 0, 0)) ~ c(1, 1, 2, 2)))
put("logrank_no_events", "chisq", sd$chisq); put("logrank_no_events", "p", sd$pvalue)
sd <- survdiff(Surv(c(1, 2, 3, 4, 5, 6), c(1, 0, 1, 0, 0, 0)) ~ c(1, 2, 1, 2, 1, 2) +
                 strata(c(1, 1, 1, 2, 2, 2)))
put("logrank_censored_stratum", "chisq", sd$chisq); put("logrank_censored_stratum", "p", sd$pvalue)
cc <- concordance(Surv(c(1, 2, 3), c(0, 0, 0)) ~ c(0.5, 0.1, 0.9))
put("concordance_no_events", "concordance", cc$concordance); put("concordance_no_events", "var", cc$var)
put("concordance_no_events", "concordant", cc$count[["concordant"]])
d <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8), event = c(1, 0, 1, 1, 0, 0, 0, 0),
                x = c(0.5, 1.2, -0.3, 0.8, 0.1, 2.0, -1.0, 0.4), s = c(1, 1, 1, 1, 2, 2, 2, 2))
fit <- coxph(Surv(time, event) ~ x + strata(s), data = d)
put("cox_censored_stratum", "coef", coef(fit)); put("cox_censored_stratum", "se", sqrt(vcov(fit)))
put("cox_censored_stratum", "loglik", fit$loglik[2])
wr(do.call(rbind, deg), "r_degenerate.csv")
cat("survival", as.character(packageVersion("survival")), "- km/logrank extras written to", out, "\n")
