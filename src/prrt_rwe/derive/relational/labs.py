"""ADLB rows in the engine: ranges, baseline, CTCAE v5 grades, treatment-emergent and window
flags (rules: derive/adlb.py steps 1-5 and 7-8, derive/ctcae.py).

Relations made by :func:`stage`:
- ``prrt_lab_rules``: ctcae.py's tables as a relation (per test: kind, default LLN/ULN by sex,
  grade 2-4 limits of a decreased count), so that each rule is written once, in Python, and a
  lab row is graded by one join and one short expression;
- ``prrt_lab_patient``: per safety-set patient C1, last cycle, sex (F / otherwise M) and the
  baseline creatinine;
- ``prrt_lab_base``: per patient and test the baseline row (the last result dated C1 -
  ``baseline_window_days`` through C1, on one date the last input line) with its grade;
- ``prrt_lab``: a view, one row per lab result of a safety-set patient (C1 known) with ``ady``,
  ``anrlo``/``anrhi`` (the site range, else the default of ctcae.DEFAULT_RANGES by sex:
  ``rangedef``), ``ablfl``, ``apostfl`` (after C1 through last cycle + ``window_days``),
  ``alatefl`` (after C1; the registry is already cut at the data cut-off), ``base`` (the
  patient's baseline creatinine, creatinine rows), ``grade`` (ATOXGR), ``btoxgr`` and
  ``trtemfl`` (after C1 and a grade above the baseline grade, no baseline = 0).

A value within a relative 1e-9 of a limit counts as equal to it, as ctcae.below/above say.
Constants are written as ``CAST(<repr> AS DOUBLE)``: every engine then holds the same double.
:func:`write_adlb` writes the ADLB file from the engine (docs/adam.md's columns and order).
"""

from __future__ import annotations

from prrt_rwe.derive import ctcae
from prrt_rwe.derive.relational import adlb_parts
from prrt_rwe.derive.relational.registry import LAB_ROW
from prrt_rwe.schema.registry_v1 import LAB_TESTS

GRADED_TESTS = ctcae.GRADED_TESTS


def num(x: float | None) -> str:
    """A double constant (None: a NULL double), the same double in DuckDB, PostgreSQL and Spark."""
    return "CAST(NULL AS DOUBLE)" if x is None else f"CAST({float(x)!r} AS DOUBLE)"


def text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def below(x: str, limit: str) -> str:
    """SQL of ctcae.below: x < limit, a value within LIMIT_RTOL of the limit not below it."""
    return f"({x} < {limit} AND NOT abs({x} - {limit}) <= {num(ctcae.LIMIT_RTOL)} * abs({limit}))"


def above(x: str, limit: str) -> str:
    """SQL of ctcae.above."""
    return f"({x} > {limit} AND NOT abs({x} - {limit}) <= {num(ctcae.LIMIT_RTOL)} * abs({limit}))"


def decrease_grade(x: str, lln: str, g2: str, g3: str, g4: str) -> str:
    """ctcae.grade_decrease: grades 2-4 from the absolute limits whatever the LLN (a NULL limit:
    not gradable from the value), grade 1 below the LLN; unknown (NULL) without a value, or
    without an LLN when not below the grade 2 limit."""
    return (f"CASE WHEN {x} IS NULL THEN NULL WHEN {below(x, g4)} THEN 4 WHEN {below(x, g3)} THEN 3 "
            f"WHEN {below(x, g2)} THEN 2 WHEN {lln} IS NULL THEN NULL WHEN {below(x, lln)} THEN 1 ELSE 0 END")


def creatinine_grade(x: str, uln: str, base: str) -> str:
    """ctcae.grade_creatinine: the highest grade of the x ULN and x baseline criteria; unknown
    without a value, or without both ULN and baseline."""
    uln_cases = " ".join(f"WHEN {above(x, f'{num(m)} * {uln}')} THEN {g}"
                         for g, m in sorted(ctcae.CREATININE_ULN_MULTIPLES, reverse=True))
    base_cases = " ".join(f"WHEN {above(x, f'{num(m)} * {base}')} THEN {g}"
                          for g, m in sorted(ctcae.CREATININE_BASELINE_MULTIPLES, reverse=True))
    return (f"CASE WHEN {x} IS NULL OR ({uln} IS NULL AND {base} IS NULL) THEN NULL "
            f"ELSE greatest(CASE {uln_cases} ELSE 0 END, CASE {base_cases} ELSE 0 END) END")


