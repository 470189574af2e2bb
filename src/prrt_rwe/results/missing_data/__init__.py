"""Missing data (results-v1.md "Additions: missing data"): the missingness block and the
multiply imputed default models."""
