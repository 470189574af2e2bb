"""Confounding (results-v1.md "Additions: confounding"): IPTW for an exposure and E-values for
every odds and hazard ratio."""