def grade(r: str, base: str) -> str:
    """CTCAE v5 grade of a ranged row ``r`` (its value, anrlo, anrhi and the columns of
    prrt_lab_rules); NULL for the tests that are not graded."""
    decrease = decrease_grade(f"{r}.value", f"{r}.anrlo", f"{r}.g2", f"{r}.g3", f"{r}.g4")
    return (f"CAST(CASE WHEN {r}.kind = 'decrease' THEN {decrease} "
            f"WHEN {r}.kind = 'creatinine' THEN {creatinine_grade(f'{r}.value', f'{r}.anrhi', base)} END AS BIGINT)")


def rules_sql() -> str:
    """``prrt_lab_rules``, ctcae.py's tables as a relation: per test its kind (``decrease`` for the
    decreased counts, ``creatinine``), the default LLN / ULN for women and men, and the grade 2-4
    limits of a decreased count (x below the limit; NULL = that grade is not lab-gradable)."""
    rows = []
    for name in dict.fromkeys([*ctcae.DECREASE_GRADES, "creatinine", *ctcae.DEFAULT_RANGES]):
        kind = "decrease" if name in ctcae.DECREASE_GRADES else "creatinine" if name == "creatinine" else None
        limit, female, male = ctcae.DEFAULT_RANGES.get(name, (None, None, None))
        t = ctcae.DECREASE_GRADES.get(name)
        values = {
            "test": text(name), "kind": text(kind) if kind else "CAST(NULL AS VARCHAR)",
            "lln_f": num(female if limit == "lln" else None), "lln_m": num(male if limit == "lln" else None),
            "uln_f": num(female if limit == "uln" else None), "uln_m": num(male if limit == "uln" else None),
            "g2": num(t.g2_below if t else None), "g3": num(t.g3_below if t else None),
            "g4": num(t.g4_below if t else None),
        }
        rows.append("SELECT " + ", ".join(f"{v} AS {k}" for k, v in values.items()))
    return " UNION ALL ".join(rows)


# Per safety-set patient what a lab row needs (C1, last cycle, female: the default ranges of
# ctcae.default_limits, F or else M): one join per row, not two.
PATIENT_SQL = """
SELECT tr.pidx, tr.c1, tr.last_cycle, coalesce(p.sex = 'F', false) AS female
FROM prrt_treatment tr JOIN prrt_patients p ON p.pidx = tr.pidx
WHERE tr.c1 IS NOT NULL
"""


def _ranged(patients: str, labs: str = "prrt_labs") -> str:
    """Lab rows of safety-set patients with their day and range (steps 1-2 of derive/adlb.py);
    ``patients``: a relation with PATIENT_SQL's columns (alias p), ``labs``: the lab rows."""
    return f"""
SELECT l.pidx, l.test, l.date, l.date - p.c1 AS ady, l.value, l.unit, l.value_original, l.unit_original,
       coalesce(l.lln, CASE WHEN p.female THEN d.lln_f ELSE d.lln_m END) AS anrlo,
       coalesce(l.uln, CASE WHEN p.female THEN d.uln_f ELSE d.uln_m END) AS anrhi,
       coalesce((l.lln IS NULL AND d.lln_f IS NOT NULL) OR (l.uln IS NULL AND d.uln_f IS NOT NULL), false) AS rangedef,
       d.kind, d.g2, d.g3, d.g4, l.source_line, p.last_cycle, p.creatinine_base
FROM {labs} l JOIN {patients} p ON p.pidx = l.pidx LEFT JOIN prrt_lab_rules d ON d.test = l.test
"""


