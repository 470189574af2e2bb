"""Same seed => byte-identical files; another seed => different files (issue 4)."""

from __future__ import annotations

import filecmp

from prrt_rwe.synth.generator import generate


def _files(path):
    return sorted(p.name for p in path.iterdir())


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate(tmp_path / "a", patients=300, sites=12, seed=7, messy=True)
    b = generate(tmp_path / "b", patients=300, sites=12, seed=7, messy=True)
    assert _files(a.out) == _files(b.out)
    match, mismatch, errors = filecmp.cmpfiles(a.out, b.out, _files(a.out), shallow=False)
    assert mismatch == [] and errors == []
    assert a.rows == b.rows


def test_different_seed_gives_different_files(tmp_path):
    a = generate(tmp_path / "a", patients=300, sites=12, seed=7)
    b = generate(tmp_path / "b", patients=300, sites=12, seed=8)
    for name in ("patients", "cycles", "assessments", "labs"):
        assert (a.out / f"{name}.csv").read_bytes() != (b.out / f"{name}.csv").read_bytes(), name


def test_result_counts_match_the_files(tmp_path):
    r = generate(tmp_path / "r", patients=120, sites=7, seed=3)
    for name, path in r.paths.items():
        lines = path.read_text().count("\n")
        assert lines == r.rows[name] + 1, name  # header + one line per row
    assert r.rows["patients"] == 120 and r.rows["sites"] == 7
    assert "120 patients at 7 sites" in r.describe()
