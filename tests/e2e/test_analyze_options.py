"""`analyze` options on the hand registry: --suppress-below masks small counts in report.html
only, and an ingested .duckdb gives the same results.json as the registry folder."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from prrt_rwe.cli import app


@pytest.fixture(scope="module")
def runs(hand_run, tmp_path_factory):
    """(folders, registry): folders["plain"] is ``analyze REGISTRY --out`` without options (the
    hand registry's default run, tests/e2e/conftest.py), folders["masked"] the same with
    ``--suppress-below 3``."""
    shared, registry, _ = hand_run
    base = {"plain": shared / "out", "masked": tmp_path_factory.mktemp("options") / "masked"}
    masked = CliRunner().invoke(app, ["analyze", str(registry), "--out", str(base["masked"]),
                                      "--suppress-below", "3"])
    assert masked.exit_code == 0, masked.output
    return base, registry


def test_suppression_leaves_results_json_complete(runs):
    base, _ = runs
    assert (base["masked"] / "results.json").read_bytes() == (base["plain"] / "results.json").read_bytes()


def test_suppression_masks_counts_and_their_percentages(runs):
    base, _ = runs
    plain = (base["plain"] / "report.html").read_text(encoding="utf-8")
    masked = (base["masked"] / "report.html").read_text(encoding="utf-8")
    # BOR: CR 1 of 7 (14.3 %), PR 2 (28.6 %); shown unmasked without the option ...
    assert "<td>1 (14.3 %)</td>" in plain and "<td>2 (28.6 %)</td>" in plain
    # ... and as "<3 (–)" with it; no 1/7 or 2/7 percentage survives anywhere.
    assert "&lt;3 (–)" in masked
    assert "14.3 %" not in masked and "28.6 %" not in masked
    # Exclusion boxes of the flow diagram (1 patient each) are masked too.
    assert re.search(r"No PRRT cycle: n = &lt;3", masked)
    # Enrolled (10) = safety (9) + no cycle (1): the enrolled box is masked with it ("–"),
    # counts at or above the threshold stay: 9 treated, 7 in the complete-case set.
    assert "n = –" in masked and "– patients enrolled" in masked and "n = 10" not in masked
    assert "n = 9" in masked and "Complete-case set (N = 7)" in masked
    assert "counts below 3" in masked  # the provenance says the rule was applied


def test_duckdb_input_gives_the_same_results(runs, tmp_path):
    base, registry = runs
    runner = CliRunner()
    db = tmp_path / "hand.duckdb"
    assert runner.invoke(app, ["ingest", str(registry), "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["analyze", "--db", str(db), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "results.json").read_bytes() == (base["plain"] / "results.json").read_bytes()


def test_source_and_db_together_is_a_usage_error(runs, tmp_path):
    _, registry = runs
    result = CliRunner().invoke(app, ["analyze", str(registry), "--db", str(tmp_path / "x.duckdb"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2


def test_bad_config_exits_1(runs, tmp_path):
    _, registry = runs
    cfg = tmp_path / "study.toml"
    cfg.write_text("[km]\nconf_typ = 'log'\n")
    result = CliRunner().invoke(app, ["analyze", str(registry), "--out", str(tmp_path / "out"),
                                      "--config", str(cfg)])
    assert result.exit_code == 1
    assert "conf_typ" in result.output


def test_config_changes_the_computation_and_the_methods_text(runs, tmp_path):
    import json
    import math

    from scipy.stats import norm

    _, registry = runs
    cfg = tmp_path / "study.toml"
    cfg.write_text('[km]\nconf_type = "log"\nlandmarks_months = [12, 18]\n[recist]\nconfirmation_days = 21\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["analyze", str(registry), "--out", str(out), "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    pfs = json.loads((out / "results.json").read_text())["pfs"]
    assert list(pfs["rate_at"]) == ["12", "18"]
    # Same hand KM as test_analyze_hand_registry, CI now on the log scale: S exp(+-z sqrt(Greenwood)).
    s12 = 6 / 7 * 5 / 6 * 3 / 4 * 2 / 3
    half = norm.ppf(0.975) * math.sqrt(1 / 42 + 1 / 30 + 1 / 12 + 1 / 6)
    assert pfs["rate_at"]["12"]["ci95"] == [pytest.approx(s12 * math.exp(-half), rel=1e-5),
                                            pytest.approx(min(1.0, s12 * math.exp(half)), rel=1e-5)]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "intervals on the log scale" in html and "at least 21 days later" in html
    assert "landmark rates at 12, 18 months" in html


def test_duckdb_input_keeps_the_data_quality_section(runs, tmp_path):
    base, registry = runs
    runner = CliRunner()
    db = tmp_path / "hand.duckdb"
    assert runner.invoke(app, ["ingest", str(registry), "--db", str(db)]).exit_code == 0
    out = tmp_path / "out"
    assert runner.invoke(app, ["analyze", "--db", str(db), "--out", str(out)]).exit_code == 0

    def quality(html):
        return html[html.index('<section id="quality">'):].split("</section>")[0]

    from_files = quality((base["plain"] / "report.html").read_text(encoding="utf-8"))
    from_db = quality((out / "report.html").read_text(encoding="utf-8"))
    assert 'id="table-quality-sites"' in from_db and from_db == from_files


def test_firth_for_the_response_model_is_chosen_in_study_toml(tmp_path):
    """[models] orr_method = "firth": the response model's ORs and CIs are those of
    stats.logistic(firth=True, ci="profile") on the same design (that engine is checked
    against R logistf in tests/stats/test_logistic.py), not the ML ones, and the report says so."""
    import json

    import numpy as np

    from prrt_rwe import stats
    from prrt_rwe.config import load_config
    from prrt_rwe.derive import derive_all
    from prrt_rwe.results.models import orr_design
    from prrt_rwe.results.populations import flagged
    from prrt_rwe.study import open_source
    from prrt_rwe.synth.generator import generate

    registry = generate(tmp_path / "registry", patients=90, sites=6, seed=2).out
    cfg = tmp_path / "study.toml"
    cfg.write_text('[models]\norr_method = "firth"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["analyze", str(registry), "--out", str(out), "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    firth = json.loads((out / "results.json").read_text())["models"]["orr_logistic"]
    con, _, _ = open_source(registry)
    adam = derive_all(con, load_config(cfg))
    con.close()
    y, X = orr_design(flagged(adam.adsl, "EFFFL"), adam.adrs, load_config(cfg).models)
    fit, ml = stats.logistic(y, X, firth=True, ci="profile"), stats.logistic(y, X)
    for i, term in enumerate(firth["terms"], start=1):
        assert term["or"] == pytest.approx(np.exp(fit.coef[i]), rel=1e-8)
        assert term["ci95"] == pytest.approx(list(np.exp(fit.ci95[i])), rel=1e-8)
        assert term["or"] != pytest.approx(np.exp(ml.coef[i]), rel=1e-3)   # shrunk towards 1
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "profile penalised-likelihood 95 % intervals" in html and "as R logistf" in html


def test_the_run_leaves_the_garbage_collector_as_it_found_it(runs, tmp_path, monkeypatch):
    """study._keep_out_of_gc freezes the ADaM frames and the analysis during the run, with a
    higher young-generation threshold (issue 17); every object is back in the collector's
    generations and the thresholds as they were afterwards, also after a failure."""
    import gc

    import prrt_rwe.results.analysis as analysis
    from prrt_rwe.study import analyze

    from prrt_rwe.study import YOUNG_GC_THRESHOLD

    _, registry = runs
    thresholds = gc.get_threshold()
    assert gc.get_freeze_count() == 0   # the masked run of the fixture, in this process
    analyze(registry, tmp_path / "again")
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds

    def fails(*args, **kwargs):
        assert gc.get_freeze_count() > 0   # the ADaM frames are frozen while the statistics run
        assert gc.get_threshold() == (YOUNG_GC_THRESHOLD, *thresholds[1:])
        raise RuntimeError("statistics failed")

    monkeypatch.setattr(analysis, "analyze_adam", fails)
    with pytest.raises(RuntimeError, match="statistics failed"):
        analyze(registry, tmp_path / "failed")
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds


def test_a_process_that_froze_objects_keeps_them_frozen(runs, tmp_path):
    """An embedding program that called gc.freeze itself: analyze neither freezes nor unfreezes
    (gc.unfreeze would release the program's objects too) and leaves the thresholds alone."""
    import gc

    from prrt_rwe.study import analyze

    _, registry = runs
    thresholds = gc.get_threshold()
    program_object = [object()]          # a container the program froze and still holds
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0 and not _tracked(program_object)   # frozen: out of the generations
        analyze(registry, tmp_path / "embedded")
        # nothing frozen by analyze (the count can only fall: a frozen object freed by its
        # reference count leaves), and the program's object was not unfrozen
        assert gc.get_freeze_count() <= frozen and not _tracked(program_object)
        assert gc.get_threshold() == thresholds
    finally:
        gc.unfreeze()
    assert _tracked(program_object)      # the check above can see an unfrozen object


def _tracked(obj) -> bool:
    """Whether OBJ is in one of the collector's generations (gc.get_objects leaves out the
    permanent generation, where gc.freeze moves every object)."""
    import gc

    return any(o is obj for o in gc.get_objects())
