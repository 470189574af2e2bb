"""The comparator-file schema (shared/spec/comparators.md) as frozen dataclasses, and the one
loader that checks a YAML file against it.

A file that breaks the schema raises :class:`ComparatorFileError` naming the file and the key
(``netter1.yaml: outcomes.orr.ci95: ...``); the CLI turns it into a usage error (exit 2).
Every number carries a ``source`` (paper, table or figure, page): ``n_source`` for the arm
size; each baseline target, outcome and the ``km`` block its own ``source``; eligibility
criteria may be written as ``{criterion: "...", source: "..."}`` (the shipped files do) or
as bare text.  Whether the variables named exist is checked on the ADSL of the run
(:mod:`prrt_rwe.results.comparators`), and reported there, not here: the schema cannot know
which covariates a registry's derivation produced.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from prrt_rwe.benchmarks.comparators.eligibility import Criterion, CriterionError, parse_criterion
from prrt_rwe.benchmarks.comparators.km_files import (
    AT_RISK_COLUMNS,
    CURVE_COLUMNS,
    KmFileError,
    numeric_csv,
    reconstruct_files,
)

__all__ = ["Comparator", "ComparatorFileError", "KmCurve", "Outcome", "Target", "load_comparator"]

ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
TOP_KEYS = {"id", "study", "arm", "reference", "design", "n", "n_source", "eligibility",
            "eligibility_notes", "baseline", "outcomes", "km", "notes"}
TARGET_KEYS = {"mean", "median", "proportion", "level", "n", "N", "source", "note"}
OUTCOMES = {"orr": {"estimate", "ci95", "n", "N", "source", "note"},
            "pfs_rate": {"months", "estimate", "ci95", "N", "source", "note"},
            "pfs_median_months": {"estimate", "ci95", "N", "source", "note"},
            "os_median_months": {"estimate", "ci95", "N", "source", "note"}}
KM_KEYS = {"endpoint", "curve", "at_risk", "total_events", "source"}
KM_ENDPOINTS = ("pfs",)


class ComparatorFileError(ValueError):
    """A comparator file that breaks the schema; names the file and the key."""

    def __init__(self, path, key: str, problem: str):
        self.path, self.key = str(path), key
        where = f"{Path(path).name}: {key}: " if key else f"{Path(path).name}: "
        super().__init__(where + problem)


@dataclass(frozen=True)
class Target:
    """A published baseline characteristic: a mean, a median (reported, not matched) or the
    proportion of a boolean covariate or of one ``level`` of a coded variable."""

    variable: str
    kind: str  # "mean" | "median" | "proportion"
    value: float
    source: str
    level: str | None = None
    n: int | None = None
    N: int | None = None

    @property
    def matched(self) -> bool:
        return self.kind != "median"

    @property
    def label(self) -> str:
        return f"{self.variable} = {self.level}" if self.level is not None else self.variable


@dataclass(frozen=True)
class Outcome:
    name: str
    estimate: float | None  # None: not reached / not estimable as published
    source: str
    ci95: tuple | None = None
    n: int | None = None
    N: int | None = None
    months: float | None = None  # pfs_rate landmark
    note: str | None = None


@dataclass(frozen=True)
class KmCurve:
    endpoint: str
    time_months: np.ndarray
    survival: np.ndarray
    at_risk_months: np.ndarray
    n_at_risk: np.ndarray
    source: str
    total_events: int | None = None
    curve_file: str = ""
    at_risk_file: str = ""
    ipd: object = None  # stats.ReconstructedIPD, reconstructed when the file is loaded


@dataclass(frozen=True)
class Comparator:
    id: str
    study: str
    arm: str
    reference: str
    n: int
    n_source: str
    design: str = ""
    eligibility: tuple[Criterion, ...] = ()
    eligibility_notes: str = ""
    baseline: tuple[Target, ...] = ()
    outcomes: dict = field(default_factory=dict)  # name -> Outcome
    km: KmCurve | None = None
    notes: str = ""
    path: str = ""

    def outcome(self, name: str) -> Outcome | None:
        return self.outcomes.get(name)


def _number(path, key, value, *, integer=False, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ComparatorFileError(path, key, f"must be a {'whole ' if integer else ''}number, got {value!r}")
    if integer and value != int(value):
        raise ComparatorFileError(path, key, f"must be a whole number, got {value!r}")
    return int(value) if integer else float(value)


def _text(path, key, value, required=True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ComparatorFileError(path, key, "must be a non-empty text")
    return value.strip()


def _mapping(path, key, value, allowed: set) -> dict:
    if not isinstance(value, dict):
        raise ComparatorFileError(path, key, f"must be a mapping, got {type(value).__name__}")
    unknown = sorted(set(map(str, value)) - allowed)
    if unknown:
        where = f"{key}." if key else ""
        raise ComparatorFileError(path, where + unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")
    return value


def _source(path, key, node) -> str:
    if "source" not in node:
        raise ComparatorFileError(path, f"{key}.source", "missing: every number needs its source "
                                  "(paper, table or figure, page)")
    return _text(path, f"{key}.source", node["source"])


def _ci(path, key, value, lo_bound=-math.inf, hi_bound=math.inf):
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise ComparatorFileError(path, key, "must be a list [lower, upper] (null for a limit not estimable)")
    lo, hi = (_number(path, key, v, allow_none=True) for v in value)
    for v in (lo, hi):
        if v is not None and not lo_bound <= v <= hi_bound:
            raise ComparatorFileError(path, key, f"limit {v:g} outside [{lo_bound:g}, {hi_bound:g}]")
    if lo is not None and hi is not None and lo > hi:
        raise ComparatorFileError(path, key, f"lower limit {lo:g} above upper limit {hi:g}")
    return (lo, hi)


def _criteria(path, value) -> tuple[Criterion, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ComparatorFileError(path, "eligibility", "must be a list of criteria")
    out = []
    for i, item in enumerate(value):
        key = f"eligibility[{i}]"
        source = None
        if isinstance(item, dict):
            item = _mapping(path, key, item, {"criterion", "source"})
            source = _source(path, key, item)
            item = item.get("criterion")
        try:
            out.append(parse_criterion(item, source))
        except CriterionError as exc:
            raise ComparatorFileError(path, key, str(exc)) from None
    return tuple(out)


def _target(path, name, node) -> Target:
    key = f"baseline.{name}"
    node = _mapping(path, key, node, TARGET_KEYS)
    kinds = [k for k in ("mean", "median", "proportion") if k in node]
    if len(kinds) != 1:
        raise ComparatorFileError(path, key, "give exactly one of mean, median or proportion")
    kind = kinds[0]
    value = _number(path, f"{key}.{kind}", node[kind])
    if kind == "proportion" and not 0 <= value <= 1:
        raise ComparatorFileError(path, f"{key}.proportion", f"{value:g} is not a proportion in [0, 1]")
    level = node.get("level")
    if level is not None and kind != "proportion":
        raise ComparatorFileError(path, f"{key}.level", "a level goes with a proportion")
    if level is not None and not isinstance(level, (str, int)) or isinstance(level, bool):
        raise ComparatorFileError(path, f"{key}.level", "must be a code such as \"M\" or \"G2\"")
    n = _number(path, f"{key}.n", node["n"], integer=True) if "n" in node else None
    N = _number(path, f"{key}.N", node["N"], integer=True) if "N" in node else None
    return Target(str(name), kind, value, _source(path, key, node), None if level is None else str(level), n, N)


def _outcome(path, name, node) -> Outcome:
    key = f"outcomes.{name}"
    if name not in OUTCOMES:
        raise ComparatorFileError(path, key, f"unknown outcome (allowed: {', '.join(OUTCOMES)})")
    node = _mapping(path, key, node, OUTCOMES[name])
    source = _source(path, key, node)
    if "estimate" not in node:
        raise ComparatorFileError(path, f"{key}.estimate", "missing (null for 'not reached')")
    is_rate = name in ("orr", "pfs_rate")
    bounds = (0.0, 1.0) if is_rate else (0.0, math.inf)
    estimate = _number(path, f"{key}.estimate", node["estimate"], allow_none=True)
    if estimate is not None and not bounds[0] <= estimate <= bounds[1]:
        raise ComparatorFileError(path, f"{key}.estimate", f"{estimate:g} outside [{bounds[0]:g}, {bounds[1]:g}]"
                                  + (" (give a proportion, not a percentage)" if is_rate else ""))
    ci = _ci(path, f"{key}.ci95", node.get("ci95"), *bounds)
    if ci and estimate is not None and any(v is not None and not ok for v, ok in
                                          ((ci[0], ci[0] is None or ci[0] <= estimate),
                                           (ci[1], ci[1] is None or estimate <= ci[1]))):
        raise ComparatorFileError(path, f"{key}.ci95", f"does not contain the estimate {estimate:g}")
    n = _number(path, f"{key}.n", node["n"], integer=True) if "n" in node else None
    N = _number(path, f"{key}.N", node["N"], integer=True) if "N" in node else None
    if n is not None and N is not None and not 0 <= n <= N:
        raise ComparatorFileError(path, f"{key}.n", f"{n} responders out of N = {N}")
    months = None
    if name == "pfs_rate":
        if "months" not in node:
            raise ComparatorFileError(path, f"{key}.months", "missing: the landmark of the published rate")
        months = _number(path, f"{key}.months", node["months"])
        if months <= 0:
            raise ComparatorFileError(path, f"{key}.months", "must be > 0")
    return Outcome(name, estimate, source, ci, n, N, months, node.get("note"))


def _km(path: Path, node) -> KmCurve:
    node = _mapping(path, "km", node, KM_KEYS)
    source = _source(path, "km", node)
    endpoint = node.get("endpoint", "pfs")
    if endpoint not in KM_ENDPOINTS:
        raise ComparatorFileError(path, "km.endpoint", f"{endpoint!r} not supported (only {', '.join(KM_ENDPOINTS)})")
    curve_name = _text(path, "km.curve", node.get("curve"))
    risk_name = _text(path, "km.at_risk", node.get("at_risk"))
    total = _number(path, "km.total_events", node["total_events"], integer=True) if "total_events" in node else None
    try:
        curve = numeric_csv(path.parent / curve_name, CURVE_COLUMNS)
        risk = numeric_csv(path.parent / risk_name, AT_RISK_COLUMNS)
        ipd = reconstruct_files(path.parent / curve_name, path.parent / risk_name, total_events=total)
    except KmFileError as exc:
        raise ComparatorFileError(path, "km", str(exc)) from None
    return KmCurve(endpoint, curve["time_months"].to_numpy(), curve["survival"].to_numpy(),
                   risk["time_months"].to_numpy(), risk["n_at_risk"].to_numpy(), source, total,
                   curve_name, risk_name, ipd)


def load_comparator(path) -> Comparator:
    """Read and check one comparator YAML file (see the module doc)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ComparatorFileError(path, "", f"cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ComparatorFileError(path, "", f"{where}not valid YAML ({getattr(exc, 'problem', exc)})") from None
    data = _mapping(path, "", data, TOP_KEYS)
    for key in ("id", "study", "arm", "reference", "n", "n_source"):
        if key not in data:
            raise ComparatorFileError(path, key, "missing")
    ident = _text(path, "id", data["id"])
    if not ID_PATTERN.match(ident):
        raise ComparatorFileError(path, "id", f"{ident!r} must use only a-z, 0-9 and _")
    n = _number(path, "n", data["n"], integer=True)
    if n < 1:
        raise ComparatorFileError(path, "n", "must be at least 1")
    baseline = data.get("baseline") or {}
    outcomes = data.get("outcomes") or {}
    if not isinstance(baseline, dict):
        raise ComparatorFileError(path, "baseline", "must be a mapping of ADSL variable -> target")
    if not isinstance(outcomes, dict):
        raise ComparatorFileError(path, "outcomes", "must be a mapping of outcome -> published value")
    return Comparator(
        id=ident, study=_text(path, "study", data["study"]), arm=_text(path, "arm", data["arm"]),
        reference=_text(path, "reference", data["reference"]), n=n,
        n_source=_text(path, "n_source", data["n_source"]), design=_text(path, "design", data.get("design"), False),
        eligibility=_criteria(path, data.get("eligibility")),
        eligibility_notes=_text(path, "eligibility_notes", data.get("eligibility_notes"), False),
        baseline=tuple(_target(path, str(k), v) for k, v in baseline.items()),
        outcomes={str(k): _outcome(path, str(k), v) for k, v in outcomes.items()},
        km=_km(path, data["km"]) if data.get("km") is not None else None,
        notes=_text(path, "notes", data.get("notes"), False), path=str(path))
