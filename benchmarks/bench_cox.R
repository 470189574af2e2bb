# Timing of R survival::coxph for benchmarks/bench_cox.py.
# Usage: Rscript benchmarks/bench_cox.R DATA.csv MODE [REPEATS]
#   MODE: plain (Efron, 8 covariates), cluster (+ cluster(site): robust variance),
#         strata (+ strata(site)), counting (Surv(entry, time, event): (start, stop] data).
#         coxph always computes the concordance (and, with a cluster, its robust variance):
#         both are part of the timed call.  coxph.fit / agreg.fit: R's bare fitters for
#         right-censored / (start, stop] data on a ready matrix (no model frame, no
#         concordance), timed for reference.
# Prints the minimum elapsed seconds over REPEATS runs (reading the CSV is not timed).
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
mode <- args[2]
repeats <- if (length(args) > 2) as.integer(args[3]) else 1L
f <- Surv(time, event) ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8
if (mode == "strata") f <- update(f, . ~ . + strata(site))
if (mode == "counting") f <- update(f, Surv(entry, time, event) ~ .)
X <- as.matrix(d[, paste0("x", 1:8)])
best <- Inf
for (i in seq_len(repeats)) {
  el <- system.time(
    fit <- if (mode == "cluster") coxph(f, data = d, ties = "efron", cluster = site)
           else if (mode == "coxph.fit")
             coxph.fit(X, Surv(d$time, d$event), strata = NULL, offset = NULL, init = NULL,
                       control = coxph.control(), weights = NULL, method = "efron", rownames = NULL)
           else if (mode == "agreg.fit")
             agreg.fit(X, Surv(d$entry, d$time, d$event), strata = NULL, offset = NULL, init = NULL,
                       control = coxph.control(), weights = NULL, method = "efron", rownames = NULL)
           else coxph(f, data = d, ties = "efron"))[["elapsed"]]
  best <- min(best, el)
}
cat(sprintf("%.6f\n", best))
