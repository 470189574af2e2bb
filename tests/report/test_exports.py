"""Every figure of report.html is also OUT/figures/<id>.svg and .png at 300 dpi and the
column width; every table is OUT/tables/<id>.csv and a table of OUT/tables.docx, with the
cells the report shows (masked the same way); Kaplan-Meier labels never overlap."""

from __future__ import annotations

import csv
import html as html_lib
import re
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from prrt_rwe.report.numbers import Numbers
from prrt_rwe.report.svg import COLUMN_WIDTH_IN
from prrt_rwe.results import survival as surv


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    sys.path.insert(0, str(Path(__file__).parents[1] / "e2e"))
    from hand_registry import write_registry

    from prrt_rwe.study import analyze

    base = tmp_path_factory.mktemp("exports")
    return analyze(write_registry(base / "registry"), base / "out", suppress_below=3).out


def png_size_and_dpi(path: Path) -> tuple[int, int, float]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    at = data.index(b"pHYs")  # pixels per unit (metre when unit = 1)
    ppm_x, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1
    return width, height, ppm_x * 0.0254


def html_tables(text: str) -> dict[str, list[list[str]]]:
    """Table id -> header and body rows as the reader sees them (group rows: label + blanks)."""
    out = {}
    for ident, body in re.findall(r'<table[^>]* id="([^"]+)"[^>]*>(.*?)</table>', text, re.S):
        body = re.sub(r"<tfoot>.*?</tfoot>|<caption>.*?</caption>", "", body, flags=re.S)
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = [html_lib.unescape(re.sub(r"<[^>]+>", "", c))
                     for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            rows.append(cells)
        out[ident] = rows
    return out


def test_every_figure_is_an_svg_and_a_300_dpi_png_at_the_column_width(out):
    report = (out / "report.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure id="([^"]+)"', report)
    assert len(figures) >= 7
    for name in figures:
        svg = (out / "figures" / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
        width, height, dpi = png_size_and_dpi(out / "figures" / f"{name}.png")
        assert dpi == pytest.approx(300, abs=0.5), name
        # the column width (6.7 in = 2010 px), give or take the padding of the bounding box
        assert COLUMN_WIDTH_IN * 300 <= width < 1.05 * COLUMN_WIDTH_IN * 300, (name, width)


def test_every_table_is_a_csv_with_the_cells_of_the_report(out):
    report = (out / "report.html").read_text(encoding="utf-8")
    tables = html_tables(report)
    assert {"table1", "table-bor", "table-worst-grade", "table-quality-sites"} <= set(tables)
    for ident, rows in tables.items():
        with open(out / "tables" / f"{ident}.csv", encoding="utf-8", newline="") as fh:
            written = list(csv.reader(fh))
        padded = [r + [""] * (len(rows[0]) - len(r)) if len(r) == 1 else r for r in rows]
        assert written == padded, ident
    # masked as the report: the 1-of-7 complete response is nowhere
    bor = (out / "tables" / "table-bor.csv").read_text(encoding="utf-8")
    assert "<3 (–)" in bor and "14.3 %" not in bor


def test_tables_docx_holds_every_table_in_report_order(out):
    import docx

    report = (out / "report.html").read_text(encoding="utf-8")
    tables = html_tables(report)
    document = docx.Document(str(out / "tables.docx"))
    assert len(document.tables) == len(tables)
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells] == next(iter(tables.values()))[0]
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "Table 1. Patient characteristics at the first PRRT cycle"


def overlaps(fig, labels) -> list:
    from prrt_rwe.report.km import text_box

    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = [text_box(t, renderer) for t in labels]
    return [(a.get_text(), b.get_text()) for i, a in enumerate(labels) for b, bb in
            zip(labels[i + 1:], boxes[i + 1:]) if boxes[i].overlaps(bb)]


def test_landmark_labels_never_overlap():
    from prrt_rwe.report.km import draw_km

    # no event between 20 and 24 months: both landmarks sit at the same height, 4 months
    # apart (the OS curve of the demo), and at 20 / 21 months.
    days = np.array([100.0, 200, 300, 400, 500, 900, 1000, 1100, 1200, 1300] * 3)
    event = np.array([1, 0, 1, 0, 1, 0, 0, 1, 0, 0] * 3)
    data = surv.SurvivalData(days, event)
    months = [0, 6, 12, 18, 24, 30, 36, 42]
    rt = surv.risk_table(data, months)
    table = {"months": months, "at_risk": list(rt.at_risk), "censored": list(rt.censored),
             "events": list(rt.events)}
    for landmarks in ((12, 20, 24), (20, 21, 22)):
        options = surv.KmOptions("log-log", 0.95, landmarks)
        fig, labels = draw_km(data, options, table, "Overall survival", Numbers(), "os", "t")
        assert len(labels) == 4 and overlaps(fig, labels) == []


def _captions(report: str) -> list[str]:
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", c))
            for c in re.findall(r"<table[^>]*><caption>(.*?)</caption>", report, re.S)]


def test_tables_docx_has_the_reports_captions_and_cells_in_order(out):
    import docx

    report = (out / "report.html").read_text(encoding="utf-8")
    document = docx.Document(str(out / "tables.docx"))
    assert [p.text for p in document.paragraphs if p.style.name == "Caption"] == _captions(report)
    for grid, (ident, rows) in zip(document.tables, html_tables(report).items()):
        padded = [r + [""] * (len(rows[0]) - len(r)) if len(r) == 1 else r for r in rows]
        assert [[c.text for c in row.cells] for row in grid.rows] == padded, ident


def test_tables_and_figures_are_numbered_consecutively_in_reading_order(out):
    report = (out / "report.html").read_text(encoding="utf-8")
    labels = re.findall(r"<(?:caption|figcaption)>(Table|Figure) (\S+?)\. ", report)
    for kind in ("Table", "Figure"):
        numbers = [n for k, n in labels if k == kind]
        assert numbers == [str(i) for i in range(1, len(numbers) + 1)], (kind, numbers)
    assert "\u27e6" not in report   # every citation resolved


def test_exported_figures_show_what_the_report_shows(out):
    report = (out / "report.html").read_text(encoding="utf-8")
    for ident, svg in re.findall(r'<figure id="([^"]+)">(<svg.*?</svg>)', report, re.S):
        exported = (out / "figures" / f"{ident}.svg").read_text(encoding="utf-8")
        texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
        assert texts == re.findall(r"<text[^>]*>(.*?)</text>", exported, re.S), ident


def test_run_json_names_every_output_the_suppression_masks(out):
    import json

    applies = json.loads((out / "run.json").read_text())["suppression_applies_to"]
    assert applies == ["report.html", "tables.docx", "tables/*.csv", "figures/*.svg", "figures/*.png"]
    for pattern in applies:
        assert list(out.glob(pattern)), pattern   # each names files the run wrote
