"""CDISC SDTM (SAS XPT or Dataset-JSON v1.1): DM, SUPPDM, EX, RS, TU, TR, LB, AE -> format v1."""
