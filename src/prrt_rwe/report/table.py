"""A report table as great_tables builds one: title, column labels, body rows (with
optional group rows), footnotes and a source note, rendered to escaped HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple  # tuples of cell strings, or ("__group__", label)
    footnotes: tuple[str, ...] = ()
    source: str = ""
    table_id: str = ""
    classes: str = "tbl"
    text_columns: int = 1  # the first columns hold text (left-aligned); numbers follow

    def html(self) -> str:
        head = "".join(f"<th{self._align(i)}>{escape(c)}</th>" for i, c in enumerate(self.columns))
        body = "".join(self._row(r) for r in self.rows)
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.footnotes)
        foot = f'<tfoot><tr><td colspan="{len(self.columns)}"><ol class="notes">{notes}</ol>' \
               + (f'<p class="source">{escape(self.source)}</p>' if self.source else "") \
               + "</td></tr></tfoot>" if (notes or self.source) else ""
        ident = f' id="{escape(self.table_id)}"' if self.table_id else ""
        return (f'<div class="tbl-wrap"><table class="{self.classes}"{ident}><caption>{escape(self.title)}'
                f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table></div>")

    def _align(self, i: int) -> str:
        return ' class="t"' if i < self.text_columns else ""

    def _row(self, row) -> str:
        if row and row[0] == "__group__":
            return f'<tr class="group"><th colspan="{len(self.columns)}">{escape(row[1])}</th></tr>'
        cells = "".join(f"<td{self._align(i)}>{escape(str(c))}</td>" for i, c in enumerate(row))
        return f"<tr>{cells}</tr>"


def group(label: str) -> tuple:
    return ("__group__", label)
