"""A matplotlib figure as inline SVG text: text kept as text (small, searchable), fixed
hash salt and no date, so the same figure gives the same bytes.

Figures are drawn at the width of the report's text column (:data:`COLUMN_WIDTH_IN`, a
journal's full text width, 17 cm), with 8–9 pt text, so that printed at 100 % they fill
the column at print resolution; report.css stretches them to the column on screen. While
the report is being written (:func:`prrt_rwe.report.exports.collect`), the returned text
also carries the standalone SVG and a 300 dpi PNG for OUT/figures.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.transforms import Bbox

from prrt_rwe.report import exports

COLUMN_WIDTH_IN = 6.7
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "prrt-rwe", "font.size": 9,
         "font.family": "DejaVu Sans", "axes.spines.top": False, "axes.spines.right": False}


class FigureSvg(str):
    """Inline SVG text, with ``standalone`` (the SVG file) and ``png`` (300 dpi) when exporting."""

    standalone: str | None = None
    png: bytes | None = None


def new_figure(width: float, height: float, **subplots):
    """A figure ``height`` inches high at the column width (``width`` is kept for the
    callers' proportions: the height is scaled by COLUMN_WIDTH_IN / width)."""
    with plt.rc_context(STYLE):
        return plt.subplots(figsize=(COLUMN_WIDTH_IN, height * COLUMN_WIDTH_IN / width),
                            layout="constrained", **subplots)


def legend(ax, **kwargs) -> None:
    """``ax.legend(**kwargs)`` when the axes have a labelled artist: an empty group, arm or
    curve draws none, and matplotlib then warns "No artists with labels found"."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kwargs)


def column_bbox(fig, pad: float = 0.04):
    """The tight bounding box of the drawing, widened to the column width when narrower."""
    fig.draw_without_rendering()  # runs the layout engine, so the box is the saved one
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(pad)
    extra = COLUMN_WIDTH_IN - box.width
    if extra > 0:
        box = Bbox.from_extents(box.x0 - extra / 2, box.y0, box.x1 + extra / 2, box.y1)
    return box


def to_svg(fig) -> FigureSvg:
    buf = io.StringIO()
    with plt.rc_context(STYLE):
        box = column_bbox(fig)
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=box)
        png = None
        if exports.collecting():
            raster = io.BytesIO()
            fig.savefig(raster, format="png", dpi=exports.PNG_DPI, bbox_inches=box,
                        metadata={"Software": None})
            png = raster.getvalue()
    plt.close(fig)
    out = FigureSvg(inline(buf.getvalue()))
    out.standalone, out.png = buf.getvalue(), png
    return out


def inline(text: str) -> str:
    """SVG for embedding in HTML5: no XML prolog, metadata or namespace URLs (the HTML
    parser puts inline ``<svg>`` and ``xlink:href`` in their namespaces by itself)."""
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
