"""ADaM datasets from an ingested database: :func:`derive_all` and :class:`AdamDatasets`.

Contract: docs/adam.md. Every dataset carries USUBJID = ``<site_id>-<patient_id>``, SITEID,
SUBJID; dates are ``datetime64[ns]`` at midnight; Y/N flags are strings; rows are sorted by
USUBJID, then PARAMCD, then date (then the input line), so the order is deterministic.
ADSL holds every enrolled patient; the other datasets hold safety-set patients only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
import pyarrow as pa
import pyarrow.parquet as pq

from prrt_rwe.config import StudyConfig, load_config
from prrt_rwe.derive import (adlb as adlb_mod, adverse_events, analysis_sets, baseline, ctcae,
                             hormonal, kidney, lab_results, late_effects, recist,
                             response_duration, time_to_event, tumour_size)
from prrt_rwe.derive.lab_results import LabResults
from prrt_rwe.derive.layout import Ids, with_dates
from prrt_rwe.derive.relational import follow_up as relational_follow_up
from prrt_rwe.derive.relational import lesions as relational_lesions
from prrt_rwe.derive.relational import registry as relational_registry
from prrt_rwe.derive.relational import response as relational_response
from prrt_rwe.derive.relational import treatment as relational_treatment
from prrt_rwe.derive.source import no_flag, read_staged, read_tumour_sums, to_dates, yn
from prrt_rwe.results.heavy import runs

DATASET_NAMES = ("adsl", "adrs", "adtte", "adlb", "adae", "adhs")
# Columns the files carry that no statistic reads (results/, report/): the analysis drops them
# from the frames once the files' tables are built (AdamDatasets.drop_file_only_columns), about
# 1.4 GB of repeated text at 1e6 patients (issue 17).
FILE_ONLY_COLUMNS = {"adrs": ("SUBJID", "PARAM", "AVALC_LESIONS"),
                     "adtte": ("SUBJID", "PARAM", "EVNTDESC", "CNSDTDSC")}


@dataclass(frozen=True)
class AdamDatasets:
    """The ADaM datasets and summaries of docs/adam.md."""

    adsl: pd.DataFrame
    adrs: pd.DataFrame
    adtte: pd.DataFrame
    labs: LabResults   # ADLB: its file, written by the engine, and what the analyses read of it
    adae: pd.DataFrame
    adhs: pd.DataFrame
    exclusions: list[tuple[str, int]]
    worst_grades: dict[str, dict[str, int]]
    egfr_change: pd.DataFrame
    recist_discrepancies: pd.DataFrame
    hormonal_symptoms: dict[str, int]
    rules: dict = field(default_factory=dict)
    cutoff_ignored: dict[str, int] = field(default_factory=dict)   # derive/cutoff.py IGNORED_KEYS
    tumour_change: pd.DataFrame | None = None   # derive/tumour_size.py (the waterfall plot)

    @property
    def adlb(self) -> pd.DataFrame:
        """ADLB read back from its file (LabResults.frame: tests and small studies only)."""
        return self.labs.frame()

    def file_tables(self) -> dict[str, pa.Table]:
        """Every frame but ADLB as the Arrow table its file gets (text columns zero-copy)."""
        return {name: _dates_as_dates(pa.Table.from_pandas(getattr(self, name), preserve_index=False))
                for name in DATASET_NAMES if name != "adlb"}

    def drop_file_only_columns(self) -> None:
        """Remove FILE_ONLY_COLUMNS from the frames, in place: called once their files' tables
        are built (:meth:`file_tables`), so their memory goes once each table is written."""
        for name, columns in FILE_ONLY_COLUMNS.items():
            frame = getattr(self, name)
            for col in columns:
                if col in frame.columns:
                    del frame[col]

    def write_parquet(self, folder, tables: dict | None = None) -> list[Path]:
        """Write adsl.parquet ... adhs.parquet into ``folder``, each file atomically, dates as
        Arrow/Parquet dates (date32, no nanosecond timestamps); returns the paths. ADLB is the
        file the engine wrote, moved into place. ``tables``: those of :meth:`file_tables`,
        each taken out of the dict as it is written (so it is freed then); None: built here."""
        from prrt_rwe.outputs.atomic import write_with

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in DATASET_NAMES:
            if name == "adlb":
                paths.append(self.labs.move_into(folder / "adlb.parquet"))
                continue
            table = (tables.pop(name) if tables is not None else
                     _dates_as_dates(pa.Table.from_pandas(getattr(self, name), preserve_index=False)))
            paths.append(write_with(folder / f"{name}.parquet", lambda tmp, t=table: pq.write_table(t, tmp)))
            del table
        return paths


def _dates_as_dates(table: pa.Table) -> pa.Table:
    """Every timestamp column (ADaM dates, midnight) as date32."""
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            table = table.set_column(i, pa.field(f.name, pa.date32()), table.column(i).cast(pa.date32()))
    return table


def derive_all(con, config: StudyConfig | None = None, release_engine: bool = False) -> AdamDatasets:
    """Every dataset of docs/adam.md from an engine (prrt_rwe.engines) or a DuckDB connection
    with the schema layout; the row-level work runs in the engine (derive/relational/).
    ``release_engine``: the caller closes the engine next, so its staged relations and memory
    are released (Engine.release) after the last query, before ADSL, ADTTE and ADAE are built;
    otherwise the staged relations stay readable."""
    config = config if config is not None else load_config(None)
    engine = as_engine(con)
    staged = relational_registry.stage(engine, config.study.data_cutoff)   # every stage sees the cut data
    cutoff, tables = staged.cutoff, staged.tables
    reg = read_staged(engine, tables, frames=("adverse_events", "hormonal_symptoms"))   # lesions: in the engine
    ids = Ids(reg.patients)
    n = reg.n
    cov = baseline.baseline_covariates(reg, relational_treatment.treatment(engine, tables))
    c1 = cov["TRTSDT_D"].to_numpy()
    safety = ~np.isnan(c1)

    ovr = relational_response.ovr_rows(engine, tables)
    fu = relational_follow_up.follow_up(engine, tables)
    lesion_tp, discrepancies = relational_lesions.lesion_responses(engine, tables)
    best = relational_response.best_responses(engine, config.recist.confirmation_days, config.recist.sd_min_days)
    sets = analysis_sets.analysis_sets(
        cov["n_cycles"].to_numpy(), fu["has_baseline"].to_numpy(),
        analysis_sets.covariates_complete(cov, config.study.complete_case),
    )
    analysis_sets.covariates_complete(cov, config.models.covariates)   # unknown model terms raise
    adrs = ids.attach(_adrs(ovr, best, lesion_tp, c1, safety), ("PARAMCD", "date", "source_line")) \
        .pipe(with_dates, ["ADT"])
    del ovr, lesion_tp   # millions of rows at registry scale: gone before the labs are derived
    # the target-lesion sums (millions of rows at registry scale) read and reduced before the
    # labs and the other datasets are in memory
    tumour_change = ids.attach(tumour_size.best_change(
        *read_tumour_sums(engine, tables), c1, cov["next_therapy_date_D"].to_numpy(),
        fu["first_pd"].to_numpy(), n))
    if release_engine:   # the response and cycle relations, read: not held beside the ADLB parts
        engine.drop([relational_registry.relation(t) for t in ("assessments", "cycles")] + ["prrt_ovr", "prrt_lesion_tp"])
    labs, lab_patients = lab_results.derive_labs(
        engine, tables, ids, safety, baseline_window_days=config.labs.baseline_window_days,
        window_days=config.safety.window_days, slope_rows=runs(config, "egfr_mixed_model"))
    if release_engine:   # the last query: at 1e6 patients DuckDB's 2 GB otherwise set the peak
        engine.release()
    worst = lab_patients.worst
    adae = adverse_events.ae_rows(reg.adverse_events, c1)
    adhs = hormonal.hormonal_rows(reg.hormonal_symptoms, safety)
    del reg   # the registry's patient rows: ids and cov hold what is read of them
    # the per-patient frames summarised and released before ADTTE is built (issue 17: the
    # 1e6 peak was there, with cov, fu, the registry and the lab results still held)
    exclusions = analysis_sets.exclusion_counts(sets["EXCLRSN"])
    worst_grades = adlb_mod.worst_grade_counts(worst, safety)
    egfr_change = ids.attach(lab_patients.egfr_change)
    recist_discrepancies = ids.attach(discrepancies, ("date",)).pipe(with_dates, ["ADT"])

    # each dataset put in its final form as soon as it is complete, the frame it came from
    # released at once (at registry scale both forms of every dataset held together were GBs)
    adsl = _adsl(cov, sets, worst, adverse_events.patient_flags(adae, n), safety)
    del sets, worst
    adsl["DCUTDT"] = to_dates(np.full(n, cutoff))
    adsl = ids.attach(adsl)
    adtte = _adtte(n, cov, fu, best["CBOR"][0], config, safety)
    del fu, best
    adtte = concat_rows([adtte, _late_effects(lab_patients, adae, cov, adtte, safety)])
    del cov, lab_patients
    adtte["CMPEVFL"] = yn(adtte["CMPEVFL"].fillna(False).to_numpy(dtype=bool))
    adtte = ids.attach(adtte, ("PARAMCD",)).pipe(with_dates, ["STARTDT", "ADT"])
    adae = ids.attach(_flags(adae, ["TRTEMFL", "HEMFL", "RENALFL", "MDSAMLFL"]),
                      ("date", "source_line")).pipe(with_dates, ["ASTDT"])
    hormonal_symptoms = hormonal.hormonal_summary(adhs)
    adhs = ids.attach(_flags(adhs, ["EVALFL", "MARKFL", "ANYIMPFL"]))
    return AdamDatasets(
        adsl=adsl,
        adrs=adrs,
        adtte=adtte,
        labs=labs,
        adae=adae,
        adhs=adhs,
        exclusions=exclusions,
        worst_grades=worst_grades,
        egfr_change=egfr_change,
        recist_discrepancies=recist_discrepancies,
        hormonal_symptoms=hormonal_symptoms,
        rules=rules_in_force(config),
        cutoff_ignored=staged.ignored,
        tumour_change=tumour_change,
    )


def as_engine(con):
    """An Engine as is; a DuckDB connection wrapped (left open)."""
    from prrt_rwe.engines import Engine
    from prrt_rwe.engines.duckdb_engine import DuckDBEngine

    return con if isinstance(con, Engine) else DuckDBEngine.wrap(con)


def _flags(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for name in names:
        frame[name] = yn(frame[name].to_numpy())
    return frame


def _adsl(cov, sets, worst, ae_flags, safety) -> pd.DataFrame:
    adsl = pd.DataFrame({"pidx": cov["pidx"].to_numpy()})
    adsl["SAFFL"] = yn(sets["SAFFL"])
    adsl["EVALFL"] = yn(sets["EVALFL"])
    adsl["EFFFL"] = yn(sets["EFFFL"])
    adsl["EXCLRSN"] = sets["EXCLRSN"].to_numpy()
    for name, col in (("TRTSDT", "TRTSDT_D"), ("TRTEDT", "TRTEDT_D"), ("DTHDT", "death_date_D"),
                      ("NTHDT", "next_therapy_date_D"), ("LSTCNDT", "last_contact_date_D")):
        adsl[name] = to_dates(cov[col].to_numpy())
    for col in ("age", "sex", "primary_site", "primary_group", "who_grade", "ki67_percent",
                "ki67_lt10", "krenning_score", "krenning4", "liver_metastases",
                "liver_tumor_burden_percent", "largest_liver_lesion_mm", "liver_burden_lt50",
                "liver_lesion_le30", "ssa_concomitant", "functioning", "ecog", "prior_lines",
                "n_cycles", "cumulative_activity_gbq", "bone_metastases", "prior_ssa",
                "liver_lesion3", "liver_burden3", "months_diagnosis_to_c1", "activity_c1_gbq"):
        adsl[col] = cov[col].array
    for col in ("sex", "primary_site", "primary_group", "who_grade", "liver_lesion3", "liver_burden3"):
        adsl[col] = pd.array(adsl[col].to_numpy(dtype=object), dtype="str")
    w = {t: worst[t].to_numpy() for t in worst.columns}
    lab = {
        "LBHEM3FL": np.max([w[t] for t in adlb_mod.HEMATOLOGIC_LAB_TESTS], axis=0) >= 3,
        "LBLYM3FL": w["lymphocytes"] >= 3,
        "LBREN3FL": np.max([w[t] for t in adlb_mod.RENAL_LAB_TESTS], axis=0) >= 3,
    }
    for name, hit in {**lab, **ae_flags}.items():
        adsl[name] = yn(hit & safety)
    return adsl


ADRS_PARAMS = {"OVR": "Overall response at time point (recorded)",
               "CBOR": "Confirmed best overall response (RECIST 1.1)",
               "BOR": "Best overall response, unconfirmed (RECIST 1.1)"}


def _adrs(ovr, best, lesion_tp, c1, safety) -> pd.DataFrame:
    """OVR rows of the safety set, then CBOR and BOR per safety-set patient; PARAMCD, PARAM and
    AVALC as categoricals (ids.attach writes them as ``str``: no string per row meanwhile)."""
    rows = ovr[safety[ovr["pidx"].to_numpy()]]
    rows = rows.assign(ANL01FL=yn(rows["ANL01FL"].to_numpy()))
    if lesion_tp is not None:
        rows = rows.merge(lesion_tp, on=["pidx", "date"], how="left")
    keep = np.flatnonzero(safety)
    frames, avalc = [rows.drop(columns=["AVALC"])], [pd.Categorical(rows["AVALC"])]
    for aval, adt in best.values():
        frames.append(pd.DataFrame({
            "pidx": keep, "date": adt[keep],
            "ADY": pd.array(np.where(np.isnan(adt[keep]), None, adt[keep] - c1[keep]), dtype="Int64"),
            "ANL01FL": no_flag(len(keep)), "source_line": -1,
        }))
        avalc.append(pd.Categorical(aval[keep]))
    out = pd.concat(frames, ignore_index=True)
    out["ADY"] = out["ADY"].astype("Int64")
    codes = ["OVR", *best]
    kind = np.repeat(np.arange(len(frames), dtype=np.int8), [len(f) for f in frames])
    out["PARAMCD"] = pd.Categorical.from_codes(kind, codes)
    out["PARAM"] = pd.Categorical.from_codes(kind, [ADRS_PARAMS[c] for c in codes])
    out["AVALC"] = _joined_text(avalc)
    cols = ["pidx", "PARAMCD", "PARAM", "date", "ADY", "AVALC", "ANL01FL", "source_line"]
    return out[cols + [c for c in out.columns if c not in cols]]


def _joined_text(pieces: list[pd.Categorical]) -> pd.Categorical:
    """Text categoricals one after the other (categories as ``str``: an empty or all-missing
    piece has object categories, which union_categoricals does not join)."""
    return union_categoricals([pd.Categorical.from_codes(p.codes, p.categories.astype("str")) for p in pieces])


def _adtte(n: int, cov, fu, cbor, config: StudyConfig, safety) -> pd.DataFrame:
    c1 = cov["TRTSDT_D"].to_numpy()
    death = cov["death_date_D"].to_numpy()
    nth = cov["next_therapy_date_D"].to_numpy()
    pfs = time_to_event.pfs(c1, fu["first_pd"].to_numpy(), fu["last_adequate"].to_numpy(), death, nth,
                            config.pfs.max_gap_days)
    os_rows = time_to_event.os_(c1, death, fu["latest"].to_numpy())
    frames = []
    for frame in (pfs, os_rows, time_to_event.followup(os_rows)):
        frame = frame.assign(pidx=np.arange(n))[safety]
        frames.append(frame)
    frames.append(response_duration.response_rows(cbor, fu["first_response"].to_numpy(), c1, pfs, safety))
    out = concat_rows(frames)
    out["AVAL"] = out["AVAL"].astype(np.int64)
    cols = ["pidx", "PARAMCD", "PARAM", "STARTDT_D", "ADT_D", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC"]
    return out[cols]


ADTTE_TEXT = ("PARAMCD", "PARAM", "EVNTDESC", "CNSDTDSC")


def concat_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)`` (columns in the order it gives) with ADTTE's text
    columns as categoricals: a few distinct strings over millions of rows, filtered, joined
    and sorted as codes until ids.attach writes them as ``str`` (issue 17: as Arrow strings
    they set the 1e6 peak)."""
    order = list(dict.fromkeys(c for f in frames for c in f.columns))
    text = [c for c in ADTTE_TEXT if c in order]
    joined = {c: _joined_text([pd.Categorical(f[c]) if c in f.columns else pd.Categorical([None] * len(f))
                               for f in frames]) for c in text}
    out = pd.concat([f.drop(columns=[c for c in text if c in f.columns]) for f in frames], ignore_index=True)
    for c in text:
        out[c] = joined[c]
    return out[order]


