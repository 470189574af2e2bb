"""report.html: the named parts in reading order, assembled into one self-contained page
(CSS inline, figures as inline SVG, no script, nothing fetched from the network)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from prrt_rwe.report import (
    benchmarks,
    checklist,
    flow,
    forest,
    hormonal,
    included,
    km,
    km_groups,
    late_effects,
    limitations,
    methods,
    not_run,
    populations,
    provenance,
    quality,
    response,
    response_duration,
    safety,
    sensitivity,
    summary,
    table1,
)

PARTS = (summary, flow, table1, included, response, populations, km, response_duration, km_groups, forest,
         sensitivity, safety, late_effects, hormonal, benchmarks, quality, not_run, methods, limitations,
         checklist, provenance)
TITLE = "177Lu-DOTATATE PRRT: multicentre real-world evidence report"


def _template_text(name: str) -> str:
    return resources.files("prrt_rwe.report").joinpath("templates", name).read_text("utf-8")


def sections(ctx) -> list:
    """Every part's section in PARTS order; a part may have none (returns None)."""
    return [s for s in (part.section(ctx) for part in PARTS) if s is not None]


def render(ctx) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(_template_text("report.html.j2"))
    fingerprint = ctx.provenance.get("input_fingerprint") or "unknown"
    sets = ctx.results["analysis_sets"]
    return template.render(
        title=TITLE, css=Markup(_template_text("report.css")), sections=[_Safe(s) for s in sections(ctx)],
        subtitle=f"{ctx.numbers.count(sets['enrolled'])} patients enrolled; read against Okamoto et al. "
                 "2026 and NETTER-1",
        version=ctx.provenance.get("code_version") or "unknown",
        fingerprint=fingerprint, fingerprint_short=fingerprint[:12])


class _Safe:
    """A Section whose HTML jinja2 inserts as is (the parts escape every value)."""

    def __init__(self, section):
        self.id, self.title = section.id, section.title
        self._html = section.html()

    def html(self):
        return Markup(self._html)


def write_report(ctx, path: Path) -> Path:
    path = Path(path)
    path.write_text(render(ctx), encoding="utf-8")
    return path
