"""Suite-wide settings: property tests are derandomized (the same examples on every run, so
CI cannot fail by chance) and never fail on timing, only on wrong results.

The demo cohort's runs are shared by the modules that check them (one ``prrt-rwe demo``, one
re-analysis of its registry, one federated simulation of it), and the suite runs on two
processes in CI (pytest-xdist, ``make test``: ``-n 2 --dist loadfile --no-loadscope-reorder``).
Each test module runs whole on one worker (its module fixtures are built once), modules that
share a session fixture run on the same worker (SHARED), and the longest modules are handed
out first (LONGEST_FIRST) so that neither worker is left with a long one at the end.  The suite
passes the same without xdist."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("prrt-rwe", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("prrt-rwe")

# modules whose session fixtures are the same objects: one worker builds them once
SHARED = {
    "tests/e2e/test_demo.py": "demo",
    "tests/federated/test_federated_demo.py": "demo",
    "tests/e2e/test_analyze_hand_registry.py": "hand",   # tests/e2e/conftest.py: hand_run
    "tests/e2e/test_analyze_options.py": "hand",
    "tests/e2e/test_cli_contract.py": "hand",
    "tests/e2e/test_efficacy_hand_registry.py": "target-sums",   # hand_target_sums_run
    "tests/report/test_report_browser.py": "target-sums",
}
# the groups (modules, or SHARED's names) that take longest (``--durations``, 2 cores), longest
# first; the rest keep pytest's order after them
LONGEST_FIRST = [
    "tests/engines/test_engines_agree.py",
    "tests/federated/test_federated_deployment.py",
    "demo",
]


def _group(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    return SHARED.get(module, module)


def pytest_collection_modifyitems(config, items):
    first = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: first.get(_group(item.nodeid), len(first)))   # stable: pytest's order otherwise


@pytest.hookimpl(optionalhook=True, tryfirst=True)   # pytest-xdist's hook (only with -n), before its own
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` with SHARED's modules as one unit each: xdist's own grouping
    (``--dist loadgroup``, the xdist_group mark) has no effect with pytest 9.2, whose node ids
    no longer take the group suffix that xdist 3.8 appends."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ModulesAndSharedGroups(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid)

    return ModulesAndSharedGroups(config, log)


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
