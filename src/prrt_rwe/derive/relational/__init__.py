"""The derivations that run inside the engine (issue 17), written once in DuckDB's SQL dialect
and run by DuckDB, PostgreSQL or Spark (prrt_rwe.engines, transpiled by SQLGlot).

Stages, each a module: ``registry`` (patient index, dates as day numbers, the data cut-off
applied to every table), ``treatment`` (C1, last cycle, cycles and activity per patient),
``response`` (RECIST time points, the analysis window, confirmed and unconfirmed best overall
response), ``follow_up`` (first PD, last adequate assessment, first response, latest recorded
date, baseline assessment present). Each returns per-patient (or per-time-point) Arrow tables
ordered by ``pidx``; the rules are those of the numpy modules beside them (derive/cutoff.py,
baseline.py, recist.py, time_to_event.py), which document them.
"""
