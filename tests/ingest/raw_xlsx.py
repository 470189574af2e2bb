"""Write a minimal .xlsx from raw worksheet XML, so a test controls every byte that Excel
would write (declared range, cell types, styles, cached values)."""

from __future__ import annotations

import zipfile
from pathlib import Path

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {NS}>'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
          '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
          '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="10" applyNumberFormat="1"/>'
          '<xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/>'
          '</cellXfs></styleSheet>')
# Style indices of STYLES: 0 general, 1 built-in 0.00%, 2 date (m/d/yyyy), 3 custom 0.0%.
GENERAL, PERCENT, DATE, PERCENT_CUSTOM = 0, 1, 2, 3


def column_letters(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell(ref: str, value, style: int | None = None) -> str:
    """One <c> element: str -> inline string, number -> number, bool -> boolean."""
    s = "" if style is None else f' s="{style}"'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"{s}><is><t>{text}</t></is></c>'


def rows_xml(rows: list[list]) -> str:
    """<row> elements of plain values (row 1 first); a value may be a ready <c> string."""
    out = []
    for r, values in enumerate(rows, start=1):
        cells = [v if isinstance(v, str) and v.startswith("<c ") else cell(f"{column_letters(c)}{r}", v)
                 for c, v in enumerate(values, start=1) if v is not None]
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


def sheet_xml(body: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}'
            f"<sheetData>{body}</sheetData></worksheet>")


def _write_part(z: zipfile.ZipFile, name: str, content) -> None:
    """Text, or an iterable of bytes streamed into the archive (parts larger than memory)."""
    if isinstance(content, str):
        z.writestr(name, content)
        return
    with z.open(name, "w") as f:
        for piece in content:
            f.write(piece)


def write_xlsx(path: Path, sheets: dict[str, str], shared_strings: str | None = None,
               compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """``sheets``: title -> worksheet XML (see sheet_xml) or an iterable of its bytes;
    optional sharedStrings.xml (likewise)."""
    names = list(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
          'package/2006/content-types"><Default Extension="rels" ContentType="application/'
          'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
          'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.styles+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(1, len(names) + 1))
          + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
             'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
             if shared_strings is not None else "")
          + "</Types>")
    root_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
                 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    book = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {REL_NS}><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, n in enumerate(names, start=1))
            + "</sheets></workbook>")
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    book_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships">'
                 + "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" '
                           f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
                 + f'<Relationship Id="rIdS" Type="{rel}/styles" Target="styles.xml"/>'
                 + (f'<Relationship Id="rIdT" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                    if shared_strings is not None else "")
                 + "</Relationships>")
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", book_rels)
        z.writestr("xl/styles.xml", STYLES)
        for i, name in enumerate(names, start=1):
            _write_part(z, f"xl/worksheets/sheet{i}.xml", sheets[name])
        if shared_strings is not None:
            _write_part(z, "xl/sharedStrings.xml", shared_strings)
    return path


def registry_workbook(folder: Path, path: Path, cells: dict | None = None,
                      dimension: dict | None = None, shared_strings: str | None = None) -> Path:
    """A workbook of a registry folder's CSV files, every cell an inline string, with
    ``cells[(sheet, ref)]`` replaced by a raw <c> element (ref like ``"K3"``; a ref beyond
    the data adds it to its row) and ``dimension[sheet]`` declared."""
    import csv

    cells, dimension = cells or {}, dimension or {}
    sheets = {}
    for csv_path in sorted(folder.glob("*.csv")):
        name = csv_path.stem
        with open(csv_path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        extra = {ref: xml for (sheet, ref), xml in cells.items() if sheet == name}
        out = []
        for r, values in enumerate(rows, start=1):
            row_cells = {f"{column_letters(c)}{r}": cell(f"{column_letters(c)}{r}", v)
                         for c, v in enumerate(values, start=1) if v != ""}
            row_cells.update({ref: xml for ref, xml in extra.items()
                              if ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == str(r)})
            ordered = sorted(row_cells.items(), key=lambda kv: (len(kv[0].rstrip("0123456789")), kv[0]))
            out.append(f'<row r="{r}">{"".join(x for _, x in ordered)}</row>')
        rows_beyond = sorted({int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for ref in extra} - set(range(1, len(rows) + 1)))
        for r in rows_beyond:
            out.append(f'<row r="{r}">' + "".join(x for ref, x in extra.items()
                                                  if ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == str(r)) + "</row>")
        sheets[name] = sheet_xml("".join(out), dimension.get(name))
    return write_xlsx(path, sheets, shared_strings)
