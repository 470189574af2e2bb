"""Study configuration: the rules in force, parsed from ``study.toml``.

Every default below is a rule of shared/spec/derivations.md (section named next to it);
a ``study.toml`` may change it, and the report records the active values
(:meth:`StudyConfig.to_dict`). Unknown sections or keys are an error naming the key, never
ignored, so a typo cannot silently leave a default in force.

Example ``study.toml`` (every key optional)::

    [study]
    data_cutoff = "2025-06-30"  # "Study period and populations": default = latest registry date
    headline_population = "complete_case"   # or "evaluable"
    complete_case_covariates = ["primary_group", "krenning4", "liver_lesion_le30", "ki67_lt10",
                                "liver_burden_lt50", "ssa_concomitant"]   # default: the default models'
    [recist]
    confirmation_days = 28      # derivations.md "Tumour response", CBOR rules 1-2
    sd_min_days = 42            # CBOR rule 3 / BOR SD
    [safety]
    window_days = 365           # "Laboratory toxicity": post-baseline (acute) window after last cycle
    egfr_min_n = 10             # eGFR trajectory: stop drawing at the first window with fewer patients
    [labs]
    baseline_window_days = 30   # "Laboratory toxicity": baseline = C1 - 30 d .. C1
    [pfs]
    max_gap_days = 182          # "Time to event": censor a death after a longer scan gap
    [models]
    orr = "response ~ primary_group + krenning4 + liver_lesion_le30"
    pfs = "pfs ~ ki67_lt10 + krenning4 + liver_burden_lt50 + liver_lesion_le30 + ssa_concomitant"
    orr_method = "ml"           # or "firth": penalised likelihood, profile CIs, as R logistf
    [km]
    conf_type = "log-log"
    conf_level = 0.95
    landmarks_months = [12, 20, 24]
    [imputation]                # results-v1.md "Additions: missing data" (R mice defaults)
    m = 20                      # 0: no multiple imputation
    iterations = 5
    seed = 1
    donors = 5
    [iptw]                      # "Additions: confounding"
    exposure = "ssa_concomitant"
    covariates = ["age", "sex", "primary_group", "who_grade", "ki67_lt10", "krenning4",
                  "liver_burden_lt50", "prior_lines", "functioning"]
    truncation = [1, 99]        # percentiles; default: no truncation
    [sites]                     # "Additions: sites"
    min_site_n = 10
    [comparators]
    shipped = true              # comparators.md: the NETTER-1 / NETTER-2 files shipped with prrt-rwe
    files = ["my_trial.yaml"]   # more comparator files, relative to this study.toml
    bootstrap_resamples = 2000  # MAIC bootstrap (weights re-estimated in each resample)
    seed = 20260501
    [analyses]
    heavy = true                # false: skip the analyses not linear in the rows (results/heavy.py)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["StudyConfig", "ConfigError", "load_config", "parse_config"]

# derivations.md "Default models" (Okamoto et al. 2026).
DEFAULT_ORR_FORMULA = "response ~ primary_group + krenning4 + liver_lesion_le30"
DEFAULT_PFS_FORMULA = (
    "pfs ~ ki67_lt10 + krenning4 + liver_burden_lt50 + liver_lesion_le30 + ssa_concomitant"
)
KM_CONF_TYPES = ("log-log", "log", "plain")
ORR_METHODS = ("ml", "firth")
HEADLINE_POPULATIONS = ("complete_case", "evaluable")


class ConfigError(ValueError):
    """A study.toml that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class StudySection:
    """derivations.md "Study period and populations (wave 2)".

    ``data_cutoff`` None = the latest date of any kind in the registry. The complete-case
    covariates default to those of the *default* models, so that changing a model formula
    never changes the headline population.
    """

    data_cutoff: dt.date | None = None
    headline_population: str = "complete_case"
    complete_case_covariates: tuple[str, ...] | None = None

    @property
    def complete_case(self) -> tuple[str, ...]:
        if self.complete_case_covariates is not None:
            return self.complete_case_covariates
        return tuple(dict.fromkeys(formula_terms(DEFAULT_ORR_FORMULA)
                                   + formula_terms(DEFAULT_PFS_FORMULA)))


@dataclass(frozen=True)
class RecistConfig:
    """derivations.md "Tumour response (RECIST 1.1)"."""

    confirmation_days: int = 28
    sd_min_days: int = 42


@dataclass(frozen=True)
class SafetyConfig:
    """derivations.md "Laboratory toxicity": post-baseline (acute) window = last cycle +
    window_days; "Treatment-emergent toxicity and late effects": the eGFR trajectory is drawn
    up to the first 3-month window with fewer than egfr_min_n patients."""

    window_days: int = 365
    egfr_min_n: int = 10


@dataclass(frozen=True)
class LabsConfig:
    """derivations.md "Laboratory toxicity": baseline = last value C1 - baseline_window_days .. C1."""

    baseline_window_days: int = 30


@dataclass(frozen=True)
class PfsConfig:
    """derivations.md "Time to event": None = a death after a long gap is an event."""

    max_gap_days: int | None = None


