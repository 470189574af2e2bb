"""One section of the report: an id (the anchor and the test hook), a title and its HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from prrt_rwe.report import exports


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    body: str  # trusted HTML built by the parts (every value escaped there)
    lead: str = ""  # one-sentence summary under the title (plain text)

    def html(self) -> str:
        lead = f'<p class="lead">{escape(self.lead)}</p>' if self.lead else ""
        return f'<section id="{self.id}"><h2>{escape(self.title)}</h2>{lead}{self.body}</section>'


def paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def figure(svg: str, caption: str, figure_id: str) -> str:
    """The figure in the page; also OUT/figures/<figure_id>.svg and .png (see exports)."""
    exports.add_figure(figure_id, caption, svg)
    return (f'<figure id="{figure_id}">{svg}<figcaption>{escape(caption)}</figcaption></figure>')
