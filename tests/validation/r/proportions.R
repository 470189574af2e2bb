# Reference binomial CIs: exact Clopper-Pearson (binom.test) and Wilson score without
# continuity correction (prop.test(correct = FALSE)).  Usage: Rscript proportions.R OUTDIR
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "fixture_io.R"))
grid <- expand.grid(k = c(0, 1, 5, 17, 40), n = c(1, 5, 40, 383), conf = c(0.95, 0.9))
grid <- grid[grid$k <= grid$n, ]
grid <- rbind(grid, data.frame(k = c(98, 383, 0), n = c(383, 383, 422), conf = 0.95))
rows <- lapply(seq_len(nrow(grid)), function(i) {
  k <- grid$k[i]; n <- grid$n[i]; cl <- grid$conf[i]
  cp <- binom.test(k, n, conf.level = cl)$conf.int
  wi <- suppressWarnings(prop.test(k, n, conf.level = cl, correct = FALSE))$conf.int
  c(k = k, n = n, conf = cl, cp_lower = cp[1], cp_upper = cp[2], wilson_lower = wi[1], wilson_upper = wi[2])
})
df <- as.data.frame(do.call(rbind, rows))
df[] <- lapply(df, function(x) sprintf("%.15g", x))
write.csv(df, file.path(out, "r_proportions.csv"), row.names = FALSE, quote = FALSE)
