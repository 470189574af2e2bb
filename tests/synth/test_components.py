"""Specifications of the generator's parts: baseline mix, sites, treatment, formatting."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from prrt_rwe.schema.registry_v1 import PRIMARY_SITES
from prrt_rwe.synth import writer
from prrt_rwe.synth.baseline import make_baseline
from prrt_rwe.synth.generator import simulate
from prrt_rwe.synth.sites import make_sites


@pytest.fixture(scope="module")
def base():
    return make_baseline(np.random.default_rng(5), 100_000)


def test_primary_and_grade_mix_match_okamoto(base):
    # published.yaml okamoto2026.baseline: pancreas 210, hindgut 81, midgut 19 of 383;
    # WHO grade G1 13.3, G2 71.2, G3 14.6, NEC 1.8 %; median age 64
    site = np.array(PRIMARY_SITES)[base.primary_site]
    assert abs(np.mean(site == "pancreas") - 210 / 383) < 0.01
    assert abs(np.isin(site, ["colon", "rectum"]).mean() - 81 / 383) < 0.01
    assert abs(np.isin(site, ["small_intestine", "appendix", "cecum"]).mean() - 19 / 383) < 0.005
    for g, share in enumerate((0.133, 0.712, 0.146, 0.018)):
        assert abs(np.mean(base.grade == g) - share) < 0.01
    assert abs(np.median(base.age) - 64) <= 1


def test_ki67_follows_who_grade(base):
    # WHO 2019 GEP-NET grading: G1 < 3 %, G2 3-20 %, G3 > 20 %
    assert (base.ki67[base.grade == 0] < 3).all()
    g2 = base.ki67[base.grade == 1]
    assert ((g2 >= 3) & (g2 <= 20)).all()
    assert (base.ki67[base.grade == 2] > 20).all()


def test_liver_fields_follow_the_format(base):
    # format v1: burden 0 and lesion empty when there are no liver metastases
    none = ~base.liver_mets
    assert (base.liver_burden[none] == 0).all() and np.isnan(base.liver_lesion[none]).all()
    assert (base.liver_burden[~none] >= 1).all() and (base.liver_lesion[~none] >= 5).all()
    # ~9 % with at least one model covariate missing (422 -> 383)
    assert abs((~base.complete_case).mean() - 39 / 422) < 0.01


def test_sites_unequal_and_all_used():
    s = make_sites(np.random.default_rng(1), 33, 422)
    assert s.sizes.sum() == 422 and (s.sizes >= 1).all() and len(set(s.ids)) == 33
    assert s.sizes.max() >= 3 * np.median(s.sizes)  # few large centres, many small


def test_reductions_and_stops_follow_toxicity():
    _, _, sim = next(simulate(5000, 33, 4))
    tx = sim["treatment"]
    n_given = np.sum(~np.isnan(tx.day), axis=1)
    assert n_given.max() == 4 and n_given.min() >= 1
    gaps = np.diff(tx.day, axis=1)
    assert np.nanmin(gaps) >= 42  # 8-weekly schedule, never closer than 6 weeks
    cycle = np.arange(1, 5)[None, :]
    reduced = tx.activity < 6.5
    assert reduced.any()
    # a reduced activity only ever follows the cycle after which toxicity occurred
    after_toxicity = (tx.toxic_cycle[:, None] > 0) & (cycle > tx.toxic_cycle[:, None])
    assert after_toxicity[reduced].all()
    # no cycle on or after a documented progression
    s = sim["series"]
    assert not np.any(tx.day >= s.pd_day[:, None])


def test_fixed_formatting_by_hand():
    out = writer.fixed(np.array([7.4, 220.0, 3.14159, np.nan, 12.0]), np.array([2, 0, 2, 1, 1]))
    assert out.to_pylist() == ["7.40", "220", "3.14", None, "12.0"]
    # 2022-01-08 is 19000 days after 1970-01-01
    assert (dt.date(1970, 1, 1) + dt.timedelta(days=19000)).isoformat() == "2022-01-08"
    assert writer.dates(np.array([19000.0, np.nan])).to_pylist() == ["2022-01-08", None]
    assert writer.yesno(np.array([True, False]), np.array([False, True])).to_pylist() == ["yes", None]


def test_cli_synth(tmp_path):
    from typer.testing import CliRunner

    from prrt_rwe.cli import app

    res = CliRunner().invoke(app, ["synth", "--out", str(tmp_path / "r"), "--patients", "40",
                                   "--sites", "5", "--seed", "2"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "patients.csv").read_text().count("\n") == 41
    assert "40 patients at 5 sites" in " ".join(res.output.split())
