"""The PRRT registry format, version 1, as data.

Source: shared/spec/registry-format-v1.md. Validation, the DuckDB layout, the docs and the
synthetic generator all read these tables; nothing else restates the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FORMAT_VERSION = "registry-format-v1"

# Column types of the format (spec "type" column).
TEXT, CODE, INTEGER, NUMBER, DATE, YESNO = "text", "code", "integer", "number", "date", "yesno"

DUCKDB_TYPES = {
    TEXT: "VARCHAR",
    CODE: "VARCHAR",
    INTEGER: "BIGINT",
    NUMBER: "DOUBLE",
    DATE: "DATE",
    YESNO: "BOOLEAN",
}

# Spec "Conventions": yes/no spellings, matched case-insensitively.
YES_VALUES = ("yes", "y", "true", "1")
NO_VALUES = ("no", "n", "false", "0")

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Column:
    """One column of a registry table.

    ``required`` means the column must be present and every value filled; ``codes`` lists the
    canonical spellings (matched case-insensitively, stored as written here); ``min``/``max``
    bound valid values (errors); ``warn_min``/``warn_max`` bound plausible values (warnings).
    """

    name: str
    type: str
    required: bool = False
    codes: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    warn_min: float | None = None
    warn_max: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Table:
    """One registry file (CSV) or workbook sheet (.xlsx)."""

    name: str
    columns: tuple[Column, ...]
    file_required: bool = False
    key: tuple[str, ...] | None = None
    note: str = ""
    # Columns added at ingest, after the registry columns (name, DuckDB type).
    derived_columns: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


PRIMARY_SITES = (
    "pancreas", "stomach", "duodenum", "small_intestine", "appendix", "cecum", "colon",
    "rectum", "lung", "thymus", "unknown", "other",
)
RESPONSES = ("CR", "PR", "SD", "NON_CR_NON_PD", "PD", "NE")
LAB_TESTS = (
    "platelets", "neutrophils", "wbc", "lymphocytes", "hemoglobin", "creatinine",
    "bilirubin", "alt", "ast", "albumin", "chromogranin_a",
)

_SITE = Column("site_id", TEXT, required=True, note="institution code")
_PATIENT = Column("patient_id", TEXT, required=True, note="pseudonymous, unique within site")

PATIENTS = Table(
    "patients",
    file_required=True,
    key=("site_id", "patient_id"),
    note="one row per treated or enrolled patient",
    columns=(
        _SITE,
        _PATIENT,
        Column("sex", CODE, required=True, codes=("M", "F")),
        Column("age", INTEGER, required=True, min=18, max=110, note="years at first cycle"),
        Column("primary_site", CODE, required=True, codes=PRIMARY_SITES),
        Column("who_grade", CODE, codes=("G1", "G2", "G3", "NEC")),
        Column("ki67_percent", NUMBER, min=0, max=100),
        Column("krenning_score", INTEGER, min=0, max=4, note="SSTR imaging uptake, Krenning scale"),
        Column("functioning", YESNO, note="hormonal syndrome present at baseline"),
        Column("ecog", INTEGER, min=0, max=4),
        Column("liver_metastases", YESNO),
        Column("liver_tumor_burden_percent", NUMBER, min=0, max=100,
               note="share of liver volume replaced by tumour; 0 when no liver metastases"),
        Column("largest_liver_lesion_mm", NUMBER, min=0,
               note="longest diameter of the largest liver metastasis; empty when none"),
        Column("bone_metastases", YESNO),
        Column("prior_lines", INTEGER, min=0, note="systemic lines before PRRT"),
        Column("prior_ssa", YESNO, note="somatostatin analogue before PRRT"),
        Column("ssa_concomitant", YESNO, note="SSA given together with PRRT"),
        Column("diagnosis_date", DATE, note="must not be after first cycle"),
        Column("next_therapy_date", DATE, note="start of the next anticancer therapy after PRRT"),
        Column("last_contact_date", DATE, note="last date known alive (or date of death)"),
        Column("death_date", DATE),
    ),
)

# Covariates whose absence is reported as a data-quality warning (spec: "missing covariates").
MODEL_COVARIATES = (
    "primary_site", "ki67_percent", "krenning_score", "liver_metastases",
    "liver_tumor_burden_percent", "largest_liver_lesion_mm", "ssa_concomitant",
)

CYCLES = Table(
    "cycles",
    file_required=True,
    key=("site_id", "patient_id", "cycle"),
    note="one row per administration",
    columns=(
        _SITE,
        _PATIENT,
        Column("cycle", INTEGER, required=True, min=1, note="unique per patient, increasing with date"),
        Column("date", DATE, required=True),
        Column("agent", CODE, codes=("lu177_dotatate", "lu177_dotatoc", "lu177_edotreotide", "other"),
               note="default lu177_dotatate"),
        Column("activity_gbq", NUMBER, required=True, min=0.5, max=15, warn_min=3.7, warn_max=8.0,
               note="administered activity (7.4 nominal)"),
    ),
)

ASSESSMENTS = Table(
    "assessments",
    file_required=True,
    note="one row per tumour assessment time point",
    columns=(
        _SITE,
        _PATIENT,
        Column("date", DATE, required=True, note="baseline scan = last one on or before C1"),
        Column("overall_response", CODE, codes=RESPONSES,
               note="required after baseline; empty on the baseline row"),
        Column("sum_diameters_mm", NUMBER, min=0, note="sum of target-lesion diameters"),
        Column("new_lesions", YESNO),
        Column("modality", CODE, codes=("CT", "MRI", "PET_CT", "other")),
    ),
)

LESIONS = Table(
    "lesions",
    note="optional lesion measurements; time-point responses are recomputed from them",
    columns=(
        _SITE,
        _PATIENT,
        Column("date", DATE, required=True),
        Column("lesion_id", TEXT, required=True),
        Column("role", CODE, required=True, codes=("target", "non_target", "new")),
        Column("organ", TEXT),
        Column("lymph_node", YESNO),
        Column("diameter_mm", NUMBER, min=0),
        Column("status", CODE, codes=("present", "absent", "unequivocal_progression")),
    ),
)

LABS = Table(
    "labs",
    note="one row per result; value, lln and uln are stored in canonical units",
    columns=(
        _SITE,
        _PATIENT,
        Column("date", DATE, required=True),
        Column("test", CODE, required=True, codes=LAB_TESTS),
        Column("value", NUMBER, required=True, min=0, warn_max=None),
        Column("unit", TEXT, required=True, note="converted to the canonical unit of the test"),
        Column("lln", NUMBER, note="site reference range, same unit as value"),
        Column("uln", NUMBER, note="site reference range, same unit as value"),
    ),
    derived_columns=(
        ("value_original", "DOUBLE"),
        ("unit_original", "VARCHAR"),
        ("lln_original", "DOUBLE"),
        ("uln_original", "DOUBLE"),
    ),
)

ADVERSE_EVENTS = Table(
    "adverse_events",
    note="clinician-reported events",
    columns=(
        _SITE,
        _PATIENT,
        Column("term", TEXT, required=True, note="CTCAE term"),
        Column("onset_date", DATE, required=True),
        Column("grade", INTEGER, required=True, min=1, max=5),
        Column("ctcae_version", CODE, codes=("4.03", "5.0"), note="default 5.0"),
        Column("serious", YESNO),
    ),
)

HORMONAL_SYMPTOMS = Table(
    "hormonal_symptoms",
    key=("site_id", "patient_id"),
    note="patients with a hormonal syndrome at baseline",
    columns=(
        _SITE,
        _PATIENT,
        Column("syndrome", CODE, required=True,
               codes=("carcinoid", "insulinoma", "gastrinoma", "glucagonoma", "vipoma", "other")),
        Column("response", CODE, required=True,
               codes=("marked_improvement", "improvement", "no_change", "worsening", "not_evaluable")),
    ),
)

SITES = Table(
    "sites",
    key=("site_id",),
    note="optional; names are shown only when given",
    columns=(_SITE, Column("name", TEXT), Column("country", TEXT)),
)

TABLES: tuple[Table, ...] = (
    PATIENTS, CYCLES, ASSESSMENTS, LESIONS, LABS, ADVERSE_EVENTS, HORMONAL_SYMPTOMS, SITES,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
