"""One site's own rows, run through the pooled pipeline: validated and loaded as ``analyze``
does (a registry folder, workbook or ingested .duckdb; or, in simulation, a DuckDB
connection holding one site's slice), derived with derive_all and analysed with the pooled
``results.analysis.analyze_adam``, so every federated release starts from exactly the
numbers a pooled analysis computes on these rows.

Nothing here leaves the site: federated/node.py decides what is released.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from prrt_rwe.federated.study_models import known_rows
from prrt_rwe.results import survival as surv
from prrt_rwe.results import survival_by_group as groups
from prrt_rwe.results.design import observed_levels
from prrt_rwe.results.efficacy import EFFICACY_POPULATIONS
from prrt_rwe.results.models import orr_design, pfs_design
from prrt_rwe.results.populations import flagged, population_ids, population_rows

__all__ = ["LocalAnalysis", "ModelData", "SiteData", "SiteDataError"]


def _local_rules(config):
    """The rules of a site's own analysis: multiple imputation off (m = 0) and, in the call,
    no comparator files -- their results are not available in a federated study
    (shared/spec/federated.md), so a node spends no time on them."""
    return dataclasses.replace(config, imputation=dataclasses.replace(config.imputation, m=0))


class SiteDataError(ValueError):
    """The site's data cannot be analysed (message names the file or the problem)."""


@dataclass(frozen=True)
class ModelData:
    """A model's rows at the site: outcome (and days for Cox) and the design matrix."""

    X: pd.DataFrame
    y: np.ndarray | None = None       # logistic outcome
    days: np.ndarray | None = None    # Cox
    event: np.ndarray | None = None


@dataclass(frozen=True)
class LocalAnalysis:
    """The pooled analysis of the site's rows, and the data it was computed from."""

    analysis: object          # results.analysis.Analysis
    survival: dict            # name -> results.survival.SurvivalData (time-to-event sets)
    values: dict              # name -> values whose quantiles results.json reports (ages, TTR)
    adam: object
    config: object
    competing: dict           # name -> results.late_effects.CompetingData (cumulative incidence, Gray)

    def _rows(self, spec):
        eff = flagged(self.adam.adsl, "EFFFL")
        return eff.loc[known_rows(eff, spec.covariates)] if spec.known_only else eff

    def model(self, spec, levels: dict | None = None) -> ModelData:
        """The rows of a StudyModel (federated/study_models.py), columns built with the
        network's ``levels`` of text covariates."""
        rows = self._rows(spec)
        if spec.kind == "cox":
            days, event, X = pfs_design(rows, self.adam.adtte, spec.models_cfg, levels)
            return ModelData(X=X, days=days, event=event)
        y, X = orr_design(rows, self.adam.adrs, spec.models_cfg, levels)
        return ModelData(X=X, y=y)

    def headline_response(self) -> tuple[int, int]:
        """(responders, patients) of the site's headline population, as results/sites/
        per_site.py counts them for the between-site meta-analysis."""
        rows = self.analysis.extras["missing_confounding_sites"]["per_site"]
        return sum(int(r["orr"]["n"]) for r in rows), sum(int(r["n"]) for r in rows)

    def levels(self, spec) -> dict:
        """The text covariates' levels seen here (a union over sites builds the columns)."""
        return observed_levels(self._rows(spec).reset_index(drop=True), spec.covariates,
                               spec.models_cfg.orr_group_levels)


def survival_sets(adam, analysis, config) -> dict:
    """The time-to-event data behind results.json and the report, as analyze_adam and
    results/efficacy.py select them: the headline PFS, OS (its curves) and follow-up; the same
    for each efficacy population; duration of response; the pancreas subgroup; and each level
    of the by-group curves (``pfs_by.<grouping>.<level>``)."""
    adsl, adtte = adam.adsl, adam.adtte
    headline = population_rows(adsl, config.study.headline_population)
    head_ids = pd.Index(headline["USUBJID"])
    pancreas = pd.Index(headline.loc[headline["primary_group"].astype("string").eq("pancreas").fillna(False),
                                     "USUBJID"])
    out = {"pfs": analysis.curves.pfs, "os": analysis.curves.os, "fu": surv.endpoint(adtte, "FU", head_ids),
           "dor": surv.endpoint(adtte, "DOR", head_ids),
           "pfs_pancreas": surv.endpoint(adtte, "PFS", pancreas), "os_pancreas": surv.endpoint(adtte, "OS", pancreas)}
    for name in EFFICACY_POPULATIONS:
        ids = population_ids(adsl, name)
        for endpoint in ("PFS", "OS", "FU"):
            out[f"{endpoint.lower()}_{name}"] = surv.endpoint(adtte, endpoint, ids)
    for endpoint in ("PFS", "OS"):
        for grouping, gc in groups.curves(adtte, endpoint, headline).items():
            for level, data in zip(gc.levels, gc.data):
                out[f"{endpoint.lower()}_by.{grouping}.{level}"] = data
    return out


