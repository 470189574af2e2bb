"""Suite-wide settings: property tests are derandomized (the same examples on every run, so
CI cannot fail by chance) and never fail on timing, only on wrong results.

The demo cohort's runs are shared by the modules that check them (one ``prrt-rwe demo``, one
re-analysis of its registry, one federated simulation of it), and so is the analysis of the hand
registry with target-lesion sums."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("prrt-rwe", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("prrt-rwe")


# -- the demo cohort (422 patients, 33 sites, demo seed), as `prrt-rwe demo` writes it --------

@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """``prrt-rwe demo --out OUT``: (OUT, the command's output); OUT/registry is the cohort."""
    from typer.testing import CliRunner

    from prrt_rwe.cli import app

    out = tmp_path_factory.mktemp("demo") / "demo-out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="session")
def demo_analysed_again(demo_run, tmp_path_factory):
    """``analyze`` of the demo's registry into a new folder (StudyResults): the pooled analysis
    of the demo cohort without the demo's input note."""
    from prrt_rwe.study import analyze

    return analyze(demo_run[0] / "registry", tmp_path_factory.mktemp("demo-again") / "pooled")


@pytest.fixture(scope="session")
def demo_federated(demo_run, tmp_path_factory):
    """The demo's registry as a simulated network (time_unit day, min_cell 1; the direct runtime:
    Flower's Message API gives the same bytes, test_federated_simulation.py)."""
    from prrt_rwe.federated.network import NetworkConfig
    from prrt_rwe.federated.study import simulate

    return simulate(demo_run[0] / "registry", tmp_path_factory.mktemp("demo-federated") / "federated",
                    network=NetworkConfig(min_cell=1, time_unit="day"), runtime="direct")


# -- the hand registry with target-lesion sums (tests/e2e/hand_registry.py,
#    tests/report/test_report_browser.py's with_target_sums), default configuration -------------

@pytest.fixture(scope="session")
def hand_target_sums_run(tmp_path_factory):
    """``analyze(REGISTRY, OUT)`` of the hand registry with target-lesion sums: StudyResults."""
    import sys
    from pathlib import Path

    here = Path(__file__).parent
    sys.path[:0] = [str(here / "e2e"), str(here / "report")]
    from hand_registry import write_registry
    from test_report_browser import with_target_sums

    from prrt_rwe.study import analyze

    base = tmp_path_factory.mktemp("hand-target-sums")
    return analyze(with_target_sums(write_registry(base / "registry")), base / "out")
