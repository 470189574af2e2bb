"""The report as a reader sees it: headless Chromium (Debian's) opens report.html from disk,
offline; every section is there, every figure has a non-zero size, the console stays clean,
and a screenshot is saved (tmp; docs/screenshot.png is a copy of one for the README).

Runs in CI (scripts/install-system-deps.sh installs chromium); skipped with the reason when
chromium or the playwright client is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SECTIONS = ("summary", "flow", "baseline", "included", "response", "populations", "survival", "duration",
            "survival-groups", "models", "sensitivity", "missing-data",
            "confounding", "sites", "safety", "late-effects", "hormonal", "benchmarks",
            "quality", "methods", "limitations", "checklist", "provenance")
FIGURES = ("fig-flow", "fig-km-pfs", "fig-km-os", "fig-km-dor", "fig-waterfall", "fig-swimmer",
           "fig-km-pfs-primary_group", "fig-km-pfs-krenning4", "fig-km-os-primary_group", "fig-km-os-krenning4",
           "fig-forest-or", "fig-forest-hr", "fig-site-forest", "fig-site-funnel", "fig-egfr", "fig-cif",
           "fig-benchmarks")
TABLES = ("table1", "table-included-excluded", "table-populations", "table-dor", "table-km-groups",
          "table-or-univariable", "table-hr-univariable", "table-orr-cluster", "table-liver3", "table-cutoff")
# target-lesion sums for the waterfall plot: 50 mm at baseline, then by the recorded response
TARGET_SUM_MM = {"": 50.0, "CR": 0.0, "PR": 30.0, "SD": 45.0, "PD": 65.0}


def with_target_sums(registry: Path) -> Path:
    """The hand registry with assessments' sum_diameters_mm filled from TARGET_SUM_MM."""
    import csv

    path = registry / "assessments.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, [*rows[0], "sum_diameters_mm"])
        w.writeheader()
        w.writerows({**r, "sum_diameters_mm": TARGET_SUM_MM[r["overall_response"]]} for r in rows)
    return registry
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(hand_target_sums_run):
    """report.html of analyze(with_target_sums(hand registry)) (tests/conftest.py, shared with
    test_efficacy_hand_registry)."""
    return hand_target_sums_run.report_path


@pytest.fixture(scope="module")
def page(report, tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("chromium not installed (scripts/install-system-deps.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright client not installed "
                                   "(pip install -e '.[test]')")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900}, offline=True)
        pg = browser.new_page()
        messages, requests = [], []
        pg.on("console", lambda m: messages.append((m.type, m.text)))
        pg.on("pageerror", lambda e: messages.append(("error", str(e))))
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(report.resolve().as_uri(), wait_until="load")
        yield pg, messages, requests
        browser.close()


def test_every_section_renders(page):
    pg, _, _ = page
    for section in SECTIONS:
        box = pg.locator(f"section#{section}").bounding_box()
        assert box and box["height"] > 40, section


def test_every_figure_has_a_size(page):
    pg, _, _ = page
    for fig in FIGURES:
        svg = pg.locator(f"figure#{fig} svg")
        assert svg.count() == 1, fig
        box = svg.bounding_box()
        assert box["width"] > 100 and box["height"] > 100, (fig, box)


def test_every_figure_fills_the_text_column(page):
    pg, _, _ = page
    column = pg.locator("section#survival").bounding_box()["width"]
    for fig in FIGURES:
        box = pg.locator(f"figure#{fig} svg").bounding_box()
        assert abs(box["width"] - column) <= 1, (fig, box["width"], column)
def test_every_new_table_renders(page):
    pg, _, _ = page
    for table in TABLES:
        box = pg.locator(f"table#{table}").bounding_box()
        assert box and box["height"] > 40, table


def test_no_console_errors_and_no_requests(page, report):
    _, messages, requests = page
    assert [m for m in messages if m[0] in ("error", "warning")] == []
    assert requests == [report.resolve().as_uri()]  # nothing but the file itself


def test_screenshot(page, tmp_path):
    pg, _, _ = page
    shot = tmp_path / "report.png"
    pg.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000


def test_contents_numbers_never_run_into_the_previous_column(page):
    # the list numbers sit left of each item, in the column gap: the gap must hold the widest
    pg, _, _ = page
    room = pg.evaluate("""() => {
        const items = [...document.querySelectorAll('nav li')];
        const boxes = items.map(li => li.getBoundingClientRect());
        const lefts = [...new Set(boxes.map(b => Math.round(b.left)))].sort((a, b) => a - b);
        const probe = document.createElement('span');
        probe.textContent = items.length + '. ';
        items[0].appendChild(probe);
        const marker = probe.getBoundingClientRect().width;
        probe.remove();
        const rights = lefts.map(l => Math.max(...boxes.filter(b => Math.round(b.left) === l).map(b => b.right)));
        return lefts.slice(1).map((l, i) => l - rights[i] - marker);
    }""")
    assert len(room) == 2 and min(room) >= 0, room