def baseline_sql(baseline_window_days: int) -> str:
    """``prrt_lab_base``: step 3 (the last row in the baseline window per patient and test) and
    its grade (a baseline creatinine is its own baseline)."""
    patients = "(SELECT q.*, CAST(NULL AS DOUBLE) AS creatinine_base FROM prrt_lab_patient0 q)"
    return f"""
WITH w AS (
  SELECT r.*, row_number() OVER (PARTITION BY r.pidx, r.test ORDER BY r.date DESC, r.source_line DESC) AS k
  FROM ({_ranged(patients)}) r WHERE r.ady >= {-int(baseline_window_days)} AND r.ady <= 0
)
SELECT pidx, test, date, source_line, value,
       {grade('w', 'w.value')} AS grade
FROM w WHERE k = 1
"""


# PATIENT_SQL's columns and the patient's baseline creatinine (NULL = none).
PATIENT_BASE_SQL = """
SELECT q.pidx, q.c1, q.last_cycle, q.female, b.value AS creatinine_base
FROM prrt_lab_patient0 q LEFT JOIN prrt_lab_base b ON b.pidx = q.pidx AND b.test = 'creatinine'
"""


def rows_sql(window_days: int, labs: str = "prrt_labs", patients: str = "prrt_lab_patient",
             base: str = "prrt_lab_base") -> str:
    """``prrt_lab``: every lab row of a safety-set patient with the columns of the module doc
    (over other relations of the same columns: write_adlb's parts)."""
    graded = grade("r", "r.creatinine_base")
    return f"""
SELECT g.*, coalesce(g.ady > 0 AND g.grade > coalesce(g.btoxgr, 0), false) AS trtemfl
FROM (
  SELECT r.pidx, r.test, r.date, r.ady, r.value, r.unit, r.value_original, r.unit_original, r.anrlo, r.anrhi,
         r.rangedef, coalesce(b.date = r.date AND b.source_line = r.source_line, false) AS ablfl,
         (r.ady > 0 AND r.date <= r.last_cycle + {int(window_days)}) AS apostfl, (r.ady > 0) AS alatefl,
         CASE WHEN r.test = 'creatinine' THEN r.creatinine_base END AS base,
         {graded} AS grade, b.grade AS btoxgr, r.source_line
  FROM ({_ranged(patients, labs)}) r
  LEFT JOIN {base} b ON b.pidx = r.pidx AND b.test = r.test
) g
"""


EMPTY_LABS_SQL = ("SELECT CAST(NULL AS BIGINT) AS pidx, CAST(NULL AS VARCHAR) AS test, CAST(NULL AS BIGINT) AS date, "
                  "CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS unit, CAST(NULL AS DOUBLE) AS lln, "
                  "CAST(NULL AS DOUBLE) AS uln, CAST(NULL AS DOUBLE) AS value_original, "
                  "CAST(NULL AS VARCHAR) AS unit_original, CAST(NULL AS BIGINT) AS source_line "
                  "FROM prrt_patients WHERE 1 = 0")


def stage(engine, tables, *, baseline_window_days: int, window_days: int) -> None:
    """Make ``prrt_lab_patient`` (per safety-set patient: C1, last cycle, sex, baseline
    creatinine), ``prrt_lab_base`` and ``prrt_lab`` (a registry without labs: empty relations)."""
    if "labs" not in tables:
        engine.view("prrt_labs", EMPTY_LABS_SQL)
    engine.materialize("prrt_lab_rules", rules_sql())
    engine.materialize("prrt_lab_patient0", PATIENT_SQL)
    engine.materialize("prrt_lab_base", baseline_sql(baseline_window_days))
    engine.materialize("prrt_lab_patient", PATIENT_BASE_SQL)
    engine.view("prrt_lab", rows_sql(window_days))


# ADLB as docs/adam.md lays it out: the lab rows and one EGFR row per creatinine row
# (kidney.py's prrt_egfr), identifiers first; ``date`` a day number, flags booleans.
EGFR_PARAMCD = "EGFR"


