"""ADLB rows in the engine: ranges, baseline, CTCAE v5 grades, treatment-emergent and window
flags (rules: derive/adlb.py steps 1-5 and 7-8, derive/ctcae.py).

Relations made by :func:`stage`:
- ``prrt_lab_base``: per patient and test the baseline row (the last result dated C1 -
  ``baseline_window_days`` through C1, on one date the last input line) with its grade;
- ``prrt_lab``: a view, one row per lab result of a safety-set patient (C1 known) with ``ady``,
  ``anrlo``/``anrhi`` (the site range, else the default of ctcae.DEFAULT_RANGES by sex:
  ``rangedef``), ``ablfl``, ``apostfl`` (after C1 through last cycle + ``window_days``),
  ``alatefl`` (after C1; the registry is already cut at the data cut-off), ``base`` (the
  patient's baseline creatinine, creatinine rows), ``grade`` (ATOXGR), ``btoxgr`` and
  ``trtemfl`` (after C1 and a grade above the baseline grade, no baseline = 0).

The grade expressions are generated from the tables of ctcae.py, so the rule is written once;
a value within a relative 1e-9 of a limit counts as equal to it, as ctcae.below/above say.
Constants are written as ``CAST(<repr> AS DOUBLE)``: every engine then holds the same double.
"""

from __future__ import annotations

from prrt_rwe.derive import ctcae

GRADED_TESTS = ctcae.GRADED_TESTS


def num(x: float) -> str:
    """A double constant, the same double in DuckDB, PostgreSQL and Spark."""
    return f"CAST({float(x)!r} AS DOUBLE)"


def text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def below(x: str, limit: str) -> str:
    """SQL of ctcae.below: x < limit, a value within LIMIT_RTOL of the limit not below it."""
    return f"({x} < {limit} AND NOT abs({x} - {limit}) <= {num(ctcae.LIMIT_RTOL)} * abs({limit}))"


def above(x: str, limit: str) -> str:
    """SQL of ctcae.above."""
    return f"({x} > {limit} AND NOT abs({x} - {limit}) <= {num(ctcae.LIMIT_RTOL)} * abs({limit}))"


def decrease_grade(test: str, x: str, lln: str) -> str:
    """ctcae.grade_decrease: grades 2-4 from the absolute limits whatever the LLN, grade 1 below
    the LLN; unknown (NULL) without a value, or without an LLN when not below the grade 2 limit."""
    t = ctcae.DECREASE_GRADES[test]
    whens = [(t.g4_below, 4), (t.g3_below, 3), (t.g2_below, 2)]
    cases = " ".join(f"WHEN {below(x, num(limit))} THEN {g}" for limit, g in whens if limit is not None)
    return (f"CASE WHEN {x} IS NULL THEN NULL {cases} WHEN {lln} IS NULL THEN NULL "
            f"WHEN {below(x, lln)} THEN 1 ELSE 0 END")


def creatinine_grade(x: str, uln: str, base: str) -> str:
    """ctcae.grade_creatinine: the highest grade of the x ULN and x baseline criteria; unknown
    without a value, or without both ULN and baseline."""
    uln_cases = " ".join(f"WHEN {above(x, f'{num(m)} * {uln}')} THEN {g}"
                         for g, m in sorted(ctcae.CREATININE_ULN_MULTIPLES, reverse=True))
    base_cases = " ".join(f"WHEN {above(x, f'{num(m)} * {base}')} THEN {g}"
                          for g, m in sorted(ctcae.CREATININE_BASELINE_MULTIPLES, reverse=True))
    return (f"CASE WHEN {x} IS NULL OR ({uln} IS NULL AND {base} IS NULL) THEN NULL "
            f"ELSE greatest(CASE {uln_cases} ELSE 0 END, CASE {base_cases} ELSE 0 END) END")


def grade(test: str, x: str, lln: str, uln: str, base: str) -> str:
    """CTCAE v5 grade of a row of any test (NULL for the tests that are not graded)."""
    cases = [f"WHEN {test} = {text(name)} THEN {decrease_grade(name, x, lln)}" for name in ctcae.DECREASE_GRADES]
    cases.append(f"WHEN {test} = 'creatinine' THEN {creatinine_grade(x, uln, base)}")
    return f"CAST(CASE {' '.join(cases)} END AS BIGINT)"


