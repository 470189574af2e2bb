"""Every table and figure of report.html also as files, as journals and co-authors want them:
OUT/figures/<figure id>.svg and .png (300 dpi), OUT/tables/<table id>.csv and one
OUT/tables.docx (python-docx) with every table, its title and notes, in report order.

Nothing to call from a report part: :class:`~prrt_rwe.report.table.Table` ``.html()`` and
:func:`~prrt_rwe.report.section.figure` hand what they render to the bundle that
:func:`collect` opens around the rendering (html.write_report does), after suppression, so
the files show exactly what the report shows.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

PNG_DPI = 300
_BUNDLE: contextvars.ContextVar = contextvars.ContextVar("prrt_rwe_exports", default=None)


@dataclass(frozen=True)
class FigureFile:
    figure_id: str
    caption: str
    svg: str  # a standalone SVG document
    png: object  # bytes, a Future of them (report.svg compresses on a worker thread), or None

    def png_bytes(self) -> bytes | None:
        return self.png.result() if hasattr(self.png, "result") else self.png


@dataclass
class Bundle:
    tables: list = field(default_factory=list)  # report.table.Table, cells as shown strings
    figures: list = field(default_factory=list)
    png_process: bool = False  # PNGs drawn by report.svg's worker process (large studies)

    def write(self, out: Path) -> list[Path]:
        """Write the files under ``out``, each atomically, and remove the figures and tables
        an earlier run left there (e.g. a per-patient plot that suppression now omits);
        returns the paths written."""
        out = Path(out)
        tables = [_write(out / "tables" / f"{name}.csv", lambda tmp, t=t: write_csv(t, tmp))
                  for name, t in zip(table_names(self.tables), self.tables)]
        if self.tables:   # the tables first: the PNG worker meanwhile finishes the last figures
            tables.append(_write(out / "tables.docx", lambda tmp: write_docx(self.tables, tmp)))
        written = []
        for f in self.figures:
            svg = out / "figures" / f"{f.figure_id}.svg"
            written.append(_write(svg, lambda tmp, f=f: tmp.write_text(f.svg, encoding="utf-8")))
            if f.png is not None:
                written.append(_write(svg.with_suffix(".png"), lambda tmp, f=f: tmp.write_bytes(f.png_bytes())))
        written += tables
        for folder, patterns in (("figures", ("*.svg", "*.png")), ("tables", ("*.csv",))):
            for stale in [p for pattern in patterns for p in (out / folder).glob(pattern)]:
                if stale not in written:
                    stale.unlink()
        return written


def _write(path: Path, writer) -> Path:
    from prrt_rwe.outputs.atomic import write_with

    path.parent.mkdir(parents=True, exist_ok=True)
    return write_with(path, writer)


@contextlib.contextmanager
def collect(png_process: bool = False):
    """Collect the tables and figures rendered inside the block into a Bundle;
    ``png_process``: their PNGs drawn by a worker process (report.svg) instead of here."""
    bundle = Bundle(png_process=png_process)
    token = _BUNDLE.set(bundle)
    try:
        yield bundle
    finally:
        _BUNDLE.reset(token)


def current_bundle():
    """The Bundle being collected, or None."""
    return _BUNDLE.get()


def collecting() -> bool:
    return _BUNDLE.get() is not None


def png_process() -> bool:
    """Whether the Bundle being collected has its PNGs drawn by a worker process."""
    bundle = _BUNDLE.get()
    return bundle is not None and bundle.png_process


def add_table(table) -> None:
    bundle = _BUNDLE.get()
    if bundle is not None and not any(t is table for t in bundle.tables):
        bundle.tables.append(table)


def add_figure(figure_id: str, caption: str, svg_text) -> None:
    bundle = _BUNDLE.get()
    if bundle is None:
        return
    standalone = getattr(svg_text, "standalone", None) or standalone_svg(str(svg_text))
    bundle.figures.append(FigureFile(figure_id, caption, standalone, getattr(svg_text, "png", None)))


def standalone_svg(inline_svg: str) -> str:
    """An inline ``<svg>`` as a file: XML prolog and the SVG namespace back."""
    body = inline_svg if "xmlns=" in inline_svg else inline_svg.replace(
        "<svg", '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"', 1)
    return '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + body


def table_names(tables) -> list[str]:
    """File names: the table id, else a slug of the title; made unique in report order."""
    names, seen = [], {}
    for t in tables:
        base = t.table_id or re.sub(r"[^a-z0-9]+", "-", str(t.title).lower()).strip("-")[:60] or "table"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


def plain(cell) -> str:
    """A cell as text (the HTML of a Markup cell without its tags)."""
    return cell.striptags() if hasattr(cell, "striptags") else str(cell)


def _body_rows(t) -> list[list[str]]:
    return [[r[1]] + [""] * (len(t.columns) - 1) if r and r[0] == "__group__" else [plain(c) for c in r]
            for r in t.rows]


def write_csv(t, path: Path) -> Path:
    """Column labels, then the rows as shown (group rows: the label in the first column)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(t.columns)
        writer.writerows(_body_rows(t))
    return path


def write_docx(tables, path: Path) -> Path:
    """Every table in one Word file: caption, the table, its notes and source."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = "prrt-rwe report tables"
    for t in tables:
        document.add_paragraph(str(t.title), style="Caption")
        grid = document.add_table(rows=1 + len(t.rows), cols=len(t.columns))
        grid.style = "Table Grid"
        rows = grid.rows   # each row's cells once (python-docx rebuilds them on every access)
        for label, cell in zip(t.columns, rows[0].cells):
            cell.text = str(label)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row, values in zip(list(rows)[1:], _body_rows(t)):
            for cell, value in zip(row.cells, values):
                cell.text = value
        for note in (*t.footnotes, *((t.source,) if t.source else ())):
            para = document.add_paragraph(str(note))
            for run in para.runs:
                run.font.size = Pt(8)
    document.save(str(path))
    return path
