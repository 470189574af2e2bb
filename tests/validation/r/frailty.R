# Reference results for prrt_rwe.stats.cox_frailty: R survival coxph(... + frailty(g)), the
# shared gamma frailty with its default method "em".
# Usage: Rscript tests/validation/r/frailty.R OUTDIR
#   frailty_<case>.csv   the data as fitted (rats, kidney from survival; a registry-like cohort)
#   r_frailty.csv        per case, control and term: coef, se, hr, CI, p, theta, loglik, iterations
#   r_frailty_history.csv  the theta search: theta, loglik, c.loglik of every outer iteration
# Controls: "default" (R's defaults) and "tight" (coxph.control(eps = 1e-12, outer.max = 30),
# frailty(..., eps = 1e-10)), so that 1e-6 agreement means the same fixed point.
suppressPackageStartupMessages(library(survival))
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
source(file.path(here, "fixture_io.R"))
source(file.path(here, "registry_like.R"))

reg <- registry_like()
sets <- list(
  rats = data.frame(time = rats$time, status = rats$status, rx = rats$rx, group = rats$litter),
  kidney = data.frame(time = kidney$time, status = kidney$status, age = kidney$age,
                      sex = kidney$sex, group = kidney$id),
  registry = data.frame(time = reg$days, status = reg$event, ki67_lt10 = reg$ki67_lt10,
                        krenning4 = reg$krenning4, liver_burden_lt50 = reg$liver_burden_lt50,
                        liver_lesion_le30 = reg$liver_lesion_le30,
                        ssa_concomitant = reg$ssa_concomitant, group = reg$site),
  registry_few = NULL)
# five groups: R's sparse = FALSE branch (exact information)
few <- sets$registry
few$group <- paste0("G", (match(few$group, unique(few$group)) - 1) %% 5 + 1)
sets$registry_few <- few

coefs <- list(); hist <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  wr(d, paste0("frailty_", nm, ".csv"))
  covs <- setdiff(names(d), c("time", "status", "group"))
  for (ctl in c("default", "tight")) {
    f <- if (ctl == "default") {
      as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + "), "+ frailty(group)"))
    } else {
      as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + "),
                       "+ frailty(group, eps = 1e-10)"))
    }
    control <- if (ctl == "default") coxph.control() else
      coxph.control(eps = 1e-12, toler.chol = 1e-15, outer.max = 30)
    fit <- coxph(f, data = d, control = control)
    s <- summary(fit)
    h <- fit$history[[1]]$history
    ci <- s$conf.int
    j <- match(covs, names(fit$coefficients))  # non-sparse fits list the frailties too
    beta <- fit$coefficients[j]
    se <- sqrt(diag(fit$var))[j]
    coefs[[paste(nm, ctl)]] <- data.frame(
      case = nm, control = ctl, term = names(beta), coef = beta, se = se,
      hr = exp(beta), lower = ci[names(beta), "lower .95"], upper = ci[names(beta), "upper .95"],
      p = s$coefficients[names(beta), "p"], theta = h[nrow(h), 1],
      next_theta = fit$history[[1]]$theta, loglik = fit$loglik[2], c_loglik = h[nrow(h), 3],
      outer = fit$iter[1], newton = fit$iter[2], n = fit$n, events = fit$nevent)
    hist[[paste(nm, ctl)]] <- data.frame(case = nm, control = ctl, iteration = seq_len(nrow(h)),
                                         theta = h[, 1], loglik = h[, 2], c_loglik = h[, 3])
  }
}
wr(do.call(rbind, coefs), "r_frailty.csv")
wr(do.call(rbind, hist), "r_frailty_history.csv")
