# Reference results for prrt_rwe.stats.escalc_plo / rma: metafor 3.8 escalc(measure = "PLO")
# with its defaults (add = 1/2, to = "only0") and rma(yi, vi, method = "REML" | "DL").
# Usage: Rscript tests/validation/r/meta_analysis.R OUTDIR
#   meta_<case>.csv   the counts (xi responders of ni): metafor's dat.pritz1997 and the site
#                     response counts of a registry-like cohort (sites with 0 and all responders)
#   r_escalc.csv      per case and study: yi, vi
#   r_rma.csv         per case and method: estimate, se, CI, tau2, I2, H2, QE, QEp, the prediction
#                     interval, and the back-transformed (transf.ilogit) pooled proportion and limits
# Convergence tightened: control = list(threshold = 1e-12).
suppressPackageStartupMessages(library(metafor))
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "fixture_io.R"))
source(file.path(here, "registry_like.R"))

reg <- registry_like()
by_site <- aggregate(cbind(xi = response, ni = 1) ~ site, data = reg, FUN = sum)
by_site$xi[2] <- 0                  # a site without responders
by_site$xi[3] <- by_site$ni[3]      # a site where every patient responded
sets <- list(pritz = data.frame(study = dat.pritz1997$study, xi = dat.pritz1997$xi, ni = dat.pritz1997$ni),
             sites = data.frame(study = by_site$site, xi = by_site$xi, ni = by_site$ni),
             homogeneous = data.frame(study = 1:6, xi = c(10, 20, 15, 30, 12, 8), ni = c(40, 80, 60, 120, 48, 32)))

es <- list(); res <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  wr(d, paste0("meta_", nm, ".csv"))
  e <- escalc(measure = "PLO", xi = xi, ni = ni, data = d)
  es[[nm]] <- data.frame(case = nm, study = d$study, yi = as.numeric(e$yi), vi = as.numeric(e$vi))
  for (method in c("REML", "DL")) {
    fit <- rma(yi, vi, data = e, method = method, control = list(threshold = 1e-12))
    pr <- predict(fit)
    bt <- predict(fit, transf = transf.ilogit)
    res[[paste(nm, method)]] <- data.frame(
      case = nm, method = method, k = fit$k, estimate = as.numeric(fit$beta), se = fit$se,
      ci_lb = fit$ci.lb, ci_ub = fit$ci.ub, tau2 = fit$tau2, I2 = fit$I2, H2 = fit$H2,
      QE = fit$QE, QEp = fit$QEp, pi_lb = pr$pi.lb, pi_ub = pr$pi.ub,
      pooled = bt$pred, pooled_lb = bt$ci.lb, pooled_ub = bt$ci.ub,
      pooled_pi_lb = bt$pi.lb, pooled_pi_ub = bt$pi.ub)
  }
}
wr(do.call(rbind, es), "r_escalc.csv")
wr(do.call(rbind, res), "r_rma.csv")