def _late_effects(lab_patients, adae, cov, adtte, safety) -> pd.DataFrame:
    """ADTTE HEM3TE, MDSAML, RENDECL rows (late_effects.py) of the safety set."""
    n = len(safety)
    c1 = cov["TRTSDT_D"].to_numpy()
    os_rows = adtte[adtte["PARAMCD"] == "OS"]
    os_censor = np.full(n, np.nan)
    os_censor[os_rows["pidx"].to_numpy(dtype=np.int64)] = os_rows["ADT_D"].to_numpy(dtype=float)
    events = {"HEM3TE": lab_patients.hem3_day,
              "MDSAML": late_effects.first_mds_aml_day(adae, n),
              "RENDECL": lab_patients.renal_decline_day}
    frames = [late_effects.competing_rows(code, c1, day, cov["death_date_D"].to_numpy(), os_censor)
              .assign(pidx=np.arange(n))[safety] for code, day in events.items()]
    out = concat_rows(frames)
    out["AVAL"] = out["AVAL"].astype(np.int64)
    return out


def rules_in_force(config: StudyConfig) -> dict:
    """Config values and rule tables with their sources, JSON-able (AdamDatasets.rules)."""
    return {
        "config": config.to_dict(),
        "analysis_sets": {"exclusion_reasons": list(analysis_sets.EXCLUSION_REASONS),
                          "complete_case_covariates": list(config.study.complete_case),
                          "model_covariates": list(config.models.covariates),
                          "source": "derivations.md 'Analysis sets'"},
        "baseline": {"primary_group": baseline.PRIMARY_GROUPS,
                     "thresholds": [list(t) for t in baseline.THRESHOLD_FLAGS + baseline.LIVER_FLAGS],
                     "source": "derivations.md 'Baseline covariates'"},
        "recist": {
            "confirmation": [{"result": r, "start": list(s), "confirm": list(c), "between": list(b)}
                             for r, s, c, b in recist.CONFIRMATION_RULES],
            "max_ne_between": recist.MAX_NE_BETWEEN,
            "confirmation_days": config.recist.confirmation_days,
            "sd_min_days": config.recist.sd_min_days,
            "source": "RECIST 1.1 section 4.4; derivations.md 'Tumour response'",
        },
        "time_to_event": {"pfs_censoring": time_to_event.PFS_CENSOR,
                          "pfs_max_gap_days": config.pfs.max_gap_days,
                          "source": "FDA 2018 endpoints guidance; derivations.md 'Time to event'"},
        "ctcae": ctcae.rules_table(),
        "lab_windows": {"baseline_days_before_c1": config.labs.baseline_window_days,
                        "post_baseline_days_after_last_cycle": config.safety.window_days,
                        "late": "after C1 through the data cut-off",
                        "treatment_emergent": "grade worse than the baseline grade (no baseline = 0)",
                        "hematologic_tests": list(adlb_mod.HEMATOLOGIC_LAB_TESTS),
                        "source": "derivations.md 'Treatment-emergent toxicity and late effects'"},
        "late_effects": {code: text for code, text in late_effects.PARAMS.items()} | {
            "competing": late_effects.COMPETING, "censored": late_effects.CENSORED,
            "renal_decline": {"fraction_of_baseline_at_most": kidney.RENAL_DECLINE_TENTHS_OF_BASELINE / 10,
                              "or_below": kidney.RENAL_DECLINE_BELOW, "consecutive_values": 2}},
        "adverse_events": {"hematologic": list(adverse_events.HEMATOLOGIC_TERMS),
                           "renal": list(adverse_events.RENAL_TERMS),
                           "mds_aml": list(adverse_events.MDS_AML_TERMS)},
        "kidney": {"equation": "CKD-EPI 2021 (Inker et al. 2021)", "window_days": list(kidney.WINDOW),
                   "target_day": kidney.TARGET_DAY, "decline_fraction": kidney.DECLINE_FRACTION},
    }
