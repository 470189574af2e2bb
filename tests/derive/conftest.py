"""Fixtures of the derivation tests; the registry builders are in derive_builders.py."""

import pytest


@pytest.fixture
def derive():
    """derive_all on a connection, closing it afterwards."""
    from prrt_rwe.derive import derive_all

    def run(con, config=None):
        try:
            return derive_all(con, config)
        finally:
            con.close()

    return run
