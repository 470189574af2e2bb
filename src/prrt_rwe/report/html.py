"""report.html: the named parts in reading order, assembled into one self-contained page
(CSS inline, figures as inline SVG, no script, nothing fetched from the network)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from prrt_rwe.report import (
    benchmarks,
    exports,
    checklist,
    confounding,
    flow,
    forest,
    hormonal,
    included,
    km,
    km_groups,
    late_effects,
    limitations,
    methods,
    missing_data,
    not_run,
    populations,
    provenance,
    quality,
    response,
    response_duration,
    safety,
    sensitivity,
    sites,
    summary,
    table1,
)
from prrt_rwe.report.numbering import number_document

PARTS = (summary, flow, table1, included, response, populations, km, response_duration, km_groups, forest,
         sensitivity, missing_data, confounding, sites, safety, late_effects, hormonal, benchmarks, quality,
         not_run, methods, limitations, checklist, provenance)
TITLE = "177Lu-DOTATATE PRRT: multicentre real-world evidence report"


def _template_text(name: str) -> str:
    return resources.files("prrt_rwe.report").joinpath("templates", name).read_text("utf-8")


RENDERED_LAST = (summary,)  # text that repeats tables' counts: after the tables decide their masks


def sections(ctx) -> list:
    """The sections in reading order (a part may have none: it returns None); parts in
    RENDERED_LAST are built after the others, so that small-cell suppression (report.numbers)
    decides in the tables first.  A federated study (shared/spec/federated.md) marks the parts
    it has no numbers for and adds its own."""
    federated = ctx.results.get("mode") == "federated"
    if federated:
        from prrt_rwe.report.federation import federated_part, with_federation
    build = federated_part if federated else (lambda part, c: part.section(c))
    built = {part: build(part, ctx) for part in PARTS if part not in RENDERED_LAST}
    built.update({part: build(part, ctx) for part in PARTS if part in RENDERED_LAST})
    ordered = [built[part] for part in PARTS]
    return [s for s in (with_federation(ctx, PARTS, ordered) if federated else ordered) if s is not None]


def render(ctx) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(_template_text("report.html.j2"))
    fingerprint = ctx.provenance.get("input_fingerprint") or "unknown"
    sets = ctx.results["analysis_sets"]
    page = template.render(
        title=TITLE, css=Markup(_template_text("report.css")), sections=[_Safe(s) for s in sections(ctx)],
        subtitle=f"{ctx.numbers.count(sets['enrolled'], 'analysis_sets.enrolled')} patients enrolled; read against Okamoto et al. "
                 "2026 and NETTER-1",
        version=ctx.provenance.get("code_version") or "unknown",
        fingerprint=fingerprint, fingerprint_short=fingerprint[:12])
    return number_document(page, exports.current_bundle())   # tables and figures numbered 1, 2, ...


class _Safe:
    """A Section whose HTML jinja2 inserts as is (the parts escape every value)."""

    def __init__(self, section):
        self.id, self.title = section.id, section.title
        self._html = section.html()

    def html(self):
        return Markup(self._html)


def render_with_exports(ctx) -> tuple:
    """(report.html text, the exports.Bundle of its tables and figures); the PNGs drawn by
    a worker process for a large study (report.svg.png_process_for)."""
    from prrt_rwe.report.svg import png_process_for

    with exports.collect(png_process_for(ctx.results["analysis_sets"].get("enrolled"))) as bundle:
        text = render(ctx)
    return text, bundle


def write_report(ctx, path: Path) -> Path:
    """report.html, and beside it every table and figure as files (report.exports)."""
    path = Path(path)
    text, bundle = render_with_exports(ctx)
    path.write_text(text, encoding="utf-8")
    bundle.write(path.parent)
    return path
