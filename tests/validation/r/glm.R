# Reference results for logistic regression: R glm(family = binomial), Wald CIs by
# confint.default, profile-likelihood CIs by confint() (MASS profile.glm; moved into stats
# unchanged in R 4.4).  Usage: Rscript tests/validation/r/glm.R OUTDIR
suppressPackageStartupMessages({library(survival); library(MASS)})
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))

sets <- list()
d <- na.omit(lung[, c("status", "age", "sex", "ph.ecog", "wt.loss")])
sets$lung <- data.frame(y = as.integer(d$status == 2), age = d$age, sex = d$sex,
                        ph_ecog = d$ph.ecog, wt_loss = d$wt.loss)
d <- colon[colon$etype == 2, ]
d <- na.omit(d[, c("status", "rx", "sex", "age", "obstruct", "nodes", "differ")])
sets$colon <- data.frame(y = d$status, rx_lev = as.integer(d$rx == "Lev"),
                         rx_lev5fu = as.integer(d$rx == "Lev+5FU"), sex = d$sex, age = d$age,
                         obstruct = d$obstruct, nodes = d$nodes)
set.seed(422)  # a small registry-like set: 3 binary covariates, ~35 % responders
n <- 150
x1 <- rbinom(n, 1, 0.5); x2 <- rbinom(n, 1, 0.3); x3 <- rbinom(n, 1, 0.6)
sets$synth <- data.frame(y = rbinom(n, 1, plogis(-1.2 + 0.9 * x1 + 0.6 * x2 - 0.4 * x3)),
                         krenning4 = x1, pancreas = x2, lesion_le30 = x3)

res <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  wr(d, paste0("glm_", nm, ".csv"))
  fit <- glm(y ~ ., family = binomial, data = d)
  s <- summary(fit)$coefficients
  wald <- confint.default(fit)
  prof <- suppressMessages(confint(fit))
  res[[nm]] <- data.frame(dataset = nm, term = rownames(s), coef = s[, 1], se = s[, 2],
                          z = s[, 3], p = s[, 4], wald_lower = wald[, 1], wald_upper = wald[, 2],
                          profile_lower = prof[, 1], profile_upper = prof[, 2],
                          loglik = as.numeric(logLik(fit)),
                          null_loglik = -fit$null.deviance / 2)
}
wr(do.call(rbind, res), "r_glm.csv")