def _param_rank() -> str:
    """PARAMCD's rank in the order of its text (Python's, DuckDB's binary collation): an integer
    sort key for the test codes of the format (a code outside it sorts last, then by text)."""
    codes = param_codes()
    whens = " ".join(f"WHEN {text(c)} THEN {i}" for i, c in enumerate(codes))
    return f"CASE x.paramcd {whens} ELSE {len(codes)} END"


def adlb_rows_sql(sort_keys: bool = False, pidx_range: tuple[int, int] | None = None,
                  lab: str = "prrt_lab", egfr: str = "prrt_egfr", ids: bool = True) -> str:
    """The ADLB rows (any order); ``sort_keys``: also integer keys ``urank`` (USUBJID's rank) and
    ``prank`` (PARAMCD's), and ``pidx``, for DuckDB, whose binary collation orders text as the file does;
    ``pidx_range`` (lo, hi): the rows of the patients lo <= pidx < hi only; ``lab``, ``egfr``:
    the relations of the lab and eGFR rows (write_adlb: those of one part); ``ids`` False (with
    ``sort_keys``): no USUBJID, SITEID, SUBJID nor ``urank``, so no join per row with the
    patient keys (adlb_codes_sql reads pidx and prank only; every lab row's pidx is a patient's)."""
    if not ids:
        assert sort_keys, "the rows without their identifiers are only sorted by their integer keys"
        where = "" if pidx_range is None else f" WHERE {_in_range('x.pidx', pidx_range)}"
        return f"SELECT x.*, {_param_rank()} AS prank FROM ({_adlb_union(lab, egfr)}) x{where}"
    keys = f", x.pidx, u.urank, {_param_rank()} AS prank" if sort_keys else ""
    where = "" if pidx_range is None else f" WHERE {_in_range('x.pidx', pidx_range)}"
    return f"""
SELECT k.site_id || '-' || k.patient_id AS usubjid, k.site_id AS siteid, k.patient_id AS subjid, x.paramcd,
       x.date, x.ady, x.aval, x.avalu, x.aval_orig, x.avalu_orig, x.anrlo, x.anrhi, x.rangedef, x.ablfl, x.apostfl,
       x.base, x.atoxgr, x.btoxgr, x.trtemfl, x.alatefl, x.source_line{keys}
FROM ({_adlb_union(lab, egfr)}) x JOIN prrt_pkey k ON k.pidx = x.pidx{" JOIN prrt_urank u ON u.pidx = x.pidx" if sort_keys else ""}{where}
"""


def _adlb_union(lab: str, egfr: str) -> str:
    """The lab rows and the eGFR rows in ADLB's columns (but the identifiers), with ``pidx``."""
    return f"""
  SELECT pidx, test AS paramcd, date, ady, value AS aval, unit AS avalu, value_original AS aval_orig,
         unit_original AS avalu_orig, anrlo, anrhi, rangedef, ablfl, apostfl, base, grade AS atoxgr, btoxgr,
         trtemfl, alatefl, source_line
  FROM {lab}
  UNION ALL
  SELECT pidx, '{EGFR_PARAMCD}' AS paramcd, date, ady, egfr AS aval, 'mL/min/1.73m2' AS avalu,
         CAST(NULL AS DOUBLE) AS aval_orig, CAST(NULL AS VARCHAR) AS avalu_orig, CAST(NULL AS DOUBLE) AS anrlo,
         CAST(NULL AS DOUBLE) AS anrhi, false AS rangedef, ablfl, apostfl, CAST(NULL AS DOUBLE) AS base,
         CAST(NULL AS BIGINT) AS atoxgr, CAST(NULL AS BIGINT) AS btoxgr, false AS trtemfl, alatefl, source_line
  FROM {egfr}
"""


def _in_range(column: str, pidx_range: tuple[int, int]) -> str:
    return f"{column} >= {int(pidx_range[0])} AND {column} < {int(pidx_range[1])}"


URANK_SQL = ("SELECT pidx, CAST(row_number() OVER (ORDER BY site_id || '-' || patient_id) AS BIGINT) AS urank "
             "FROM prrt_pkey")


