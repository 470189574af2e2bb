"""Tables and figures are numbered 1, 2, ... in reading order and the text's citations follow
(report/numbering.py), in the page and in the exported files."""

from __future__ import annotations

from prrt_rwe.report import exports
from prrt_rwe.report.numbering import number_document, numbering, ref
from prrt_rwe.report.section import figure
from prrt_rwe.report.table import Table


def _page():
    t1 = Table("Table 1. Characteristics", ("a",), (("x",),), table_id="table1")
    t1b = Table("Table 1b. By group", ("a",), (("y",),), table_id="table1-by-group",
                footnotes=(f"Columns as {ref('table1')}.",))
    again = Table("Table 1b. Another table with the same working label", ("a",), ((f"see {ref('fig-km')}",),),
                  table_id="table-other")
    appendix = Table("Appendix. Checklist", ("a",), (("z",),), table_id="table-checklist")
    return (figure("<svg></svg>", "Figure 3b. Survival", "fig-km") + t1.html()
            + f"<p>As {ref('table1-by-group', 'table-other')}; {ref('table-missing')}; "
              f"{ref('table1', 'fig-km')}.</p>"
            + t1b.html() + figure("<svg><figure-like/></svg>", "Figure 2. Flow", "fig-flow")
            + again.html() + appendix.html())


def test_captions_are_renumbered_in_reading_order_and_citations_follow():
    with exports.collect() as bundle:
        page = number_document(_page(), exports.current_bundle())
    assert "Figure 1. Survival" in page and "Figure 2. Flow" in page
    assert "Table 1. Characteristics" in page and "Table 2. By group" in page
    assert "Table 3. Another table" in page and "Appendix. Checklist" in page   # no label: left alone
    assert "As Tables 2 and 3; a table (not shown); Table 1 and Figure 1." in page
    assert "Columns as Table 1." in page and "see Figure 1" in page
    assert "\u27e6" not in page and "1b" not in page
    # the exports: the same numbers, tables in the page's order
    assert [str(t.title) for t in bundle.tables] == ["Table 1. Characteristics", "Table 2. By group",
                                                     "Table 3. Another table with the same working label",
                                                     "Appendix. Checklist"]
    assert bundle.tables[1].footnotes == ("Columns as Table 1.",)
    assert bundle.tables[2].rows == (("see Figure 1",),)
    assert [f.caption for f in bundle.figures] == ["Figure 1. Survival", "Figure 2. Flow"]


def test_numbering_maps_each_element_id_once():
    n = numbering(_page())
    assert n.labels == {"fig-km": "Figure 1", "table1": "Table 1", "table1-by-group": "Table 2",
                        "fig-flow": "Figure 2", "table-other": "Table 3"}
