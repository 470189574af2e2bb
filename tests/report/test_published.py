"""The package copy of published.yaml, and the endpoints our benchmarks list reads from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from prrt_rwe.benchmarks.published import published_studies, published_text, study
from prrt_rwe.results.benchmarks import ENDPOINTS, published_value

SHARED = Path("/work/shared/benchmarks/published.yaml")


@pytest.mark.skipif(not SHARED.exists(), reason="shared/benchmarks/published.yaml not on this machine")
def test_package_copy_equals_shared_file():
    assert published_text() == SHARED.read_text(encoding="utf-8")


def test_studies_in_file_order_with_agent():
    ids = [s.id for s in published_studies()]
    assert ids == ["okamoto2026", "netter1", "netter2", "brabander2017", "compete", "netter_r_pnet"]
    assert study("compete").agent == "lu177_edotreotide"
    assert study("netter1").agent == "lu177_dotatate"


def test_published_values_read_the_prrt_arm():
    # Values as printed in published.yaml (the papers' abstracts).
    values = {(e.study, e.key): published_value(e) for e in ENDPOINTS}
    assert values[("okamoto2026", "orr")] == 0.376
    assert values[("okamoto2026", "hormonal_marked_improvement")] == pytest.approx(18 / 24)
    assert values[("netter1", "pfs_rate_20m")] == 0.652
    assert values[("netter1", "os_median_months_final")] == 48.0
    assert values[("netter2", "orr")] == 0.430
    assert values[("brabander2017", "pfs_median_months")] == 29
    assert values[("compete", "pfs_median_months")] == 23.9
    assert values[("netter_r_pnet", "os_median_months")] == 41.4
    assert len(values) == len(ENDPOINTS)  # one item per endpoint, no duplicates