@dataclass(frozen=True)
class ModelsConfig:
    """derivations.md "Default models"; primary_group reduced to orr_group_levels for the ORR model."""

    orr: str = DEFAULT_ORR_FORMULA
    pfs: str = DEFAULT_PFS_FORMULA
    orr_group_levels: tuple[str, ...] = ("pancreas", "hindgut", "other")
    orr_group_reference: str = "other"
    orr_method: str = "ml"  # "firth": Firth's penalised likelihood, profile CIs (R logistf)

    @property
    def orr_covariates(self) -> tuple[str, ...]:
        return formula_terms(self.orr)

    @property
    def pfs_covariates(self) -> tuple[str, ...]:
        return formula_terms(self.pfs)

    @property
    def covariates(self) -> tuple[str, ...]:
        """Every covariate of the configured models, first appearance order."""
        return tuple(dict.fromkeys(self.orr_covariates + self.pfs_covariates))


@dataclass(frozen=True)
class KmConfig:
    """derivations.md "Time to event": Kaplan-Meier CI scale and landmark months."""

    conf_type: str = "log-log"
    conf_level: float = 0.95
    landmarks_months: tuple[float, ...] = (12, 20, 24)


@dataclass(frozen=True)
class ImputationConfig:
    """results-v1.md "Additions: missing data": multiple imputation by chained equations of the
    model covariates; m imputations of ``iterations`` cycles each (mice's maxit), PMM donors.
    ``m = 0`` switches it off (it costs ~3 s of CPU per 1,000 patients at m = 20)."""

    m: int = 20
    iterations: int = 5
    seed: int = 1
    donors: int = 5


IPTW_COVARIATES = ("age", "sex", "primary_group", "who_grade", "ki67_lt10", "krenning4",
                   "liver_burden_lt50", "prior_lines", "functioning")


@dataclass(frozen=True)
class IptwConfig:
    """results-v1.md "Additions: confounding": the exposure, the propensity covariates and the
    weight truncation percentiles (None = no truncation)."""

    exposure: str = "ssa_concomitant"
    covariates: tuple[str, ...] = IPTW_COVARIATES
    truncation: tuple[float, float] | None = None


@dataclass(frozen=True)
class SitesConfig:
    """results-v1.md "Additions: sites": sites under ``min_site_n`` patients pooled as "other"."""

    min_site_n: int = 10


@dataclass(frozen=True)
class ComparatorsConfig:
    """shared/spec/comparators.md: which comparator files, and the MAIC bootstrap."""

    shipped: bool = True
    files: tuple[str, ...] = ()
    bootstrap_resamples: int = 2000
    seed: int = 20260501


@dataclass(frozen=True)
class AnalysesConfig:
    """Issue 17: ``heavy = false`` skips the analyses whose cost is not linear in the rows or
    that refit many times (the list: prrt_rwe.results.heavy.HEAVY_ANALYSES); the report lists
    them as not run."""

    heavy: bool = True


@dataclass(frozen=True)
class StudyConfig:
    """All study rules; ``StudyConfig()`` is the default of derivations.md."""

    study: StudySection = field(default_factory=StudySection)
    recist: RecistConfig = field(default_factory=RecistConfig)
    safety: SafetyConfig = field(default_factory=SafetyConfig)
    labs: LabsConfig = field(default_factory=LabsConfig)
    pfs: PfsConfig = field(default_factory=PfsConfig)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    km: KmConfig = field(default_factory=KmConfig)
    imputation: ImputationConfig = field(default_factory=ImputationConfig)
    iptw: IptwConfig = field(default_factory=IptwConfig)
    sites: SitesConfig = field(default_factory=SitesConfig)
    comparators: ComparatorsConfig = field(default_factory=ComparatorsConfig)
    analyses: AnalysesConfig = field(default_factory=AnalysesConfig)
    source: str | None = None  # path of the study.toml, None for the defaults

    def to_dict(self) -> dict:
        """JSON-able record of the rules in force (tuples as lists)."""
        out = dataclasses.asdict(self)
        return _lists(out)


def _lists(value):
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def formula_terms(formula: str) -> tuple[str, ...]:
    """Right-hand-side terms of ``y ~ a + b``; only ``+`` of bare names is supported."""
    if "~" not in formula:
        raise ConfigError(f"model formula {formula!r} has no '~'")
    rhs = formula.split("~", 1)[1]
    terms = tuple(t.strip() for t in rhs.split("+"))
    bad = [t for t in terms if not t.isidentifier()]
    if bad:
        raise ConfigError(f"model formula {formula!r}: unsupported term(s) {bad}; use 'a + b'")
    return terms


_SECTIONS = {
    "study": StudySection, "recist": RecistConfig, "safety": SafetyConfig, "labs": LabsConfig,
    "pfs": PfsConfig, "models": ModelsConfig, "km": KmConfig, "comparators": ComparatorsConfig,
    "analyses": AnalysesConfig,
    "imputation": ImputationConfig, "iptw": IptwConfig, "sites": SitesConfig,
}