def _yn(column: str) -> str:
    return f"CASE WHEN {column} THEN 'Y' ELSE 'N' END AS {column.upper()}"


def _flag(column: str) -> str:
    """A Y/N flag as a boolean (NULL = N, as _yn): adlb_parts.py writes the text."""
    return f"coalesce({column}, false) AS {column.upper()}"


def _file_columns(flag) -> list[str]:
    """The ADLB file's columns after PARAMCD, in its order; ``flag``: how a flag is written."""
    cols = ["CAST(DATE '1970-01-01' + CAST(date AS INTEGER) AS DATE) AS ADT",
            "CAST(ady AS BIGINT) AS ADY", "CAST(aval AS DOUBLE) AS AVAL", "CAST(avalu AS VARCHAR) AS AVALU",
            "CAST(aval_orig AS DOUBLE) AS AVAL_ORIG", "CAST(avalu_orig AS VARCHAR) AS AVALU_ORIG",
            "CAST(anrlo AS DOUBLE) AS ANRLO", "CAST(anrhi AS DOUBLE) AS ANRHI", flag("rangedef"), flag("ablfl"),
            flag("apostfl"), "CAST(base AS DOUBLE) AS BASE", "CAST(atoxgr AS BIGINT) AS ATOXGR",
            "CAST(btoxgr AS BIGINT) AS BTOXGR", flag("trtemfl"), flag("alatefl")]
    return cols


def adlb_file_sql(source: str, order: str = "usubjid, paramcd, date, source_line") -> str:
    """The ADLB file's columns, types and row order (USUBJID, PARAMCD, date, input line), in
    DuckDB's dialect, over ``source`` (a relation with the columns of adlb_rows_sql)."""
    text_cols = ("usubjid", "siteid", "subjid", "paramcd")
    cols = [f"CAST({c} AS VARCHAR) AS {c.upper()}" for c in text_cols] + _file_columns(_yn)
    return f"SELECT {', '.join(cols)} FROM {source} ORDER BY {order}"


def adlb_codes_sql(source: str, lo: int) -> str:
    """adlb_file_sql's rows over ``source`` (adlb_rows_sql with ``sort_keys``, pidx in USUBJID's
    order) with integer codes for its text (adlb_parts.py): ``pcode`` = pidx - ``lo`` for
    USUBJID, SITEID and SUBJID, ``prank`` for PARAMCD, booleans for the flags, the day number
    ``date`` and the input line ``source_line``; in any order: adlb_parts.py sorts them on
    (pcode, prank, date, source_line), the file's order, as integers (DuckDB's sort of the
    whole rows cost more than the query that makes them; issue 17)."""
    cols = [f"CAST(pidx - {int(lo)} AS INTEGER) AS pcode", "CAST(prank AS INTEGER) AS prank",
            *_file_columns(_flag), "date", "source_line"]
    return f"SELECT {', '.join(cols)} FROM {source}"


def param_codes() -> list[str]:
    """The test codes in prank's order (_param_rank)."""
    return sorted((*LAB_TESTS, EGFR_PARAMCD))


# Lab rows per part of the ADLB file (write_adlb), ~100 MB each in Arrow; at most two parts
# and the one being written are held (issue 17: 1e5 patients, derive's peak RSS 1.37 GB with
# 1,000,000 rows a part, 1.17 GB with 500,000, no lower with 250,000, at the same CPU time).
ADLB_PART_ROWS = 500_000


# write_adlb: the lab rows' rowids are grouped in blocks of this many to find each part's rows;
# a part with more separate stretches of rows than MAX_ROW_RANGES reads from its least to its
# greatest rowid instead.
ROW_BLOCK = 16_384
MAX_ROW_RANGES = 512


