"""Fixture: a fresh, valid copy of examples/minimal in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from registry_edits import MINIMAL


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A fresh, valid copy of examples/minimal."""
    folder = tmp_path / "registry"
    shutil.copytree(MINIMAL, folder)
    return folder