def _check_int(where: str, value, *, optional: bool = False, minimum: int = 0):
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: expected an integer >= {minimum}, got {value!r}")
    return value


def _section(name: str, raw: dict, origin: str):
    cls = _SECTIONS[name]
    known = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, value in raw.items():
        where = f"{origin}: [{name}] {key}"
        if key not in known:
            raise ConfigError(f"{where}: unknown key (known: {', '.join(sorted(known))})")
        values[key] = _coerce(name, key, value, where)
    return cls(**values)


def _coerce_study(key: str, value, where: str):
    if key == "data_cutoff":
        if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
            raise ConfigError(f"{where}: expected a date (YYYY-MM-DD), got {value!r}")
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ConfigError(f"{where}: expected a date (YYYY-MM-DD), got {value!r}") from None
        return value
    if key == "headline_population":
        if value not in HEADLINE_POPULATIONS:
            raise ConfigError(f"{where}: expected one of {HEADLINE_POPULATIONS}, got {value!r}")
        return value
    if not isinstance(value, list) or not value or not all(
            isinstance(v, str) and v.isidentifier() for v in value):
        raise ConfigError(f"{where}: expected a non-empty list of covariate names, got {value!r}")
    return tuple(value)


def _coerce_iptw(key: str, value, where: str):
    if key == "exposure":
        if not isinstance(value, str) or not value.isidentifier():
            raise ConfigError(f"{where}: expected a covariate name, got {value!r}")
        return value
    if key == "covariates":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.isidentifier() for v in value):
            raise ConfigError(f"{where}: expected a non-empty list of covariate names, got {value!r}")
        return tuple(value)
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
          and 0 <= value[0] < value[1] <= 100)
    if not ok:
        raise ConfigError(f"{where}: expected two percentiles [lo, hi] with 0 <= lo < hi <= 100, got {value!r}")
    return (float(value[0]), float(value[1]))


def _coerce_comparators(key: str, value, where: str):
    if key == "shipped":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if key == "files":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where}: expected a list of comparator file paths, got {value!r}")
        return tuple(value)
    return _check_int(where, value, minimum=100 if key == "bootstrap_resamples" else 0)


def _coerce(section: str, key: str, value, where: str):
    if section == "analyses":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if section == "comparators":
        return _coerce_comparators(key, value, where)
    if section == "study":
        return _coerce_study(key, value, where)
    if section == "imputation":
        if key == "m" and value in (0, 1) and not isinstance(value, bool):
            if value == 1:
                raise ConfigError(f"{where}: expected 0 (no imputation) or at least 2 imputations, got 1")
            return 0
        return _check_int(where, value, minimum={"m": 2, "iterations": 1, "donors": 1}.get(key, 0))
    if section == "iptw":
        return _coerce_iptw(key, value, where)
    if section == "sites":
        return _check_int(where, value, minimum=1)
    if section in ("recist", "safety", "labs"):
        return _check_int(where, value)
    if section == "pfs":
        return _check_int(where, value, optional=True, minimum=1)
    if section == "models":
        if key == "orr_group_levels":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: expected a list of strings")
            return tuple(value)
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        if key == "orr_method" and value not in ORR_METHODS:
            raise ConfigError(f"{where}: expected one of {ORR_METHODS}, got {value!r}")
        if key in ("orr", "pfs"):
            try:
                formula_terms(value)
            except ConfigError as exc:
                raise ConfigError(f"{where}: {exc}") from None
        return value
    # km
    if key == "conf_type":
        if value not in KM_CONF_TYPES:
            raise ConfigError(f"{where}: expected one of {KM_CONF_TYPES}, got {value!r}")
        return value
    if key == "conf_level":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < 1:
            raise ConfigError(f"{where}: expected a number in (0, 1), got {value!r}")
        return float(value)
    if not isinstance(value, list) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in value
    ):
        raise ConfigError(f"{where}: expected a list of positive numbers, got {value!r}")
    return tuple(value)


def parse_config(raw: dict, origin: str | None = None) -> StudyConfig:
    """StudyConfig from an already-parsed TOML mapping; unknown sections/keys raise ConfigError.

    ``origin`` is the file it was read from (recorded as ``source``); None for a mapping
    built in code, named "study.toml" in messages."""
    source, origin = origin, origin or "study.toml"
    sections = {}
    for name, body in raw.items():
        if name not in _SECTIONS:
            raise ConfigError(
                f"{origin}: unknown section or key {name!r} (known sections: {', '.join(_SECTIONS)})"
            )
        if not isinstance(body, dict):
            raise ConfigError(f"{origin}: {name!r} must be a [section]")
        sections[name] = _section(name, body, origin)
    return StudyConfig(**sections, source=source)


def load_config(path: str | Path | None = None) -> StudyConfig:
    """The defaults of derivations.md when ``path`` is None, else those of ``study.toml``."""
    if path is None:
        return StudyConfig()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} on line {line}); "
                          "save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_config(raw, origin=str(path))
