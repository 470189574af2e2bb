# Reference bootstrap intervals (package boot): the bootstrap distribution t of a statistic
# is exported with boot.ci's percentile and BCa limits computed from it, BCa both with
# jackknife influence values (empinf(type = "jack")) and with boot.ci's default regression
# influence values (for which the resampling frequencies, boot.array, are exported too), so
# the interval arithmetic can be compared on the very same resamples.  Usage: Rscript tests/validation/r/bootstrap.R OUTDIR
suppressPackageStartupMessages({library(boot); library(survival)})
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))
x <- ovarian$age  # 26 ages; statistic: the mean (smooth, so BCa is defined)
cases <- list(mean_age = function(d, i) mean(d[i]),   # R = 999: (R + 1) alpha whole
              sd_age = function(d, i) sd(d[i]))       # R = 1000: interpolated order statistics
n_boot <- c(mean_age = 999, sd_age = 1000)
t_all <- ci_all <- list()
for (nm in names(cases)) {
  set.seed(1)
  b <- boot(x, cases[[nm]], R = n_boot[[nm]])
  L <- empinf(b, type = "jack")
  ci <- boot.ci(b, conf = c(0.9, 0.95), type = c("perc", "bca"), L = L)
  reg <- boot.ci(b, conf = c(0.9, 0.95), type = "bca")  # default L: empinf(type = "reg")
  t_all[[nm]] <- data.frame(statistic = nm, t = b$t[, 1])
  freq <- boot.array(b)
  colnames(freq) <- paste0("row", seq_len(ncol(freq)))
  if (nm == "sd_age") write.csv(freq, file.path(out, "r_boot_freq_sd_age.csv"), row.names = FALSE)
  ci_all[[nm]] <- data.frame(statistic = nm, t0 = b$t0, conf = ci$percent[, 1],
                             perc_lower = ci$percent[, 4], perc_upper = ci$percent[, 5],
                             bca_lower = ci$bca[, 4], bca_upper = ci$bca[, 5],
                             bca_reg_lower = reg$bca[, 4], bca_reg_upper = reg$bca[, 5])
}
wr(data.frame(age = x), "boot_data.csv")
wr(do.call(rbind, t_all), "r_boot_t.csv")
wr(do.call(rbind, ci_all), "r_boot_ci.csv")
