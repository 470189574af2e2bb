# Reference values for prrt_rwe.stats.cox_ph, computed by R survival::coxph.
#
# Usage: Rscript tests/validation/r/cox_reference.R [OUTDIR]
#   OUTDIR defaults to tests/validation/fixtures.  Writes
#   data_<name>.csv          R's data sets lung, veteran, colon, ovarian (write.csv as is)
#   cox_synth.csv            synthetic data (set.seed): heavy ties, weights, strata, clusters
#   cox_cases.csv            one row per model: data file, columns, ties, strata, cluster, weights, robust
#   cox_coef.csv             per case and term: coef, se, robust_se, z, p, hr, lower, upper
#   cox_fit.csv              per case: loglik, tests, concordance, n, events, iterations
#   cox_zph.csv              cox.zph tables (transforms km, identity, rank, log, and the user
#                            function sqrt); none for tt() fits, which cox.zph refuses
#   cox_baseline.csv         survfit(fit): time, n.risk, n.event, n.censor, cumhaz, surv
# Every model is fitted on the CSV as read back, so Python sees exactly the same numbers.
# Numbers are written with 17 significant digits.
suppressPackageStartupMessages(library(survival))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_num <- function(df, file) {
  for (j in seq_along(df)) if (is.numeric(df[[j]])) df[[j]] <- num(df[[j]])
  write.csv(df, file.path(out, file), row.names = FALSE, quote = TRUE)
}

# ---- data sets -------------------------------------------------------------
export <- function(df, name) {
  file <- file.path(out, paste0("data_", name, ".csv"))
  write.csv(df, file, row.names = FALSE)
  read.csv(file, stringsAsFactors = FALSE)
}
lung_d    <- export(survival::lung, "lung")
veteran_d <- export(survival::veteran, "veteran")
colon_d   <- export(survival::colon, "colon")
ovarian_d <- export(survival::ovarian, "ovarian")

set.seed(20261125)
n <- 3000
synth <- data.frame(
  site = sample(sprintf("S%02d", 1:33), n, replace = TRUE),
  stratum = sample(c("A", "B", "C", "D"), n, replace = TRUE),
  x1 = rnorm(n), x2 = rbinom(n, 1, 0.4), x3 = round(runif(n, 0, 10), 2),
  x4 = round(rnorm(n, 60, 10)), x5 = rbinom(n, 1, 0.2), x6 = round(rnorm(n), 1),
  x7 = rpois(n, 3), x8 = round(rexp(n), 3),
  w = round(runif(n, 0.5, 2), 3), fw = sample(1:3, n, replace = TRUE))
lp <- with(synth, 0.5 * x1 - 0.4 * x2 + 0.05 * x3 + 0.02 * (x4 - 60) + 0.3 * x5 +
             0.1 * x6 - 0.05 * x7 + 0.2 * x8 + 0.3 * (stratum == "B") + 0.2 * match(site, sort(unique(site))) / 33)
t_event <- rexp(n, rate = 0.05 * exp(lp))
t_cens <- runif(n, 0, 40)
synth$time <- ceiling(pmin(t_event, t_cens))  # integer days 1..40: heavy ties
synth$status <- as.integer(t_event <= t_cens)
write_num(synth, "cox_synth.csv")
synth_d <- read.csv(file.path(out, "cox_synth.csv"), stringsAsFactors = FALSE)
heart_d   <- export(survival::heart, "heart")
cgd_d     <- export(survival::cgd[, c("id", "treat", "sex", "age", "inherit", "steroids", "hos.cat",
                                      "tstart", "tstop", "status")], "cgd")

# (start, stop] data with delayed entry and non-integer weights, and near-tied times
set.seed(20261204)
n <- 800
entry <- round(runif(n, 0, 12), 2)
x1 <- rnorm(n); x2 <- rbinom(n, 1, 0.5); x3 <- round(runif(n, 40, 80))
t_ev <- entry + rexp(n, 0.04 * exp(0.4 * x1 - 0.5 * x2 + 0.01 * (x3 - 60)))
t_ce <- entry + runif(n, 2, 50)
delayed <- data.frame(entry = entry, time = round(pmax(pmin(t_ev, t_ce), entry + 0.01), 2),
                      status = as.integer(t_ev <= t_ce), x1 = x1, x2 = x2, x3 = x3,
                      w = round(runif(n, 0.4, 2.2), 3), site = sample(sprintf("S%02d", 1:12), n, replace = TRUE))
days <- sample(1:700, n, replace = TRUE)
origin <- sample(c(0, 17, 12345, 99991), n, replace = TRUE)
neartie <- data.frame(time = (days + origin) / 30.4375 - origin / 30.4375, status = rbinom(n, 1, 0.7),
                      x1 = rnorm(n), x2 = rbinom(n, 1, 0.4))
