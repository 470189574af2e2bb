"""Table and figure numbers of report.html: consecutive in document order, whatever the parts
call them while they are built (ICMJE Recommendations, "Tables" and "Illustrations": number
them consecutively in the order of their first citation in the text).

A part captions its table or figure "Table 4b. ..." (any label) and cites another one with
:func:`ref` (its element id); once the whole page is assembled, :func:`number_document` gives
every "Table …."/"Figure …." caption the next number of its kind in reading order, and every
citation the number its target got. A citation of a table or figure the report does not show
(a conditional one) reads "a table (not shown)" rather than a wrong number.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

OPEN, CLOSE = "\u27e6", "\u27e7"   # ⟦ids⟧ marks a citation until the page is numbered
_CITATION = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")
_LABEL = re.compile(r"(Table|Figure) [A-Z]?\d+[a-z]?\. ")
_ELEMENT = re.compile(r"<table(?=[\s>])([^>]*)><caption>|<figure(?=[\s>])([^>]*)>|<figcaption>")
_ID = re.compile(r'\bid="([^"]*)"')


def ref(*element_ids: str) -> str:
    """A citation of one or more tables (or figures) by element id: 'Table 4', 'Tables 5 and 6'."""
    return f"{OPEN}{','.join(element_ids)}{CLOSE}"


@dataclass(frozen=True)
class Numbering:
    labels: dict  # element id -> "Table 4" / "Figure 2"
    captions: tuple  # (position of the old label in the page, old label, new label)

    def cite(self, ids: list[str]) -> str:
        found = [self.labels[i] for i in ids if i in self.labels]
        if not found:
            return "a table (not shown)" if all(i.startswith("table") for i in ids) else "a figure (not shown)"
        kinds = {label.split()[0] for label in found}
        if len(kinds) > 1:
            return _and(found)
        numbers = [label.split()[1] for label in found]
        return f"{found[0].split()[0]}{'s' if len(numbers) > 1 else ''} {_and(numbers)}"

    def resolve(self, text: str) -> str:
        """Citations in ``text`` replaced by the numbers of their targets."""
        if OPEN not in text:
            return text
        return _CITATION.sub(lambda m: self.cite(m.group(1).split(",")), text)

    def relabel(self, element_id: str, caption: str) -> str:
        """A caption of the element renumbered (exports: tables.docx and the figure files)."""
        new = self.labels.get(element_id)
        caption = self.resolve(caption)
        return _LABEL.sub(f"{new}. ", caption, count=1) if new and _LABEL.match(caption) else caption

    def apply(self, page: str) -> str:
        """The page with its captions renumbered and its citations resolved."""
        pieces, last = [], 0
        for position, old, new in self.captions:
            pieces += [page[last:position], new]
            last = position + len(old)
        return self.resolve("".join(pieces) + page[last:])


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def numbering(page: str) -> Numbering:
    """The numbers of the page's captioned tables and figures, in reading order."""
    counts, labels, captions, figure_id = {"Table": 0, "Figure": 0}, {}, [], None
    for m in _ELEMENT.finditer(page):
        if m.group(2) is not None:   # <figure ...>: its caption follows the figure
            figure_id = _element_id(m.group(2))
            continue
        if m.group(1) is not None:
            element_id = _element_id(m.group(1))
        else:
            element_id, figure_id = figure_id, None
        label = _LABEL.match(page, m.end())
        if label is None:
            continue
        kind = label.group(1)
        counts[kind] += 1
        new = f"{kind} {counts[kind]}"
        captions.append((m.end(), label.group(0)[:-2], new))
        if element_id and element_id not in labels:
            labels[element_id] = new
    return Numbering(labels, tuple(captions))


def _element_id(attributes: str) -> str | None:
    found = _ID.search(attributes)
    return found.group(1) if found else None


def number_document(page: str, bundle=None) -> str:
    """The page numbered; the exported tables and figures (exports.Bundle) renumbered to match,
    the tables in the page's order (tables.docx follows the report)."""
    numbers = numbering(page)
    if bundle is not None:
        order = {element_id: i for i, element_id in enumerate(numbers.labels)}
        bundle.tables[:] = sorted((_table(numbers, t) for t in bundle.tables),
                                  key=lambda t: order.get(t.table_id, len(order)))
        bundle.figures[:] = [dataclasses.replace(f, caption=numbers.relabel(f.figure_id, f.caption))
                             for f in bundle.figures]
    return numbers.apply(page)


def _table(numbers: Numbering, table):
    """A shown table (report.table.Table of strings) renumbered, its citations resolved."""
    def text(value):   # str, or markupsafe.Markup (the citation's text needs no escaping)
        return type(value)(numbers.resolve(str(value))) if isinstance(value, str) and OPEN in value else value

    rows = tuple(tuple(text(c) for c in row) for row in table.rows)
    return dataclasses.replace(table, title=numbers.relabel(table.table_id, str(table.title)),
                               rows=rows, footnotes=tuple(text(n) for n in table.footnotes),
                               source=text(table.source))
