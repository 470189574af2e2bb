"""A matplotlib figure as inline SVG text: text kept as text (small, searchable), fixed
hash salt and no date, so the same figure gives the same bytes."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

STYLE = {"svg.fonttype": "none", "svg.hashsalt": "prrt-rwe", "font.size": 9,
         "font.family": "DejaVu Sans", "axes.spines.top": False, "axes.spines.right": False}


def new_figure(width: float, height: float, **subplots):
    with plt.rc_context(STYLE):
        return plt.subplots(figsize=(width, height), **subplots)


def to_svg(fig) -> str:
    buf = io.StringIO()
    with plt.rc_context(STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    return inline(buf.getvalue())


def inline(text: str) -> str:
    """SVG for embedding in HTML5: no XML prolog, metadata or namespace URLs (the HTML
    parser puts inline ``<svg>`` and ``xlink:href`` in their namespaces by itself)."""
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
