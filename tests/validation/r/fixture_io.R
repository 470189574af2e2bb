# Shared by the reference scripts: the output folder (first argument, default the committed
# fixtures) and a CSV writer that prints numbers with 15 significant digits.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/validation/fixtures"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
wr <- function(df, name) {
  df[] <- lapply(df, function(x) if (is.numeric(x)) sprintf("%.15g", x) else x)
  write.csv(df, file.path(out, name), row.names = FALSE, quote = FALSE)
}