def _default(limit: str, column: str) -> tuple[str, str]:
    """(range column with the default filled in, whether it was defaulted) for ``lln``/``uln``."""
    tests = [(name, f, m) for name, (lim, f, m) in ctcae.DEFAULT_RANGES.items() if lim == limit]
    fill = " ".join(f"WHEN l.test = {text(name)} THEN CASE WHEN p.sex = 'F' THEN {num(f)} ELSE {num(m)} END"
                    for name, f, m in tests)
    names = ", ".join(text(name) for name, _, _ in tests)
    return (f"CASE WHEN l.{column} IS NULL THEN CASE {fill} END ELSE l.{column} END",
            f"(l.{column} IS NULL AND l.test IN ({names}))")


_LLN, _LLN_DEFAULTED = _default("lln", "lln")
_ULN, _ULN_DEFAULTED = _default("uln", "uln")

# Lab rows of safety-set patients with their day and range (steps 1-2 of derive/adlb.py).
_RANGED = f"""
SELECT l.pidx, l.test, l.date, l.date - tr.c1 AS ady, l.value, l.unit, l.value_original, l.unit_original,
       {_LLN} AS anrlo, {_ULN} AS anrhi, ({_LLN_DEFAULTED} OR {_ULN_DEFAULTED}) AS rangedef,
       l.source_line, tr.last_cycle
FROM prrt_labs l JOIN prrt_treatment tr ON l.pidx = tr.pidx JOIN prrt_patients p ON p.pidx = l.pidx
WHERE tr.c1 IS NOT NULL
"""


def baseline_sql(baseline_window_days: int) -> str:
    """``prrt_lab_base``: step 3 (the last row in the baseline window per patient and test) and
    its grade (a baseline creatinine is its own baseline)."""
    return f"""
WITH w AS (
  SELECT r.*, row_number() OVER (PARTITION BY r.pidx, r.test ORDER BY r.date DESC, r.source_line DESC) AS k
  FROM ({_RANGED}) r WHERE r.ady >= {-int(baseline_window_days)} AND r.ady <= 0
)
SELECT pidx, test, date, source_line, value,
       {grade('test', 'value', 'anrlo', 'anrhi', 'value')} AS grade
FROM w WHERE k = 1
"""


def rows_sql(window_days: int) -> str:
    """``prrt_lab``: every lab row of a safety-set patient with the columns of the module doc."""
    graded = grade("r.test", "r.value", "r.anrlo", "r.anrhi", "cb.value")
    return f"""
SELECT g.*, coalesce(g.ady > 0 AND g.grade > coalesce(g.btoxgr, 0), false) AS trtemfl
FROM (
  SELECT r.pidx, r.test, r.date, r.ady, r.value, r.unit, r.value_original, r.unit_original, r.anrlo, r.anrhi,
         r.rangedef, (b.pidx IS NOT NULL) AS ablfl,
         (r.ady > 0 AND r.date <= r.last_cycle + {int(window_days)}) AS apostfl, (r.ady > 0) AS alatefl,
         CASE WHEN r.test = 'creatinine' THEN cb.value END AS base,
         {graded} AS grade, bg.grade AS btoxgr, r.source_line
  FROM ({_RANGED}) r
  LEFT JOIN prrt_lab_base b ON b.pidx = r.pidx AND b.test = r.test AND b.date = r.date
                            AND b.source_line = r.source_line
  LEFT JOIN prrt_lab_base bg ON bg.pidx = r.pidx AND bg.test = r.test
  LEFT JOIN (SELECT pidx, value FROM prrt_lab_base WHERE test = 'creatinine') cb ON cb.pidx = r.pidx
) g
"""


EMPTY_LABS_SQL = ("SELECT CAST(NULL AS BIGINT) AS pidx, CAST(NULL AS VARCHAR) AS test, CAST(NULL AS BIGINT) AS date, "
                  "CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS unit, CAST(NULL AS DOUBLE) AS lln, "
                  "CAST(NULL AS DOUBLE) AS uln, CAST(NULL AS DOUBLE) AS value_original, "
                  "CAST(NULL AS VARCHAR) AS unit_original, CAST(NULL AS BIGINT) AS source_line "
                  "FROM prrt_patients WHERE 1 = 0")


def stage(engine, tables, *, baseline_window_days: int, window_days: int) -> None:
    """Make ``prrt_lab_base`` and ``prrt_lab`` (a registry without labs: empty relations)."""
    if "labs" not in tables:
        engine.view("prrt_labs", EMPTY_LABS_SQL)
    engine.materialize("prrt_lab_base", baseline_sql(baseline_window_days))
    engine.view("prrt_lab", rows_sql(window_days))


