# A registry-like cohort for the wave-2 fixtures (sourced, writes nothing by itself):
# patients in sites of unequal size (one site with a single patient), the default model
# covariates as 0/1 flags with the raw columns they derive from, a confounded exposure
# (ssa_concomitant depends on functioning, pancreas and krenning4), a shared gamma frailty per
# site (theta = 0.4), PFS in days (ties), confirmed response, and covariates missing at random
# (ki67 more often missing with high liver burden and after early progression).
registry_like <- function(n = 400, n_sites = 20, seed = 20260501) {
  set.seed(seed)
  size <- sort(as.vector(rmultinom(1, n - n_sites, prob = rexp(n_sites)^2)) + 1L, decreasing = TRUE)
  size[n_sites] <- 1L
  size[1] <- size[1] + (n - sum(size))
  site <- rep(sprintf("S%02d", seq_len(n_sites)), size)
  age <- round(rnorm(n, 63, 11))
  sex <- ifelse(runif(n) < 0.45, "F", "M")
  primary_group <- sample(c("pancreas", "midgut", "hindgut", "foregut", "other"), n, TRUE,
                          prob = c(0.35, 0.40, 0.08, 0.07, 0.10))
  who_grade <- sample(c("G1", "G2", "G3"), n, TRUE, prob = c(0.3, 0.6, 0.1))
  ki67_percent <- pmin(100, round(exp(rnorm(n, log(6) + 0.8 * (who_grade == "G3"), 0.8)), 1))
  krenning_score <- sample(2:4, n, TRUE, prob = c(0.1, 0.4, 0.5))
  liver_tumor_burden_percent <- round(runif(n, 0, 90))
  largest_liver_lesion_mm <- round(rgamma(n, 3, 0.1))
  functioning <- rbinom(n, 1, 0.25)
  prior_lines <- rpois(n, 0.8)
  ki67_lt10 <- as.integer(ki67_percent < 10)
  krenning4 <- as.integer(krenning_score == 4)
  liver_burden_lt50 <- as.integer(liver_tumor_burden_percent < 50)
  liver_lesion_le30 <- as.integer(largest_liver_lesion_mm <= 30)
  pancreas <- as.integer(primary_group == "pancreas")
  ssa_concomitant <- rbinom(n, 1, plogis(-0.6 + 1.2 * functioning + 0.5 * pancreas + 0.4 * krenning4))
  u <- rgamma(n_sites, shape = 1 / 0.4, scale = 0.4)[match(site, sprintf("S%02d", seq_len(n_sites)))]
  lp <- -0.7 * ki67_lt10 - 0.4 * krenning4 - 0.45 * liver_burden_lt50 - 0.8 * liver_lesion_le30 -
    0.35 * ssa_concomitant + 0.4 * pancreas
  pfs_months <- rexp(n, 0.05 * u * exp(lp))
  cens_months <- runif(n, 6, 84)
  days <- ceiling(pmin(pfs_months, cens_months) * 30.4375 / 7) * 7  # weekly visits: many ties
  event <- as.integer(pfs_months <= cens_months)
  response <- rbinom(n, 1, plogis(-1.4 + 1.1 * pancreas + 0.9 * (primary_group == "hindgut") +
                                    0.4 * krenning4 + 0.7 * liver_lesion_le30))
  d <- data.frame(site, age, sex, primary_group, who_grade, ki67_percent, krenning_score,
                  liver_tumor_burden_percent, largest_liver_lesion_mm, functioning, prior_lines,
                  ssa_concomitant, ki67_lt10, krenning4, liver_burden_lt50, liver_lesion_le30,
                  days, event, response, stringsAsFactors = FALSE)
  early <- event == 1 & days < 365
  miss_ki67 <- runif(n) < plogis(-2.6 + 1.4 * (liver_tumor_burden_percent >= 50) + 1.2 * early)
  d$ki67_percent_obs <- ifelse(miss_ki67, NA, ki67_percent)
  d$krenning_score_obs <- ifelse(runif(n) < 0.05, NA, krenning_score)
  d$largest_liver_lesion_mm_obs <- ifelse(runif(n) < plogis(-2.2 + 0.8 * early), NA, largest_liver_lesion_mm)
  d$who_grade_obs <- ifelse(runif(n) < 0.06, NA, who_grade)
  d$ssa_concomitant_obs <- ifelse(runif(n) < 0.03, NA, ssa_concomitant)
  d
}
