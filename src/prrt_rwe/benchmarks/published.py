"""Published PRRT results that every report is read against (package copy of
shared/benchmarks/published.yaml; a test keeps the two identical).

Each study keeps its citation, its verification status and, for agents other than
177Lu-DOTATATE, the agent (COMPETE used 177Lu-edotreotide).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

PUBLISHED_FILE = "published.yaml"


@dataclass(frozen=True)
class PublishedStudy:
    id: str
    citation: str
    verified: str
    agent: str
    results: dict
    models: dict
    baseline: dict
    n: object


def published_text() -> str:
    """The YAML exactly as shipped with the package."""
    return resources.files("prrt_rwe.benchmarks").joinpath(PUBLISHED_FILE).read_text("utf-8")


@lru_cache(maxsize=1)
def published_studies() -> tuple[PublishedStudy, ...]:
    """Every study of published.yaml, in file order."""
    data = yaml.safe_load(published_text())
    return tuple(
        PublishedStudy(
            id=s["id"], citation=s["citation"], verified=s.get("verified", "unverified"),
            agent=s.get("agent", "lu177_dotatate"), results=s.get("results", {}),
            models=s.get("models", {}), baseline=s.get("baseline", {}),
            n=s.get("n", s.get("n_safety")),
        )
        for s in data["studies"]
    )


def study(study_id: str) -> PublishedStudy:
    """One study by its id (e.g. ``okamoto2026``)."""
    for s in published_studies():
        if s.id == study_id:
            return s
    raise KeyError(study_id)
