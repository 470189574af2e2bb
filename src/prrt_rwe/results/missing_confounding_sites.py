"""What the cohort cannot show by itself (results-v1.md "Additions: missing data, confounding,
sites"), each next to the primary analysis:

* missing data: ``missingness`` and the multiply imputed models ``orr_logistic_mi`` /
  ``pfs_cox_mi`` (response-evaluable population);
* confounding: ``iptw`` (response-evaluable, complete on the propensity covariates) and
  ``evalues`` for every OR and HR (:func:`evalue_sources` + :mod:`results.confounding.evalues`);
* sites: ``sites`` (per-site numbers and leave-one-out on the headline population, models on
  the complete-case model set).
"""

from __future__ import annotations

from dataclasses import dataclass

from prrt_rwe.results.confounding.evalues import evalues
from prrt_rwe.results.heavy import runs
from prrt_rwe.results.confounding.iptw import iptw
from prrt_rwe.results.missing_data.imputation_model import RAW
from prrt_rwe.results.missing_data.imputed_models import imputed_models
from prrt_rwe.results.missing_data.missingness import missingness, site_counts
from prrt_rwe.results.patient_outcomes import patient_outcomes
from prrt_rwe.results.populations import population_rows
from prrt_rwe.results.sites import sites

__all__ = ["MissingConfoundingSites", "missing_confounding_sites", "evalues"]


@dataclass(frozen=True)
class MissingConfoundingSites:
    models: dict  # results.json models.orr_logistic_mi, models.pfs_cox_mi
    missingness: dict
    iptw: dict
    sites: dict
    extras: dict  # report-only aggregates (imputation model, per-site rows, IPTW arms, reasons)
    curves: dict  # IPTW weighted Kaplan-Meier fits per arm (figures only)

    def evalue_sources(self) -> dict:
        """Ratio estimates outside ``results["models"]`` that get an E-value too."""
        hr = self.iptw["pfs_hr"]
        return {"iptw": [{"term": self.iptw["exposure"], **hr}],
                "sites_frailty_cox": self.sites["frailty_cox"]["terms"]}


def missing_confounding_sites(adam, config, km_options, cox_error: str | None = None) -> MissingConfoundingSites:
    """Every block (see the module doc); ``cox_error`` = why the main PFS Cox model is not
    estimable, if it is not (the frailty model then is not either)."""
    adsl, adrs, adtte = adam.adsl, adam.adrs, adam.adtte
    evaluable = patient_outcomes(population_rows(adsl, "evaluable"), adrs, adtte)
    complete_case = patient_outcomes(population_rows(adsl, "complete_case"), adrs, adtte)
    headline = patient_outcomes(population_rows(adsl, config.study.headline_population), adrs, adtte)
    names = tuple(dict.fromkeys(config.models.covariates + tuple(n for n, _ in RAW if n in adsl.columns)))
    mi = imputed_models(evaluable, config.models, config.imputation, config.sites.min_site_n,
                        run=runs(config, "multiple_imputation"))
    iptw_block, iptw_extra = iptw(evaluable, config.iptw, config.models, km_options)
    sites_block, sites_extra = sites(headline, complete_case, config.sites, config.models, km_options, cox_error,
                                     heavy={key: runs(config, key) for key in ("leave_one_site_out", "frailty_cox")})
    extras = {"imputation": mi.summary, "iptw": iptw_extra.get("extras", {}),
              "missing_by_site": site_counts(evaluable, names), **sites_extra}
    return MissingConfoundingSites(mi.blocks, missingness(evaluable, names), iptw_block, sites_block,
                                   extras, iptw_extra.get("curves", {}))
