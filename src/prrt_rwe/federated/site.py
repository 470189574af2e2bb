"""One site's own rows, run through the pooled pipeline: validated and loaded as ``analyze``
does (a registry folder, workbook or ingested .duckdb; or, in simulation, a DuckDB
connection holding one site's slice), derived with derive_all and analysed with the pooled
``results.analysis.analyze_adam``, so every federated release starts from exactly the
numbers a pooled analysis computes on these rows.

Nothing here leaves the site: federated/node.py decides what is released.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from prrt_rwe.results import survival as surv
from prrt_rwe.results.design import observed_levels
from prrt_rwe.results.models import orr_design, pfs_design
from prrt_rwe.results.populations import flagged

__all__ = ["LocalAnalysis", "ModelData", "SiteData", "SiteDataError"]


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
    """The pooled analysis of the site's rows, and the survival data it was computed from."""

    analysis: object          # results.analysis.Analysis
    survival: dict            # name -> results.survival.SurvivalData
    ages: np.ndarray
    adam: object
    config: object

    def model(self, name: str, levels: dict | None = None) -> ModelData:
        """The rows of model ``name`` ("pfs" Cox, "orr" logistic), columns built with the
        network's ``levels`` of text covariates."""
        eff = flagged(self.adam.adsl, "EFFFL")
        if name == "pfs":
            days, event, X = pfs_design(eff, self.adam.adtte, self.config.models, levels)
            return ModelData(X=X, days=days, event=event)
        y, X = orr_design(eff, self.adam.adrs, self.config.models, levels)
        return ModelData(X=X, y=y)

    def levels(self, name: str) -> dict:
        """The text covariates' levels seen here (a union over sites builds the columns)."""
        eff = flagged(self.adam.adsl, "EFFFL").reset_index(drop=True)
        models = self.config.models
        covariates = models.pfs_covariates if name == "pfs" else models.orr_covariates
        return observed_levels(eff, covariates, models.orr_group_levels)


def survival_sets(adam, analysis) -> dict:
    """The time-to-event data behind results.json and the report, as analyze_adam builds
    them: PFS and OS (its curves), follow-up and the pancreas subgroup of the same set."""
    pfs, os_ = analysis.curves.pfs, analysis.curves.os
    eff = flagged(adam.adsl, "EFFFL")
    eff_ids = pd.Index(eff["USUBJID"])
    pancreas = pd.Index(eff.loc[eff["primary_group"].astype("string").eq("pancreas").fillna(False), "USUBJID"])
    return {"pfs": pfs, "os": os_, "fu": surv.endpoint(adam.adtte, "FU", eff_ids),
            "pfs_pancreas": surv.endpoint(adam.adtte, "PFS", pancreas),
            "os_pancreas": surv.endpoint(adam.adtte, "OS", pancreas)}


class SiteData:
    """The rows of one site, loaded and analysed on demand (see module doc)."""

    def __init__(self, source=None, *, connection=None):
        if (source is None) == (connection is None):
            raise ValueError("give exactly one of a registry source or a DuckDB connection")
        self.source = None if source is None else Path(source)
        self._con = connection
        self._registry = None
        self._local: dict = {}

    def connection(self):
        if self._con is None:
            from prrt_rwe.study import StudyInputError, open_source

            try:
                self._con, _report, _prov = open_source(self.source)
            except StudyInputError as exc:
                raise SiteDataError(str(exc)) from None
        return self._con

    def registry(self):
        if self._registry is None:
            from prrt_rwe.derive.source import load_registry

            self._registry = load_registry(self.connection())
        return self._registry

    def site_id(self) -> str:
        sites = sorted(self.registry().patients["site_id"].astype(str).unique())
        where = self.source or "the site's database"
        if len(sites) != 1:
            raise SiteDataError(f"{where}: a node's registry holds one site; found "
                                f"{', '.join(sites) if sites else 'no patients'}")
        return sites[0]

    def latest_day(self, config) -> float | None:
        """The latest date of any kind here (day number), the default data cut-off's part."""
        from prrt_rwe.derive.datasets import data_cutoff

        day = data_cutoff(self.registry(), config)
        return None if math.isnan(day) else day

    def local(self, config) -> LocalAnalysis:
        """derive_all and analyze_adam on the site's rows under ``config`` (cached)."""
        key = repr(config.to_dict())
        if key not in self._local:
            from prrt_rwe.derive import derive_all
            from prrt_rwe.results.analysis import analyze_adam

            adam = derive_all(self.connection(), config)
            analysis = analyze_adam(adam, config)
            ages = pd.to_numeric(flagged(adam.adsl, "EFFFL")["age"], errors="coerce").dropna()
            self._local = {key: LocalAnalysis(analysis, survival_sets(adam, analysis),
                                              ages.to_numpy(dtype=float), adam, config)}
        return self._local[key]
