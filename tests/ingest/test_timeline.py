"""C1 and the latest known date from the factorized keys give what the grouping of key strings
gave (issue 17): the pandas forms below are the code they replaced, run on a messy synthetic
registry with blanked keys and dates and orphan rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.ingest.keys import patient_key
from prrt_rwe.ingest.parse import parse_table
from prrt_rwe.ingest.raw import RawTable
from prrt_rwe.ingest.timeline import RECORD_DATES, first_cycle, keyed, latest_known, per_row
from prrt_rwe.schema import TABLES_BY_NAME
from prrt_rwe.synth.generator import generate


def pandas_first_cycle(tables):
    rows = keyed(tables["cycles"], "date")
    return rows.groupby("key")["value"].min()


def pandas_latest_known(tables):
    def latest(table, column):
        frame = pd.DataFrame({"key": patient_key(table), "value": table.values[column]}).dropna()
        return frame.groupby("key")["value"].max()

    parts = [latest(tables["patients"], c) for c in ("last_contact_date", "next_therapy_date", "death_date")]
    parts += [latest(tables[t], c) for t, c in RECORD_DATES.items() if t in tables]
    return per_row(pd.concat(parts).groupby(level=0).max(), tables["patients"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    generate(out, patients=150, seed=4, messy=True)
    return out


def _tables(folder, faults: bool):
    rng = np.random.default_rng(7)
    tables = {}
    for name in ("patients", "cycles", "assessments", "labs", "adverse_events"):
        cells = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        cells = cells[[c.name for c in TABLES_BY_NAME[name].columns if c.name in cells]].astype("str")
        if faults:
            for column in ("site_id", "patient_id", "date", "onset_date", "last_contact_date",
                           "death_date", "next_therapy_date"):
                if column in cells:
                    cells.loc[rng.random(len(cells)) < 0.05, column] = ""
            if name != "patients":
                cells.loc[rng.random(len(cells)) < 0.05, "patient_id"] = "ORPHAN"
            cells = cells.astype("str")
        raw = RawTable(name, f"{name}.csv", cells.reset_index(drop=True), np.arange(len(cells)) + 2)
        tables[name] = parse_table(raw)[0]
    return tables


@pytest.mark.parametrize("faults", [False, True], ids=["clean", "faults"])
def test_dates_match_the_grouping_of_key_strings(folder, faults):
    tables = _tables(folder, faults)
    expected = pandas_first_cycle(tables)
    got = first_cycle(tables)
    assert got.dtype == expected.dtype
    assert got.sort_index().to_dict() == expected.to_dict()
    latest = latest_known(tables)
    assert latest.dtype == np.dtype("datetime64[s]")
    np.testing.assert_array_equal(latest, pandas_latest_known(tables))
    assert np.isnat(latest).any() == faults


def test_without_record_tables():
    tables = _tables_of_patients_only()
    assert first_cycle(tables).empty
    np.testing.assert_array_equal(latest_known(tables), pandas_latest_known(tables))


def _tables_of_patients_only():
    cells = pd.DataFrame({"site_id": ["A", "A", ""], "patient_id": ["1", "2", "3"],
                          "last_contact_date": ["2021-01-02", "", "2021-05-01"],
                          "death_date": ["", "", "2022-01-01"]}, dtype="str")
    raw = RawTable("patients", "patients.csv", cells, np.arange(3) + 2)
    return {"patients": parse_table(raw)[0]}
