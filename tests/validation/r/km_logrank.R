# Reference results for Kaplan-Meier and the log-rank test (R survival).
# Usage: Rscript tests/validation/r/km_logrank.R OUTDIR
# Writes the input data sets (from R's survival package, plus synthetic sets made here
# with set.seed) and R's results as CSV, numbers printed with 15 significant digits.
suppressPackageStartupMessages(library(survival))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))

# ---- data sets: time, event (0/1), group, strata, weight --------------------------------
sets <- list()
sets$lung <- with(lung, data.frame(time = time, event = as.integer(status == 2),
                                   group = sex, strata = ifelse(is.na(ph.ecog), 9, ph.ecog), weight = 1))
sets$veteran <- with(veteran, data.frame(time = time, event = status, group = as.character(celltype),
                                         strata = trt, weight = 1))
dcol <- colon[colon$etype == 2, ]
sets$colon <- with(dcol, data.frame(time = time, event = status, group = as.character(rx),
                                    strata = sex, weight = 1))
sets$ovarian <- with(ovarian, data.frame(time = futime, event = fustat, group = rx,
                                         strata = resid.ds, weight = 1))
set.seed(20260425)  # heavy ties, integer (frequency) weights
n <- 300
sets$ties <- data.frame(time = sample(1:25, n, replace = TRUE), event = rbinom(n, 1, 0.6),
                        group = sample(c("a", "b", "c"), n, replace = TRUE),
                        strata = sample(1:2, n, replace = TRUE), weight = sample(1:4, n, replace = TRUE))
set.seed(7)  # non-integer weights (R: robust = FALSE gives the Greenwood variance)
n <- 120
sets$wtd <- data.frame(time = round(rexp(n, 1 / 10), 1), event = rbinom(n, 1, 0.7),
                       group = sample(1:2, n, replace = TRUE), strata = 1,
                       weight = round(runif(n, 0.2, 3), 3))
# small hand-checkable sets: a flat stretch at S = 0.5, a flat end at 0.5, a drop to 0
sets$flat <- data.frame(time = c(1, 2, 3, 4), event = 1, group = 1, strata = 1, weight = 1)
sets$flatend <- data.frame(time = c(1, 2, 3, 4), event = c(1, 1, 0, 0), group = 1, strata = 1, weight = 1)
for (nm in names(sets)) wr(sets[[nm]], paste0("surv_", nm, ".csv"))

# ---- Kaplan-Meier: curves, quantiles, landmarks for each conf.type ------------------------
weighted <- c("ties", "wtd")
probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
curves <- quants <- marks <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  landmarks <- sort(unique(c(0, 0.5, quantile(d$time, c(0.2, 0.5, 0.8), type = 1), max(d$time),
                             max(d$time) + 1, 365.25, 730.5)))
  for (ct in c("plain", "log", "log-log")) {
    fit <- if (nm %in% weighted)
      survfit(Surv(time, event) ~ 1, data = d, weights = weight, conf.type = ct, robust = FALSE)
    else survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
    if (nm != "colon") {  # colon's 900 rows of curve would bloat the fixture; its quantiles stay
      if (ct == "plain") curve <- data.frame(dataset = nm, time = fit$time, n_risk = fit$n.risk,
        n_event = fit$n.event, n_censor = fit$n.censor, surv = fit$surv, std_err_log = fit$std.err)
      curve[[paste0("lower_", ct)]] <- fit$lower
      curve[[paste0("upper_", ct)]] <- fit$upper
      if (ct == "log-log") curves[[length(curves) + 1]] <- curve
    }
    q <- quantile(fit, probs = probs)
    quants[[length(quants) + 1]] <- data.frame(dataset = nm, conf_type = ct, p = probs,
      quantile = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
    s <- summary(fit, times = landmarks, extend = FALSE)
    marks[[length(marks) + 1]] <- data.frame(dataset = nm, conf_type = ct, time = s$time,
      surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper, n_risk = s$n.risk)
  }
}
wr(do.call(rbind, curves), "r_km_curves.csv")
wr(do.call(rbind, quants), "r_km_quantiles.csv")
wr(do.call(rbind, marks), "r_km_landmarks.csv")

# ---- reverse Kaplan-Meier (median follow-up) ------------------------------------------------
rev <- list()
for (nm in c("lung", "veteran", "colon", "ovarian")) {
  d <- sets[[nm]]
  q <- quantile(survfit(Surv(time, 1 - event) ~ 1, data = d, conf.type = "log-log"), probs = 0.5)
  rev[[nm]] <- data.frame(dataset = nm, median = unname(q$quantile), lower = unname(q$lower),
                          upper = unname(q$upper))
}
wr(do.call(rbind, rev), "r_reverse_km.csv")

# ---- log-rank (survdiff, rho = 0), plain and stratified -------------------------------------
tests <- list()
for (nm in c("lung", "veteran", "colon", "ovarian", "ties")) {
  d <- sets[[nm]]
  for (strat in c(FALSE, TRUE)) {
    sd <- if (strat) survdiff(Surv(time, event) ~ group + strata(strata), data = d)
          else survdiff(Surv(time, event) ~ group, data = d)
    obs <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
    ex <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
    df <- sum(ex > 0) - 1
    tests[[length(tests) + 1]] <- data.frame(
      dataset = nm, stratified = strat, group = sub("^group=", "", names(sd$n)),
      n = as.vector(sd$n), observed = obs, expected = ex, var_diag = diag(sd$var),
      chisq = sd$chisq, df = df, p = pchisq(sd$chisq, df, lower.tail = FALSE))
  }
}
wr(do.call(rbind, tests), "r_logrank.csv")