def _part_sql(pidx_range: tuple[int, int], rows: list[tuple[int, int]], window_days: int,
              codes: bool = False) -> str:
    """The ADLB file's rows of the patients in ``pidx_range``, sorted: every relation read
    filtered on the range, the lab rows also on their ``rowid`` ranges ``rows`` (registry.py
    LAB_ROW; inclusive; none: no lab row), so that a part reads its own row groups of the lab
    table, not all of them (a filter on pidx reaches the lab table only through the join on the
    patient keys); ``codes``: adlb_codes_sql's columns, not the file's. The ranges are one
    disjunction, which DuckDB's scan applies to its row groups' zone maps: one scan and one
    join per part (a scan per range, as before, joined each to the patient keys: at 300,000
    patients 37 ranges per part, 0.55 -> 0.32 CPU s a part; the number of ranges grows with the
    registry when its files are not in USUBJID's order, issue 17)."""
    def part(relation: str, extra: str = "") -> str:
        return f"SELECT * FROM {relation} WHERE {_in_range('pidx', pidx_range)}{extra}"

    spans = " OR ".join(f"({LAB_ROW} >= {int(lo)} AND {LAB_ROW} <= {int(hi)})" for lo, hi in rows)
    labs = part("prrt_labs", f" AND ({spans or 'false'})")
    patients, base = f"({part('prrt_lab_patient')})", f"({part('prrt_lab_base')})"
    lab = f"({rows_sql(window_days, f'({labs})', patients, base)})"
    source = adlb_rows_sql(sort_keys=True, pidx_range=pidx_range, lab=lab, egfr=f"({part('prrt_egfr')})",
                           ids=not codes)
    if codes:
        return adlb_codes_sql(f"({source}) AS rows", pidx_range[0])
    return adlb_file_sql(f"({source}) AS rows", "urank, prank, date, source_line")


def _row_ranges(engine, step: int) -> dict[int, list[tuple[int, int]]]:
    """Per part (pidx // step) the stretches of rowids of ``labs`` that hold its rows (a
    superset: a block's least to greatest rowid of the part), adjacent blocks merged."""
    t = engine.arrow(f"SELECT pidx // {int(step)} AS part, {LAB_ROW} // {ROW_BLOCK} AS block, min({LAB_ROW}) AS lo, "
                     f"max({LAB_ROW}) AS hi FROM prrt_labs GROUP BY ALL ORDER BY part, block").to_pydict()
    out: dict[int, list[list[int]]] = {}
    for p, lo, hi in zip(t["part"], t["lo"], t["hi"]):
        spans = out.setdefault(int(p), [])
        if spans and int(lo) // ROW_BLOCK == spans[-1][1] // ROW_BLOCK + 1 and int(lo) % ROW_BLOCK == 0 \
                and spans[-1][1] % ROW_BLOCK == ROW_BLOCK - 1:
            spans[-1][1] = int(hi)   # the part's rows run on across the block boundary
        else:
            spans.append([int(lo), int(hi)])
    return {p: [(s[0][0], s[-1][1])] if len(s) > MAX_ROW_RANGES else [tuple(x) for x in s] for p, s in out.items()}


