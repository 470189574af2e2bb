"""--messy: realistic faults that validation must catch, each listed in manifest.json.

Faults go into the first chunk of each file (its first rows), one patient per fault, so
they never interact; a registry with fewer patients than faults gets fewer faults. Every entry is {file, line, column, code} with the codes of
prrt_rwe.ingest.codes (line = physical line, header = 1); consequences that validation
must also report are listed too (a death moved before C1 makes every later record of that
patient E012).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from prrt_rwe.synth.sites import Sites

# (description, file, column, code): the catalogue, applied in this order.
BAD_DATES = ("2021-13-01", "03/04/2021", "2022-02-30", "2022/05/17")
UNKNOWN_UNIT = "K/uL"
UNKNOWN_CODES = {("patients", "primary_site"): "pancreatic", ("assessments", "overall_response"): "MR",
                 ("hormonal_symptoms", "response"): "partial"}
RECORD_DATE = {"cycles": "date", "assessments": "date", "labs": "date", "adverse_events": "onset_date"}


class _Files:
    """Chunk tables as string frames with a stable row id, plus the manifest being built."""

    def __init__(self, tables: dict[str, dict[str, pa.Array]]):
        self.frames = {}
        for name, cols in tables.items():
            f = pd.DataFrame({c: a.to_pylist() for c, a in cols.items()}, dtype=object)
            f["_pos"] = np.arange(len(f), dtype=float)
            f["_id"] = np.arange(len(f))
            self.frames[name] = f
        self.entries: list[tuple[str, int, str, str]] = []  # (table, row id, column, code)
        self._next_id = 10**9

    def rows_of(self, name, site, pid):
        f = self.frames[name]
        return f.index[(f["site_id"] == site) & (f["patient_id"] == pid)]

    def set(self, name, idx, column, value, code):
        f = self.frames[name]
        f.at[idx, column] = value
        if code:
            self.entries.append((name, int(f.at[idx, "_id"]), column, code))

    def insert_after(self, name, idx, row: dict, column, code):
        f = self.frames[name]
        new = dict(row)
        new["_pos"] = f.at[idx, "_pos"] + 0.5 if idx is not None else len(f) + 0.5
        new["_id"] = self._next_id
        self._next_id += 1
        self.frames[name] = pd.concat([f, pd.DataFrame([new])], ignore_index=True)
        self.entries.append((name, new["_id"], column, code))

    def result(self):
        tables, manifest = {}, []
        for name, f in self.frames.items():
            f = f.sort_values("_pos", kind="stable").reset_index(drop=True)
            line_of = dict(zip(f["_id"], np.arange(len(f)) + 2))
            manifest += [{"file": f"{t}.csv", "line": int(line_of[i]), "column": c, "code": code}
                         for t, i, c, code in self.entries if t == name]
            cols = [c for c in f.columns if not c.startswith("_")]
            tables[name] = {c: pa.array(f[c].tolist(), pa.string()) for c in cols}
        manifest.sort(key=lambda e: (e["file"], e["line"], e["column"], e["code"]))
        return tables, manifest


def inject_faults(rng: np.random.Generator, tables, sites: Sites):
    files = _Files(tables)
    pts = files.frames["patients"]
    unused = list(rng.permutation(len(pts)))
    key = lambda i: (pts.at[i, "site_id"], pts.at[i, "patient_id"])  # noqa: E731

    def pick(ok=lambda i: True):
        """A patient not yet used by another fault that satisfies ``ok`` (None if none)."""
        for pos, i in enumerate(unused):
            if ok(i):
                return unused.pop(pos)
        return None

    has = lambda name: (lambda i: len(files.rows_of(name, *key(i))) > 0)  # noqa: E731
    # E004 unparseable dates
    i = pick(lambda i: pts.at[i, "diagnosis_date"] is not None)
    if i is not None:
        files.set("patients", i, "diagnosis_date", BAD_DATES[0], "E004")
    for name, bad in (("labs", BAD_DATES[1]), ("adverse_events", BAD_DATES[2])):
        i = pick(has(name))
        if i is not None:
            files.set(name, files.rows_of(name, *key(i))[-1], RECORD_DATE[name], bad, "E004")
    # E007 unknown unit
    i = pick(has("labs"))
    if i is not None:
        files.set("labs", files.rows_of("labs", *key(i))[0], "unit", UNKNOWN_UNIT, "E007")
    # E006 unknown codes
    for (name, column), bad in UNKNOWN_CODES.items():
        cond = has(name) if name != "patients" else (lambda i: True)
        i = pick(cond)
        if i is None:
            continue
        rows = files.rows_of(name, *key(i))
        if name == "assessments":
            rows = [r for r in rows if files.frames[name].at[r, "overall_response"] is not None]
            if not rows:
                continue
        files.set(name, rows[-1], column, bad, "E006")
    # E003 empty required cells
    for name, column in (("patients", "sex"), ("labs", "value"), ("cycles", "activity_gbq")):
        i = pick(has(name))
        if i is not None:
            files.set(name, files.rows_of(name, *key(i))[0], column, None, "E003")
    # E005 out of range
    i = pick()
    if i is not None:
        files.set("patients", i, "age", "7", "E005")
    i = pick(lambda i: pts.at[i, "ki67_percent"] is not None)
    if i is not None:
        files.set("patients", i, "ki67_percent", "140.0", "E005")
    # E008 duplicate keys (second occurrence; column = last key column)
    i = pick()
    if i is not None:
        files.insert_after("patients", i, _row(files, "patients", i), "patient_id", "E008")
    if len(files.frames["hormonal_symptoms"]):
        i = pick(has("hormonal_symptoms"))
        if i is not None:
            r = files.rows_of("hormonal_symptoms", *key(i))[0]
            files.insert_after("hormonal_symptoms", r, _row(files, "hormonal_symptoms", r),
                               "patient_id", "E008")
    # E009 orphan rows: a patient number no site uses
    orphan_id = "9" * len(pts.at[0, "patient_id"])
    for name in ("labs", "assessments"):
        i = pick(has(name))
        if i is not None:
            r = files.rows_of(name, *key(i))[-1]
            row = _row(files, name, r)
            row["patient_id"] = orphan_id
            files.insert_after(name, r, row, "patient_id", "E009")
    _timeline_faults(files, pick, key, has)
    return files.result()


def _row(files, name, idx):
    f = files.frames[name]
    return {c: f.at[idx, c] for c in f.columns if not c.startswith("_")}


def _timeline_faults(files, pick, key, has):
    pts = files.frames["patients"]
    cyc = files.frames["cycles"]
    c1 = lambda i: min(cyc.at[r, "date"] for r in files.rows_of("cycles", *key(i)))  # noqa: E731
    # E011 diagnosis after C1
    i = pick(has("cycles"))
    if i is not None:
        files.set("patients", i, "diagnosis_date", _shift(c1(i), 10), "E011")
    # E010 death before C1, and E012 on every later record of that patient
    i = pick(lambda i: has("cycles")(i) and pts.at[i, "death_date"] is None)
    if i is not None:
        death = _shift(c1(i), -20)
        files.set("patients", i, "death_date", death, "E010")
        files.set("patients", i, "last_contact_date", death, None)
        for name, column in RECORD_DATE.items():
            f = files.frames[name]
            for r in files.rows_of(name, *key(i)):
                if f.at[r, column] is not None and f.at[r, column] > death:
                    files.entries.append((name, int(f.at[r, "_id"]), column, "E012"))
    # E012 a cycle after death
    i = pick(lambda i: has("cycles")(i) and pts.at[i, "death_date"] is not None)
    if i is not None:
        rows = files.rows_of("cycles", *key(i))
        row = _row(files, "cycles", rows[-1])
        row["cycle"] = str(int(row["cycle"]) + 1)
        row["date"] = _shift(pts.at[i, "death_date"], 30)
        files.insert_after("cycles", rows[-1], row, "date", "E012")
    # E013 cycle dates out of order (cycle 3 dated before cycle 2)
    i = pick(lambda i: len(files.rows_of("cycles", *key(i))) >= 3)
    if i is not None:
        r = files.rows_of("cycles", *key(i))
        d2, d3 = cyc.at[r[1], "date"], cyc.at[r[2], "date"]
        files.set("cycles", r[1], "date", d3, None)
        files.set("cycles", r[2], "date", d2, "E013")


def _shift(iso: str, days: int) -> str:
    return str(np.datetime64(iso, "D") + np.timedelta64(days, "D"))