# discrete times (whole months, heavy ties) for the exact partial likelihood; R's coxexact
# overflows on the 3000-row synth set (the elementary symmetric sums exceed double range)
n <- 400
z1 <- rnorm(n); z2 <- rbinom(n, 1, 0.5); z3 <- round(runif(n, 0, 5), 1)
t_ev <- rexp(n, 0.08 * exp(0.5 * z1 - 0.4 * z2 + 0.1 * z3))
discrete <- data.frame(time = pmin(ceiling(t_ev), 24), status = as.integer(t_ev <= 24), z1 = z1, z2 = z2, z3 = z3,
                       grp = sample(c("a", "b"), n, replace = TRUE))
write_num(discrete, "cox_discrete.csv")
write_num(delayed, "cox_delayed.csv")
write_num(neartie, "cox_neartie.csv")
delayed_d <- read.csv(file.path(out, "cox_delayed.csv"), stringsAsFactors = FALSE)
neartie_d <- read.csv(file.path(out, "cox_neartie.csv"), stringsAsFactors = FALSE)
discrete_d <- read.csv(file.path(out, "cox_discrete.csv"), stringsAsFactors = FALSE)
# time transforms by name (tests/stats/test_cox_r.py has the same functions)
tt_funs <- list(log20 = function(x, t, ...) x * log(t + 20), years = function(x, t, ...) x * t / 365.25)

# ---- cases -----------------------------------------------------------------
# covariates: "name" or "name=lev1|lev2|..." for a factor (first level = reference)
xs <- paste0("x", 1:8)
cases <- list(
  list(case = "lung_efron", data = "lung", time = "time", status = "status", event_value = 2,
       x = c("age", "sex", "ph.ecog", "wt.loss"), ties = "efron"),
  list(case = "lung_breslow", data = "lung", time = "time", status = "status", event_value = 2,
       x = c("age", "sex", "ph.ecog", "wt.loss"), ties = "breslow"),
  list(case = "veteran_efron", data = "veteran", time = "time", status = "status",
       x = c("trt", "karno", "diagtime", "age", "prior", "celltype=squamous|smallcell|adeno|large"),
       ties = "efron"),
  list(case = "veteran_strata", data = "veteran", time = "time", status = "status",
       x = c("trt", "karno", "age"), strata = "celltype", ties = "efron"),
  list(case = "colon_cluster", data = "colon", time = "time", status = "status",
       x = c("rx=Obs|Lev|Lev+5FU", "sex", "age", "obstruct", "nodes"), strata = "etype",
       cluster = "id", ties = "efron"),
  list(case = "colon_breslow_cluster", data = "colon", time = "time", status = "status",
       x = c("rx=Obs|Lev|Lev+5FU", "sex", "age", "nodes"), cluster = "id", ties = "breslow"),
  list(case = "lung_robust", data = "lung", time = "time", status = "status", event_value = 2,
       x = c("age", "sex", "ph.ecog"), robust = TRUE, ties = "efron"),
  list(case = "ovarian_efron", data = "ovarian", time = "futime", status = "fustat",
       x = c("age", "resid.ds", "rx", "ecog.ps"), ties = "efron"),
  list(case = "synth_efron", data = "synth", time = "time", status = "status", x = xs, ties = "efron"),
  list(case = "synth_breslow", data = "synth", time = "time", status = "status", x = xs, ties = "breslow"),
  list(case = "synth_weights", data = "synth", time = "time", status = "status", x = xs,
       weights = "w", ties = "efron"),
  list(case = "synth_freqweights_breslow", data = "synth", time = "time", status = "status", x = xs,
       weights = "fw", ties = "breslow"),
  list(case = "synth_strata", data = "synth", time = "time", status = "status", x = xs,
       strata = "stratum", ties = "efron"),
  list(case = "synth_cluster", data = "synth", time = "time", status = "status", x = xs,
       cluster = "site", ties = "efron"),
  list(case = "synth_site_strata", data = "synth", time = "time", status = "status", x = xs,
       strata = "site", ties = "efron"),
  list(case = "synth_all", data = "synth", time = "time", status = "status", x = xs,
       strata = "stratum", cluster = "site", weights = "w", ties = "efron"),
  # (start, stop] data
  list(case = "heart_efron", data = "heart", entry = "start", time = "stop", status = "event",
       x = c("age", "year", "surgery", "transplant"), ties = "efron"),
  list(case = "heart_breslow_cluster", data = "heart", entry = "start", time = "stop", status = "event",
       x = c("age", "year", "surgery", "transplant"), cluster = "id", ties = "breslow"),
  list(case = "cgd_cluster_strata", data = "cgd", entry = "tstart", time = "tstop", status = "status",
       x = c("treat=placebo|rIFN-g", "sex=male|female", "age", "inherit=X-linked|autosomal", "steroids"),
       strata = "hos.cat", cluster = "id", ties = "efron"),
  list(case = "delayed_weights", data = "delayed", entry = "entry", time = "time", status = "status",
       x = c("x1", "x2", "x3"), weights = "w", ties = "efron"),
  list(case = "delayed_strata_cluster", data = "delayed", entry = "entry", time = "time", status = "status",
       x = c("x1", "x2", "x3"), strata = "site", cluster = "site", ties = "breslow"),
  # times equal up to rounding, with R's time fix and without it
  list(case = "neartie_timefix", data = "neartie", time = "time", status = "status", x = c("x1", "x2"),
       ties = "efron"),
  list(case = "neartie_no_timefix", data = "neartie", time = "time", status = "status", x = c("x1", "x2"),
       ties = "efron", timefix = FALSE),
  # exact partial likelihood (discrete times)
  list(case = "discrete_exact", data = "discrete", time = "time", status = "status", x = c("z1", "z2", "z3"),
       ties = "exact"),
  list(case = "discrete_exact_strata", data = "discrete", time = "time", status = "status", x = c("z1", "z3"),
       strata = "grp", ties = "exact"),
  list(case = "veteran_exact_strata", data = "veteran", time = "time", status = "status",
       x = c("trt", "karno", "age"), strata = "celltype", ties = "exact"),
  list(case = "ovarian_exact", data = "ovarian", time = "futime", status = "fustat",
       x = c("age", "resid.ds", "rx", "ecog.ps"), ties = "exact"),
  # time-transformed covariates: x + tt(x)
  list(case = "veteran_tt", data = "veteran", time = "time", status = "status",
       x = c("trt", "prior", "karno"), tt = "karno", tt_fun = "log20", ties = "efron"),
  list(case = "lung_tt_strata_breslow", data = "lung", time = "time", status = "status", event_value = 2,
       x = c("age", "ph.ecog"), tt = "age", tt_fun = "years", strata = "sex", ties = "breslow"),
  list(case = "heart_tt", data = "heart", entry = "start", time = "stop", status = "event",
       x = c("age", "surgery", "transplant"), tt = "age", tt_fun = "years", ties = "efron"))
