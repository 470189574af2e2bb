"""From ADaM datasets to the results of the study (shared/spec/results-v1.md).

One module per block of results.json; :mod:`prrt_rwe.results.analysis` puts them together.
"""
