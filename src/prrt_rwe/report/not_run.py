"""The analyses that ``[analyses] heavy = false`` skipped (results/heavy.py), each with its
reason; no section when every analysis ran."""

from __future__ import annotations

from html import escape

from prrt_rwe.report.section import Section


def section(ctx) -> Section | None:
    skipped = ctx.extras.get("not_run") or []
    if not skipped:
        return None
    items = "".join(f"<li><strong>{escape(s['analysis'])}</strong>: not run ({escape(s['reason'])})</li>"
                    for s in skipped)
    return Section("not-run", "Analyses not run",
                   f"<ul>{items}</ul>",
                   lead="These analyses were skipped by the study configuration; their estimates are absent or null.")