datasets <- list(lung = lung_d, veteran = veteran_d, colon = colon_d, ovarian = ovarian_d,
                 synth = synth_d, heart = heart_d, cgd = cgd_d, delayed = delayed_d, neartie = neartie_d,
                 discrete = discrete_d)
data_file <- function(name) if (name %in% c("synth", "delayed", "neartie", "discrete")) paste0("cox_", name, ".csv") else
  paste0("data_", name, ".csv")
opt <- function(cs, key) if (is.null(cs[[key]])) "" else cs[[key]]

model_frame <- function(cs) {
  d <- datasets[[cs$data]]
  spec <- strsplit(cs$x, "=", fixed = TRUE)
  vars <- vapply(spec, `[`, "", 1)
  needed <- c(cs$entry, cs$time, cs$status, vars, unlist(cs[c("strata", "cluster", "weights")]))
  d <- d[complete.cases(d[, needed]), needed]
  for (s in spec) if (length(s) == 2) d[[s[1]]] <- factor(d[[s[1]]], levels = strsplit(s[2], "|", fixed = TRUE)[[1]])
  d$.event <- as.numeric(d[[cs$status]] == (if (is.null(cs$event_value)) 1 else cs$event_value))
  d
}

fit_case <- function(cs) {
  d <- model_frame(cs)
  vars <- vapply(strsplit(cs$x, "=", fixed = TRUE), `[`, "", 1)
  rhs <- paste(sprintf("`%s`", vars), collapse = " + ")
  if (!is.null(cs$tt)) rhs <- paste0(rhs, " + tt(", cs$tt, ")")
  if (!is.null(cs$strata)) rhs <- paste0(rhs, " + strata(", cs$strata, ")")
  y <- if (is.null(cs$entry)) paste0("Surv(", cs$time, ", .event)") else
    paste0("Surv(", cs$entry, ", ", cs$time, ", .event)")
  f <- as.formula(paste0(y, " ~ ", rhs))
  args <- list(formula = f, data = d, ties = cs$ties)
  if (!is.null(cs$tt)) args$tt <- tt_funs[[cs$tt_fun]]
  if (!is.null(cs$timefix)) args$control <- coxph.control(timefix = cs$timefix)
  if (!is.null(cs$cluster)) args$cluster <- d[[cs$cluster]]
  if (!is.null(cs$robust)) args$robust <- cs$robust
  if (!is.null(cs$weights)) args$weights <- as.numeric(d[[cs$weights]])  # cox.zph fails on integer weights
  do.call(coxph, args)
}