def write_adlb(engine, path, window_days: int, summarise=None) -> bool:
    """Write ADLB to the Parquet file ``path`` from the engine, streaming (no frame in Python).
    DuckDB: when pidx follows USUBJID's order (always, but for site ids that are prefixes of
    others), by parts of consecutive patients, each sorted in memory and written to the file
    (duckdb_engine.copy_parts_to_parquet; no sort of every row spills to disk), its text as
    integer codes that adlb_parts.py makes Arrow dictionaries (a test code outside the
    format: the text as DuckDB writes it). A part reads
    the lab rows between the least and the greatest ``rowid`` of its patients' rows (one scan
    finds them): a few row groups when the table is in patient order, as ingest stores a
    registry in file order and the files are by patient; any order gives the same file, only
    slower. Otherwise all rows sorted on integer keys (``COPY ... TO``). PostgreSQL and Spark
    export the rows as Parquet and an embedded DuckDB writes the file in the same types and
    order. ``window_days``: rows_sql's (``[safety] window_days``), as stage was given.
    ``summarise(rows, first)``: the statement that summarises the ``prrt_lab`` rows ``rows``
    (``first``: of the first part); DuckDB's coded parts run it on each part's lab rows as
    written (:func:`part_lab_rows`). Returns whether it ran (else the caller summarises)."""
    import tempfile
    from pathlib import Path

    path = Path(path)
    if engine.name == "duckdb":
        engine.materialize("prrt_urank", URANK_SQL)
        known = ", ".join(text(c) for c in param_codes())
        # the part size and the coded path read the registry's lab table as stored, not prrt_labs
        # (each of its rows joined to its patient key: a pass over every lab row); a row past
        # the cut-off only makes a part smaller or the text read as text, the same file
        stored = "labs" if engine.has_table("labs") else "prrt_labs"
        n, rows, same, coded = engine.arrow(
            f"SELECT (SELECT count(*) FROM prrt_urank) AS n, (SELECT count(*) FROM {stored}) AS rows, "
            "(SELECT coalesce(bool_and(urank = pidx + 1), true) FROM prrt_urank) AS same, "
            f"(SELECT count(*) = 0 FROM {stored} WHERE test NOT IN ({known})) AS coded").to_pylist()[0].values()
        if same:
            step = max(1, int(n) * ADLB_PART_ROWS // max(int(rows), 1))
            spans = _row_ranges(engine, step) if rows else {}
            starts = list(range(0, max(int(n), 1), step))
            parts = [_part_sql((lo, lo + step), spans.get(lo // step, []), window_days, codes=coded)
                     for lo in starts]
            schema_sql = _part_sql((0, 1), spans.get(0, []), window_days)
            assemble = inspect = None
            if coded:   # the text built from codes (adlb_parts.py); a test outside the format: as text
                names = engine.arrow(f"SELECT * FROM ({schema_sql}) s LIMIT 0").column_names
                assemble = adlb_parts.PartAssembler(engine, starts, param_codes(), names)
                if summarise is not None:
                    inspect = _summarising(engine, starts, summarise)
            engine.copy_parts_to_parquet(parts, path, schema_sql=schema_sql, assemble=assemble, inspect=inspect)
            return coded and summarise is not None
        engine.copy_to_parquet(adlb_file_sql(f"({adlb_rows_sql(sort_keys=True)}) AS rows",
                                             "urank, prank, date, source_line"), path)
        return False
    from prrt_rwe.engines.duckdb_engine import DuckDBEngine, configure

    with tempfile.TemporaryDirectory(prefix="prrt-adlb-", dir=path.parent) as folder:
        engine.export_parquet(adlb_rows_sql(), Path(folder) / "rows")
        glob = str(Path(folder) / "rows" / "*.parquet").replace("'", "''")
        with DuckDBEngine.open() as local:
            configure(local.con)   # the sort of every row within the default budget, spilling beyond (issue 17)
            local.copy_to_parquet(adlb_file_sql(f"read_parquet('{glob}')"), path)
    return False


PART_CODES = "prrt_adlb_part"   # write_adlb: the Arrow table of one coded part, while summarised


def part_lab_rows(lo: int) -> str:
    """prrt_lab's columns that lab_summary.py reads, of the lab rows of a coded ADLB part
    (adlb_codes_sql's columns, registered as PART_CODES; pcode = pidx - ``lo``), ``test`` as
    its rank in param_codes(); the EGFR rows are not graded tests and drop out there."""
    return (f"(SELECT CAST(pcode AS BIGINT) + {int(lo)} AS pidx, prank AS test, date, ATOXGR AS grade, "
            f"APOSTFL AS apostfl, ALATEFL AS alatefl, TRTEMFL AS trtemfl, RANGEDEF AS rangedef FROM {PART_CODES})")


def _summarising(engine, starts: list[int], summarise):
    """copy_parts_to_parquet's ``inspect``: ``summarise`` run on the part's lab rows (DuckDB
    reads the part's Arrow table in place; the connection is the worker's while the parts are made)."""
    def run(i: int, table) -> None:
        engine.con.register(PART_CODES, table)
        try:
            engine.con.execute(summarise(part_lab_rows(starts[i]), i == 0))
        finally:
            engine.con.unregister(PART_CODES)
    return run
