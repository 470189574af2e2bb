"""The models of the study a node will fit its part of, by name: the default models and the
reviewer's variants of results/efficacy_models.py, each on the rows the pooled analysis uses.

``pfs`` / ``orr``: the default Cox and logistic models (complete-case model set);
``pfs_liver3`` / ``orr_liver3``: the liver flags replaced by their three-level factors, on the
patients with every covariate known; ``pfs_uni.<covariate>`` / ``orr_uni.<covariate>``: one model
per covariate of the default model (patients with that covariate known).  A coordinator can
ask for nothing else: the names come from the node's own copy of the study configuration.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from prrt_rwe.results.efficacy_models import liver3_config

__all__ = ["StudyModel", "known_rows", "study_models"]


@dataclass(frozen=True)
class StudyModel:
    name: str
    kind: str                 # "cox" or "logistic"
    models_cfg: object        # config.ModelsConfig whose pfs or orr formula is this model's
    known_only: bool          # rows with every covariate known (else the whole model set)
    drop_aliased: bool = False   # aliased columns dropped and reported not estimable (liver3)

    @property
    def covariates(self) -> tuple[str, ...]:
        return self.models_cfg.pfs_covariates if self.kind == "cox" else self.models_cfg.orr_covariates


def _one(models_cfg, kind: str, covariate: str):
    return dataclasses.replace(models_cfg, **({"pfs": f"pfs ~ {covariate}"} if kind == "cox"
                                              else {"orr": f"response ~ {covariate}"}))


def study_models(models_cfg) -> dict[str, StudyModel]:
    """Every model of the module doc, by name, in the order results.json lists them."""
    liver3 = liver3_config(models_cfg)
    out = {"pfs": StudyModel("pfs", "cox", models_cfg, False),
           "orr": StudyModel("orr", "logistic", models_cfg, False),
           "pfs_liver3": StudyModel("pfs_liver3", "cox", liver3, True, True),
           "orr_liver3": StudyModel("orr_liver3", "logistic", liver3, True, True)}
    for kind, prefix, covariates in (("cox", "pfs", models_cfg.pfs_covariates),
                                     ("logistic", "orr", models_cfg.orr_covariates)):
        for c in covariates:
            out[f"{prefix}_uni.{c}"] = StudyModel(f"{prefix}_uni.{c}", kind, _one(models_cfg, kind, c), True)
    return out


def known_rows(frame, covariates) -> np.ndarray:
    """Rows whose every covariate is known (results/efficacy_models.py's ``keep``)."""
    return np.logical_and.reduce([frame[c].notna().to_numpy() for c in covariates]) if covariates \
        else np.ones(len(frame), dtype=bool)
