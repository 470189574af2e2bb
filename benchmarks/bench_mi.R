# Timing of R mice for benchmarks/bench_mi.py: mice(m, maxit) on analyze's imputation model
# columns (threshold flags and yes/no columns by logreg, WHO grade by polyreg, numbers by pmm;
# the complete predictors aux0.. = response, PFS event, Nelson-Aalen hazard, primary group and
# site dummies), each flag without its own number as a predictor (as analyze); R has no
# within-flag PMM, so its PMM draws Ki-67 from every donor. Then with() the two default models
# and pool(). Usage: Rscript benchmarks/bench_mi.R DATA.csv M MAXIT
# Prints the elapsed and the CPU (user + system) seconds of mice + with + pool.
suppressPackageStartupMessages({library(mice); library(survival)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
m <- as.integer(args[2]); maxit <- as.integer(args[3])
flags <- c(ki67_lt10 = "ki67_percent", krenning4 = "krenning_score",
           liver_burden_lt50 = "liver_tumor_burden_percent", liver_lesion_le30 = "largest_liver_lesion_mm")
for (v in c(names(flags), "liver_metastases", "ssa_concomitant", "functioning", "sex", "who_grade"))
  if (v %in% names(d)) d[[v]] <- factor(d[[v]])
pred <- make.predictorMatrix(d)
for (f in names(flags)) if (f %in% rownames(pred)) pred[f, flags[[f]]] <- 0
pred[, "days"] <- 0
t0 <- proc.time()
imp <- mice(d, m = m, maxit = maxit, predictorMatrix = pred, printFlag = FALSE, seed = 1)
fit_orr <- with(imp, glm(aux0 ~ aux6 + aux4 + krenning4 + liver_lesion_le30, family = binomial))
fit_pfs <- with(imp, coxph(Surv(days, aux1) ~ ki67_lt10 + krenning4 + liver_burden_lt50 +
                             liver_lesion_le30 + ssa_concomitant))
p1 <- pool(fit_orr); p2 <- pool(fit_pfs)
el <- proc.time() - t0
cat(sprintf("%.3f %.3f\n", el[["elapsed"]], el[["user.self"]] + el[["sys.self"]]))
