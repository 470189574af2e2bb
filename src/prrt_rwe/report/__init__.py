"""The study report: small named parts (one module each) assembled by :mod:`html` into one
self-contained report.html; :mod:`results_json`, :mod:`ard` and :mod:`run_json` write the
machine-readable outputs."""
