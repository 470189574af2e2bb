"""Calibration of the synthetic registry: every target with its source.

Targets come from shared/benchmarks/published.yaml, study ``okamoto2026`` (Okamoto et al.
2026, 422 patients, 33 institutions, PubMed 41866411) unless stated otherwise. The
generator's *true* effects equal the published ones; intercept and scale are solved so the
marginal rates hit the published figures (see outcomes.py).
"""

from __future__ import annotations

import math

# --- cohort (okamoto2026: n_safety 422, n_efficacy 383, design 33 institutions) ----------
N_PATIENTS = 422
N_SITES = 33
# Share with >= 1 model covariate missing: (422 - 383) / 422 = 0.0924.
SHARE_MISSING_COVARIATE = (422 - 383) / 422

# --- baseline (okamoto2026.baseline) ------------------------------------------------------
AGE_MEDIAN = 64.0
# primary_group_n of the efficacy set: pancreas 210, hindgut 81, midgut 19 of 383; the
# remaining 73 (19 %) are foregut (stomach, duodenum) and other (lung, thymus, unknown, other).
PRIMARY_SITE_SHARE = {
    "pancreas": 210 / 383,
    "rectum": 66 / 383, "colon": 15 / 383,                     # hindgut 81
    "small_intestine": 13 / 383, "appendix": 2 / 383, "cecum": 4 / 383,  # midgut 19
    "stomach": 12 / 383, "duodenum": 15 / 383,                  # foregut
    "lung": 26 / 383, "thymus": 6 / 383, "unknown": 10 / 383, "other": 4 / 383,
}
WHO_GRADE_SHARE = {"G1": 0.133, "G2": 0.712, "G3": 0.146, "NEC": 0.018}

# --- confirmed objective response (okamoto2026.models.orr_logistic_or, results.orr) -------
ORR_TARGET = 0.376  # 144 / 383
ORR_LOG_OR = {
    "pancreas": math.log(4.02),
    "hindgut": math.log(3.14),
    "krenning4": math.log(2.96),
    "liver_lesion_le30": math.log(1.64),
}

# --- PFS (okamoto2026.models.pfs_cox_hr, results.pfs_median_months) -----------------------
PFS_MEDIAN_MONTHS = 21.4
PFS_LOG_HR = {
    "ki67_lt10": math.log(0.46),
    "krenning4": math.log(0.65),
    "liver_burden_lt50": math.log(0.59),
    "liver_lesion_le30": math.log(0.49),
    "ssa_concomitant": math.log(0.64),
}
PFS_WEIBULL_SHAPE = 1.3  # mildly increasing hazard, as PRRT PFS curves (NETTER-1 arm shape)
# Progression is seen at the next scan, on average ~40 days after it happens: the latent
# median is set below the published one so the *derived* KM median lands on 21.4 months.
PFS_DETECTION_DELAY_DAYS = 34.0
# Gaussian-copula correlation between latent response and latent PFS (responders last longer);
# it leaves both marginal models, hence the true OR and HR, unchanged.
RESPONSE_PFS_COPULA_RHO = 0.6
SHARE_PFS_DEATH_FIRST = 0.08  # deaths without documented progression

# --- OS (netter1.results.os_median_months_final 48.0; brabander2017 63): median ~4-5 y ----
POST_PROGRESSION_MEDIAN_DAYS = 30 * 30.4375
POST_PROGRESSION_SHAPE = 1.1
POST_PROGRESSION_LOG_HR_HIGH_GRADE = math.log(1.8)  # G3 / NEC

# --- toxicity (okamoto2026.results.hematologic_grade3plus 0.18, renal_grade3plus < 0.01) --
HEMATOLOGIC_GRADE3_SHARE = 0.18
# ~4 % of the patients drawn for toxicity die or leave follow-up before their nadir count.
HEMATOLOGIC_GRADE3_DRAW = HEMATOLOGIC_GRADE3_SHARE / 0.96
RENAL_GRADE3_SHARE = 0.004
AE_REPORTING_SHARE = 0.93   # lab grade >= 3 reported as an AE
AE_ONLY_GRADE3_SHARE = 0.015  # AE grade >= 3 without a lab value (e.g. febrile neutropenia)
# brabander2017: MDS 1.5 %, acute leukemia 0.7 %; netter1: MDS 2.3 %
MDS_SHARE = 0.015
AML_SHARE = 0.005

# --- hormonal syndromes (okamoto2026.results.hormonal_marked_improvement 18 / 24) ---------
FUNCTIONING_SHARE = 24 / 422
HORMONAL_RESPONSE_SHARE = {
    "marked_improvement": 18 / 24, "improvement": 3 / 24, "no_change": 2 / 24,
    "worsening": 1 / 24, "not_evaluable": 0.0,  # all 24 evaluable in the paper
}

# --- treatment (label: 4 x 7.4 GBq every 8 weeks) ----------------------------------------
PLANNED_CYCLES = 4
NOMINAL_ACTIVITY_GBQ = 7.4
CYCLE_INTERVAL_DAYS = 56.0
SSA_CONCOMITANT_SHARE = 0.45

# --- calendar: Lutathera approved in Japan 2021; accrual then data cut-off ----------------
ACCRUAL_START = "2021-09-01"
ACCRUAL_END = "2023-12-31"
DATA_CUTOFF = "2025-06-30"
