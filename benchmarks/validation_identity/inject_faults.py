"""inject_faults.py SRC DST MODE SEED: copy registry SRC to DST with injected faults.
MODE errors: thousands of errors of many codes + quotes/ragged/blank/multiline so that all three
staging paths run (labs, patients: Arrow; cycles, lesions: DuckDB read_csv (quotes); assessments,
adverse_events: csv_reader (ragged rows, blank lines, a quoted line break)).
MODE warnings: only warnings and reader-path changes (valid quoted cells, padded cells, a quoted
line break in a text column, invisible characters in keys), so the registry still ingests."""
import csv, io, random, shutil, sys
from pathlib import Path

src, dst, mode, seed = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rng = random.Random(seed)
shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(src, dst)


def rows_of(name):
    with open(dst / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write(name, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow(r)
    text = buf.getvalue()
    (dst / f"{name}.csv").write_text(text, encoding="utf-8")


def pick(rows, k):
    return rng.sample(range(1, len(rows)), min(k, len(rows) - 1))


def col(rows, name):
    return rows[0].index(name)


if mode == "errors":
    labs = rows_of("labs")
    for i in pick(labs, 800):
        labs[i][col(labs, "date")] = rng.choice(["2021-13-01", "03/04/2021", "2022-02-30", "3025-01-01", "1850-05-05"])
    for i in pick(labs, 800):
        labs[i][col(labs, "value")] = rng.choice(["abc", "1,5", "-", "nan", "inf", "1e999", "12..3"])
    for i in pick(labs, 600):
        labs[i][col(labs, "unit")] = rng.choice(["K/uL", "mmol", "g/L ", "x"])
    for i in pick(labs, 300):
        labs[i][col(labs, "test")] = rng.choice(["hb", "platelet", "", "Platelets"])
    for i in pick(labs, 300):
        labs[i][col(labs, "patient_id")] = "ZZ" + labs[i][col(labs, "patient_id")]   # orphans
    for i in pick(labs, 300):
        labs[i][col(labs, "value")] = "2000" if labs[i][col(labs, "test")] == "platelets" else labs[i][col(labs, "value")]
    dups = [list(labs[i]) for i in pick(labs, 400)]
    labs += dups                                                                  # W108 at the end
    for i in pick(labs, 200):
        labs[i][col(labs, "site_id")] = labs[i][col(labs, "site_id")] + "\u200b"   # W111 invisible char
    write("labs", labs)

    pat = rows_of("patients")
    for i in pick(pat, 300):
        pat[i][col(pat, "age")] = rng.choice(["-5", "150", "x", "45.5", "200"])
    for i in pick(pat, 300):
        pat[i][col(pat, "sex")] = rng.choice(["male", "X", "f"])
    for i in pick(pat, 300):
        pat[i][col(pat, "death_date")] = "2019-01-01"                              # E010 / E012
    for i in pick(pat, 200):
        pat[i][col(pat, "diagnosis_date")] = "2025-06-01"                          # E011
    for i in pick(pat, 200):
        pat[i][col(pat, "ki67_percent")] = rng.choice(["120", "-1", "", "abc"])
    for i in pick(pat, 100):
        pat[i][col(pat, "patient_id")] = ""                                        # E003
    pat += [list(pat[i]) for i in pick(pat, 150)]                                 # E008
    write("patients", pat)

    cyc = rows_of("cycles")
    for i in pick(cyc, 400):
        cyc[i][col(cyc, "cycle")] = rng.choice(["0", "1.5", "x", "99"])
    for i in pick(cyc, 300):
        cyc[i][col(cyc, "agent")] = rng.choice(["lutetium", "LU177_DOTATATE", '"quoted, agent"'])
    for i in pick(cyc, 300):
        cyc[i][col(cyc, "date")] = rng.choice(["2019-01-01", "2030-01-01", "2022-02-29"])
    for i in pick(cyc, 200):
        cyc[i][col(cyc, "activity_gbq")] = "  7,4 "
    write("cycles", cyc)   # csv.writer quotes the cells with commas/quotes: DuckDB path

    les = rows_of("lesions")
    for i in pick(les, 300):
        les[i][col(les, "role")] = rng.choice(["tgt", "Target", "non target"])
    for i in pick(les, 300):
        les[i][col(les, "diameter_mm")] = rng.choice(["-3", "x", "1e4", "12,5"])
    les += [list(les[i]) for i in pick(les, 200)]
    write("lesions", les)

    ass = rows_of("assessments")
    for i in pick(ass, 300):
        ass[i][col(ass, "overall_response")] = rng.choice(["MR", "cr", "", "SD "])
    for i in pick(ass, 300):
        ass[i][col(ass, "date")] = rng.choice(["2022/05/17", "2000-01-01"])
    for i in pick(ass, 100):
        ass[i] = ass[i] + ["extra"]                                                # ragged
    for i in pick(ass, 50):
        ass[i][col(ass, "modality")] = "C\nT"                                     # quoted line break
    write("assessments", ass)
    text = (dst / "assessments.csv").read_text(encoding="utf-8").split("\n")
    for j in sorted(rng.sample(range(2, len(text) - 2), 30), reverse=True):
        text.insert(j, "")                                                         # blank lines
    (dst / "assessments.csv").write_text("\n".join(text), encoding="utf-8")

    ae = rows_of("adverse_events")
    for i in pick(ae, 300):
        ae[i][col(ae, "grade")] = rng.choice(["6", "0", "x", "2.5"])
    for i in pick(ae, 100):
        ae[i][col(ae, "serious")] = rng.choice(["maybe", "Y", "TRUE"])
    for i in pick(ae, 50):
        ae[i] = ae[i][:-1]                                                         # ragged (short)
    write("adverse_events", ae)

    hs = rows_of("hormonal_symptoms")
    for i in pick(hs, 100):
        hs[i][col(hs, "response")] = "partial"
    write("hormonal_symptoms", hs)
else:
    cyc = rows_of("cycles")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(cyc)
    lines = buf.getvalue().split("\n")
    for j in rng.sample(range(1, len(lines) - 1), 500):                          # quoted cells: DuckDB path
        parts = lines[j].split(",")
        parts[4] = '"' + parts[4] + '"'
        lines[j] = ",".join(parts)
    (dst / "cycles.csv").write_text("\n".join(lines), encoding="utf-8")

    les = rows_of("lesions")
    for i in pick(les, 500):
        les[i][col(les, "organ")] = " " + les[i][col(les, "organ")] + "  "        # padded cells
    les[0].append("note")                                                          # extra column W110
    for r in les[1:]:
        r.append(rng.choice(["", "x", "seen by A"]))
    write("lesions", les)

    ae = rows_of("adverse_events")
    for i in pick(ae, 100):
        ae[i][col(ae, "term")] = ae[i][col(ae, "term")] + "\nsecond line"         # quoted line break: csv_reader
    write("adverse_events", ae)

    labs = rows_of("labs")
    for i in pick(labs, 300):
        labs[i][col(labs, "patient_id")] = labs[i][col(labs, "patient_id")] + "\u200b"   # W111, part of its patient
    labs += [list(labs[i]) for i in pick(labs, 300)]                               # W108
    write("labs", labs)
print("injected", mode, "into", dst)