# ADLB as docs/adam.md lays it out: the lab rows and one EGFR row per creatinine row
# (kidney.py's prrt_egfr), identifiers first; ``date`` a day number, flags booleans.
ADLB_ROWS_SQL = """
SELECT k.site_id || '-' || k.patient_id AS usubjid, k.site_id AS siteid, k.patient_id AS subjid, x.paramcd,
       x.date, x.ady, x.aval, x.avalu, x.aval_orig, x.avalu_orig, x.anrlo, x.anrhi, x.rangedef, x.ablfl, x.apostfl,
       x.base, x.atoxgr, x.btoxgr, x.trtemfl, x.alatefl, x.source_line
FROM (
  SELECT pidx, test AS paramcd, date, ady, value AS aval, unit AS avalu, value_original AS aval_orig,
         unit_original AS avalu_orig, anrlo, anrhi, rangedef, ablfl, apostfl, base, grade AS atoxgr, btoxgr,
         trtemfl, alatefl, source_line
  FROM prrt_lab
  UNION ALL
  SELECT pidx, 'EGFR' AS paramcd, date, ady, egfr AS aval, 'mL/min/1.73m2' AS avalu, CAST(NULL AS DOUBLE) AS aval_orig,
         CAST(NULL AS VARCHAR) AS avalu_orig, CAST(NULL AS DOUBLE) AS anrlo, CAST(NULL AS DOUBLE) AS anrhi,
         false AS rangedef, ablfl, apostfl, CAST(NULL AS DOUBLE) AS base, CAST(NULL AS BIGINT) AS atoxgr,
         CAST(NULL AS BIGINT) AS btoxgr, false AS trtemfl, alatefl, source_line
  FROM prrt_egfr
) x JOIN prrt_pkey k ON k.pidx = x.pidx
"""


def _yn(column: str) -> str:
    return f"CASE WHEN {column} THEN 'Y' ELSE 'N' END AS {column.upper()}"


def adlb_file_sql(source: str) -> str:
    """The ADLB file's columns, types and row order (USUBJID, PARAMCD, date, input line), in
    DuckDB's dialect, over ``source`` (a relation with the columns of ADLB_ROWS_SQL)."""
    text_cols = ("usubjid", "siteid", "subjid", "paramcd")
    cols = [f"CAST({c} AS VARCHAR) AS {c.upper()}" for c in text_cols]
    cols.append("CAST(DATE '1970-01-01' + CAST(date AS INTEGER) AS DATE) AS ADT")
    cols += ["CAST(ady AS BIGINT) AS ADY", "CAST(aval AS DOUBLE) AS AVAL", "CAST(avalu AS VARCHAR) AS AVALU",
             "CAST(aval_orig AS DOUBLE) AS AVAL_ORIG", "CAST(avalu_orig AS VARCHAR) AS AVALU_ORIG",
             "CAST(anrlo AS DOUBLE) AS ANRLO", "CAST(anrhi AS DOUBLE) AS ANRHI", _yn("rangedef"), _yn("ablfl"),
             _yn("apostfl"), "CAST(base AS DOUBLE) AS BASE", "CAST(atoxgr AS BIGINT) AS ATOXGR",
             "CAST(btoxgr AS BIGINT) AS BTOXGR", _yn("trtemfl"), _yn("alatefl")]
    return f"SELECT {', '.join(cols)} FROM {source} ORDER BY usubjid, paramcd, date, source_line"


def write_adlb(engine, path) -> None:
    """Write ADLB to the Parquet file ``path`` from the engine, streaming (no frame in Python):
    DuckDB copies it straight (``COPY ... TO``); PostgreSQL and Spark export the rows as Parquet
    and an embedded DuckDB writes the file in the same types and order."""
    import tempfile
    from pathlib import Path

    path = Path(path)
    if engine.name == "duckdb":
        engine.copy_to_parquet(adlb_file_sql(f"({ADLB_ROWS_SQL}) AS rows"), path)
        return
    from prrt_rwe.engines.duckdb_engine import DuckDBEngine

    with tempfile.TemporaryDirectory(prefix="prrt-adlb-", dir=path.parent) as folder:
        engine.export_parquet(ADLB_ROWS_SQL, Path(folder) / "rows")
        glob = str(Path(folder) / "rows" / "*.parquet").replace("'", "''")
        with DuckDBEngine.open(memory_limit=None) as local:
            local.copy_to_parquet(adlb_file_sql(f"read_parquet('{glob}')"), path)