coef_rows <- list(); fit_rows <- list(); zph_rows <- list(); base_rows <- list(); case_rows <- list()
for (cs in cases) {
  fit <- fit_case(cs)
  s <- summary(fit)
  cm <- s$coefficients
  robust <- "robust se" %in% colnames(cm)
  coef_rows[[cs$case]] <- data.frame(
    case = cs$case, term = rownames(cm), coef = cm[, "coef"], se = cm[, "se(coef)"],
    robust_se = if (robust) cm[, "robust se"] else NA, z = cm[, "z"], p = cm[, "Pr(>|z|)"],
    hr = s$conf.int[, "exp(coef)"], lower = s$conf.int[, "lower .95"],
    upper = s$conf.int[, "upper .95"])
  cc <- fit$concordance
  k <- sum(!is.na(coef(fit)))
  chisq_p <- function(x) pchisq(x, k, lower.tail = FALSE)
  lr <- 2 * (fit$loglik[2] - fit$loglik[1])
  rscore <- if (robust) fit$rscore else NA
  # from the fit object: summary.coxph rounds the Wald statistic to 2 decimals
  vals <- c(loglik_null = fit$loglik[1], loglik = fit$loglik[2],
            wald = fit$wald.test, wald_df = k, wald_p = chisq_p(fit$wald.test),
            lr = lr, lr_df = k, lr_p = chisq_p(lr),
            score = fit$score, score_df = k, score_p = chisq_p(fit$score),
            robust_score = rscore, robust_score_p = chisq_p(rscore),
            concordance = cc[["concordance"]], concordance_std = cc[["std"]],
            concordant = cc[["concordant"]], discordant = cc[["discordant"]],
            tied_x = cc[["tied.x"]], tied_y = cc[["tied.y"]], tied_xy = cc[["tied.xy"]],
            n = fit$n, n_events = fit$nevent, iterations = fit$iter, robust = as.numeric(robust))
  fit_rows[[cs$case]] <- data.frame(case = cs$case, quantity = names(vals), value = unname(vals))
  if (is.null(cs$tt)) {  # cox.zph and survfit refuse tt() fits
    for (tr in c("km", "identity", "rank", "log", "sqrt")) {
      z <- if (tr == "sqrt") cox.zph(fit, transform = sqrt)$table else cox.zph(fit, transform = tr)$table
      zph_rows[[paste(cs$case, tr)]] <- data.frame(case = cs$case, transform = tr, term = rownames(z),
                                                   chisq = z[, "chisq"], df = z[, "df"], p = z[, "p"])
    }
    sf <- survfit(fit)
    strata <- if (is.null(sf$strata)) rep("", length(sf$time)) else rep(sub("^[^=]*=", "", names(sf$strata)), sf$strata)
    base_rows[[cs$case]] <- data.frame(case = cs$case, strata = strata, time = sf$time,
                                       n_risk = sf$n.risk, n_event = sf$n.event, n_censor = sf$n.censor,
                                       cumhaz = sf$cumhaz, surv = sf$surv)
  }
  case_rows[[cs$case]] <- data.frame(
    case = cs$case, data = data_file(cs$data), time = cs$time, status = cs$status,
    event_value = if (is.null(cs$event_value)) 1 else cs$event_value,
    covariates = paste(cs$x, collapse = ";"), ties = cs$ties, strata = opt(cs, "strata"),
    cluster = opt(cs, "cluster"), weights = opt(cs, "weights"),
    robust = if (is.null(cs$robust)) "" else "TRUE", entry = opt(cs, "entry"),
    tt = if (is.null(cs$tt)) "" else paste0(cs$tt, "=", cs$tt_fun),
    timefix = if (is.null(cs$timefix)) "TRUE" else as.character(cs$timefix))
}
write_num(do.call(rbind, case_rows), "cox_cases.csv")
write_num(do.call(rbind, coef_rows), "cox_coef.csv")
write_num(do.call(rbind, fit_rows), "cox_fit.csv")
write_num(do.call(rbind, zph_rows), "cox_zph.csv")
write_num(do.call(rbind, base_rows), "cox_baseline.csv")
cat("survival", as.character(packageVersion("survival")), "- wrote", length(cases), "cases to", out, "\n")