def competing_sets(adam, analysis) -> dict:
    """The competing-risks data behind results.json ``safety.cumulative_incidence``
    (``cif.<key>``) and ``safety.gray_test`` (``gray.<grouping>.<level>``: the haematologic
    end point's rows of each level, missing labels left out), as results/late_effects.py
    selects them."""
    from prrt_rwe.results.late_effects import CompetingData, gray_groupings

    curves = analysis.curves.competing
    out = {f"cif.{key}": data for key, data in curves.items()}
    heme = curves["heme_grade3plus_te"]
    for grouping, labels in gray_groupings(heme, adam.adsl).items():
        known = labels.notna().to_numpy()
        text = labels.to_numpy(dtype=object)
        for level in sorted({str(v) for v in text[known]}):
            rows = known & (text.astype(str) == level)
            out[f"gray.{grouping}.{level}"] = CompetingData(heme.usubjid[rows], heme.days[rows], heme.status[rows])
    return out


def value_sets(adam, config) -> dict:
    """Values whose median and quartiles results.json reports: the efficacy set's ages
    (baseline.age_median) and the headline responders' days to response (TTR)."""
    adsl = adam.adsl
    head_ids = pd.Index(population_rows(adsl, config.study.headline_population)["USUBJID"])
    ages = pd.to_numeric(flagged(adsl, "EFFFL")["age"], errors="coerce").dropna()
    return {"age": ages.to_numpy(dtype=float), "ttr": surv.endpoint(adam.adtte, "TTR", head_ids).days}


class SiteData:
    """The rows of one site, loaded and analysed on demand (see module doc)."""

    def __init__(self, source=None, *, connection=None):
        if (source is None) == (connection is None):
            raise ValueError("give exactly one of a registry source or a DuckDB connection")
        self.source = None if source is None else Path(source)
        self._con = connection
        self._local: dict = {}

    def connection(self):
        if self._con is None:
            from prrt_rwe.study import StudyInputError, open_source

            try:
                self._con, _report, _prov = open_source(self.source)
            except StudyInputError as exc:
                raise SiteDataError(str(exc)) from None
        return self._con

    def site_id(self) -> str:
        rows = self.connection().execute(
            "SELECT DISTINCT CAST(site_id AS VARCHAR) FROM patients ORDER BY 1").fetchall()
        sites = [r[0] for r in rows]
        where = self.source or "the site's database"
        if len(sites) != 1:
            raise SiteDataError(f"{where}: a node's registry holds one site; found "
                                f"{', '.join(sites) if sites else 'no patients'}")
        return sites[0]

    def latest_day(self) -> float | None:
        """The latest date of any kind here (day number): the site's part of the default data
        cut-off (derive/cutoff.py), which is the network's latest date."""
        from prrt_rwe.derive.datasets import as_engine
        from prrt_rwe.derive.relational.registry import latest_day

        day = latest_day(as_engine(self.connection()))
        return None if day is None else float(day)

    def local(self, config) -> LocalAnalysis:
        """derive_all and analyze_adam on the site's rows under ``config`` (cached)."""
        key = repr(config.to_dict())
        if key not in self._local:
            from prrt_rwe.derive import derive_all
            from prrt_rwe.results.analysis import analyze_adam

            adam = derive_all(self.connection(), config)
            analysis = analyze_adam(adam, _local_rules(config), comparators=())
            self._local = {key: LocalAnalysis(analysis, survival_sets(adam, analysis, config),
                                              value_sets(adam, config), adam, config,
                                              competing_sets(adam, analysis))}
        return self._local[key]
