"""A report table as great_tables builds one: title, column labels, body rows (with
optional group rows), footnotes and a source note, rendered to escaped HTML.

Cells are strings (``markupsafe.Markup`` for trusted HTML such as a link), or the count cells of :mod:`prrt_rwe.report.cells` with the table's
arithmetic in ``sums`` (how: :mod:`prrt_rwe.report.numbers`); then ``numbers`` suppresses
small counts and everything that would recompute them, and :meth:`Table.text` gives the
shown strings (used by the HTML and by the CSV / Word exports of :mod:`exports`)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from prrt_rwe.report import exports
from prrt_rwe.report.cells import Cell, cells_of


@dataclass(frozen=True)
class Table:
    title: object  # str or a cells.Label
    columns: tuple
    rows: tuple  # tuples of cells (strings or count cells), or ("__group__", label)
    footnotes: tuple = ()
    source: str = ""
    table_id: str = ""
    classes: str = "tbl"
    text_columns: int = 1  # the first columns hold text (left-aligned); numbers follow
    sums: tuple = ()  # cells.Sum: the arithmetic of the table
    numbers: object = None  # report.numbers.Numbers, needed when a cell is a count cell

    def text(self) -> Table:
        """The same table with every cell as its shown string (suppression applied)."""
        items = (self.title, self.columns, self.rows, self.footnotes)
        if self.numbers is None and not cells_of(items) and not self.sums:
            return self   # plain strings, nothing to suppress
        if self.numbers is None:
            raise TypeError(f"table {self.table_id or self.title!r}: count cells need numbers=")
        view = self.numbers.resolve(self.table_id or str(self.title), items, self.sums)

        def shown(c):
            return view.text(c) if isinstance(c, Cell) else c

        rows = tuple((row[0], shown(row[1])) if row and row[0] == "__group__" else tuple(shown(c) for c in row)
                     for row in self.rows)
        return Table(shown(self.title), tuple(shown(c) for c in self.columns), rows,
                     tuple(shown(n) for n in self.footnotes), self.source, self.table_id,
                     self.classes, self.text_columns)

    def html(self) -> str:
        t = self.text()
        exports.add_table(t)
        head = "".join(f"<th{t._align(i)}>{escape(c)}</th>" for i, c in enumerate(t.columns))
        body = "".join(t._row(r) for r in t.rows)
        notes = "".join(f"<li>{escape(n)}</li>" for n in t.footnotes)
        foot = f'<tfoot><tr><td colspan="{len(t.columns)}"><ol class="notes">{notes}</ol>' \
               + (f'<p class="source">{escape(t.source)}</p>' if t.source else "") \
               + "</td></tr></tfoot>" if (notes or t.source) else ""
        ident = f' id="{escape(t.table_id)}"' if t.table_id else ""
        return (f'<div class="tbl-wrap"><table class="{t.classes}"{ident}><caption>{escape(t.title)}'
                f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table></div>")

    def _align(self, i: int) -> str:
        return ' class="t"' if i < self.text_columns else ""

    def _row(self, row) -> str:
        if row and row[0] == "__group__":
            return f'<tr class="group"><th colspan="{len(self.columns)}">{escape(row[1])}</th></tr>'
        cells = "".join(f"<td{self._align(i)}>{c if isinstance(c, Markup) else escape(str(c))}</td>"
                        for i, c in enumerate(row))
        return f"<tr>{cells}</tr>"


def group(label) -> tuple:
    """A group row (its label a string or a cells.Label)."""
    return ("__group__", label)
