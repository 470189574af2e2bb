"""The hand registry's default run (``prrt-rwe analyze REGISTRY --out OUT``, no options), made
once for the modules that check it (test_analyze_hand_registry, test_analyze_options,
test_cli_contract; tests/conftest.py keeps them on one xdist worker)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hand_registry import write_registry  # noqa: E402


@pytest.fixture(scope="session")
def hand_run(tmp_path_factory):
    """(base, registry, the CLI's result): base/registry is the hand registry, base/out its
    analysis by ``prrt-rwe analyze base/registry --out base/out``."""
    from typer.testing import CliRunner

    from prrt_rwe.cli import app

    base = tmp_path_factory.mktemp("hand")
    registry = write_registry(base / "registry")
    result = CliRunner().invoke(app, ["analyze", str(registry), "--out", str(base / "out")])
    assert result.exit_code == 0, result.output
    return base, registry, result
