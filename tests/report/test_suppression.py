"""Small-cell suppression (--suppress-below): the rule on hand-made tables, and the audit of
every table and figure of a report: no masked count — and no small hidden complement — can
be recomputed from the numbers the report shows by the arithmetic each table declares
(percentages, CIs, totals, complements, differences of numbers at risk, flow boxes,
per-site % missing)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from prrt_rwe.report.cells import MASK, Count, Label, Percent, Prop, Share, Show, Stat, Sum
from prrt_rwe.report.disclosure import Problem, exposed, protect
from prrt_rwe.report.numbers import Numbers


def c(key, value, **kw):
    return Count(key, value, **kw)


def solve(shown, sums=(), public=(), k=3):
    return protect(Problem.build(shown, sums, public, k))


def test_two_small_cells_of_a_column_protect_each_other():
    # BOR with N = 18 known: CR 1 and PR 2 masked; CR + PR = 18 - 10 - 5 - 0 = 3, two unknowns.
    cr, pr, sd, pd_, ne, N = c("CR", 1), c("PR", 2), c("SD", 10), c("PD", 5), c("NE", 0), c("N", 18)
    sol = solve([cr, pr, sd, pd_, ne, N], [Sum(N, (cr, pr, sd, pd_, ne))])
    assert sol.masked == {"CR", "PR"} and sol.unprotected == ()


def test_one_small_cell_takes_the_cheapest_cell_of_its_sum_with_it():
    # CR 1 alone would be N - PR - SD = 16 - 5 - 10: PR (the smaller of PR, SD) is masked too.
    cr, pr, sd, N = c("CR", 1), c("PR", 5), c("SD", 10), c("N", 16)
    sol = solve([cr, pr, sd, N], [Sum(N, (cr, pr, sd))])
    assert sol.masked == {"CR", "PR"}


def test_a_population_size_is_masked_only_when_nothing_else_can_be():
    # enrolled 10 = safety 9 + not treated 1: the enrolled box goes, not the safety set's N
    enrolled, safety, none = c("E", 10), c("S", 9, cost=1000), c("X", 1)
    assert solve([enrolled, safety, none], [Sum(enrolled, (safety, none))]).masked == {"E", "X"}
    # ... unless enrolled is known from elsewhere: then, as a last resort, the safety N
    sol = solve([enrolled, safety, none], [Sum(enrolled, (safety, none))], public={"E"})
    assert sol.masked == {"S", "X"} and sol.unprotected == ()
    # and when everything else is known, X is reported as unprotected
    sol = solve([enrolled, safety, none], [Sum(enrolled, (safety, none))], public={"E", "S"})
    assert sol.unprotected == ("X",)


def test_two_by_two_table_with_margins_needs_all_four_cells():
    # a b | 8      masking a forces b (row), c (column), then d: the classic four-cell pattern
    # c d | 17
    # 9 16 | 25
    a, b, cc, d = c("a", 1), c("b", 7), c("c", 8), c("d", 9)
    r1, r2, c1, c2, t = c("r1", 8), c("r2", 17), c("c1", 9), c("c2", 16), c("t", 25)
    sums = [Sum(r1, (a, b)), Sum(r2, (cc, d)), Sum(c1, (a, cc)), Sum(c2, (b, d)), Sum(t, (r1, r2))]
    sol = solve([a, b, cc, d, r1, r2, c1, c2, t], sums)
    assert sol.masked == {"a", "b", "c", "d"}


def test_a_small_hidden_complement_is_protected():
    # 15 evaluable, 14 improved: "not improved" = 1 is shown by no cell but is 15 - 14.
    N, improved = c("N", 15), c("improved", 14)
    sol = solve([N, improved], [Sum(N, (improved, c("not_improved", 1)))])
    assert sol.masked == {"improved"}
    # ... while a complement declared not sensitive is left alone
    sol = solve([N, improved], [Sum(N, (improved, c("not_improved", 1, sensitive=False)))])
    assert sol.masked == frozenset()


def test_differences_of_numbers_at_risk_cannot_recompute_a_masked_cell():
    # KMunicate column at 6 months: at risk 98 + censored 0 + events 2 = 100 (at risk at 0):
    # events masked, so the censored 0 is masked too (else 100 - 98 - 0 gives 2).
    N, at_risk, cens, ev = c("N", 100, cost=1000), c("r6", 98), c("c6", 0), c("e6", 2)
    sol = solve([N, at_risk, cens, ev], [Sum(N, (at_risk, cens, ev))], public={"N"})
    assert sol.masked == {"e6", "c6"}


def test_cells_mask_what_they_are_built_on():
    nb = Numbers(5)
    n, N = nb.n("x.n", 3), nb.population("x.N", 40)
    view = nb.resolve("t", [Share(n, N), Prop(n, N, 0.075, (0.016, 0.204)), Percent(n, N),
                            Stat("12.0 (10–14)", (n,)), Label("N = {}", Show(N))])
    assert view.text(Share(n, N)) == f"<5 ({MASK})"
    assert view.text(Prop(n, N, 0.075, (0.016, 0.204))) == MASK
    assert view.text(Stat("12.0 (10–14)", (n,))) == MASK
    assert view.text(Label("N = {}", Show(N))) == "N = 40"
    assert Numbers(None).resolve("t", [Share(n, N)]).text(Share(n, N)) == "3 (7.5 %)"


def test_a_count_masked_in_one_table_stays_masked_in_the_next_and_in_text():
    nb = Numbers(3)
    cr, pr, N = nb.n("CR", 1), nb.n("PR", 5), nb.n("N", 16)
    sd = nb.n("SD", 10)
    nb.resolve("bor", [Show(cr), Show(pr), Show(sd), Show(N)], [Sum(N, (cr, pr, sd))])
    assert nb.resolve("other", [Show(pr)]).text(Show(pr)) == MASK
    assert nb.count(5, key="PR") == MASK and nb.count(10, key="SD") == "10"


def test_a_declared_sum_must_hold():
    with pytest.raises(ValueError, match="does not hold"):
        Sum(c("N", 10), (c("a", 3), c("b", 4)))


@pytest.mark.parametrize("k", [0, 1, 2])
def test_thresholds_below_three_are_refused(k):
    with pytest.raises(ValueError):
        Numbers(k)


# --- the audit of whole reports -------------------------------------------------------------
# Tables and figures that show no patient count (model estimates, methods, site numbers of the
# sensitivity table, findings per validation code, the checklist).
COUNT_FREE = {"table-methods", "table-checklist", "table-provenance", "table-sensitivity",
              "table-quality-codes", "fig-forest-or", "fig-forest-hr", "table-rmst", "table-ph-stratified",
              "fig-maic-overlay", "table-gray",
              # standardized differences of whole arms, E-values, site meta-analysis (k is a number of
              # sites), leave-one-site-out ranges, frailty and stratified HRs
              "table-balance", "fig-love", "table-evalues", "table-site-meta", "table-loo", "table-frailty"}


def audit(html: str, numbers: Numbers) -> None:
    ledger = numbers.ledger
    assert not (set(ledger.shown) & ledger.masked)
    ids = set(re.findall(r'<(?:table|figure)[^>]* id="([^"]+)"', html))
    assert ids - COUNT_FREE <= set(ledger.records), \
        f"tables/figures without declared counts: {sorted(ids - COUNT_FREE - set(ledger.records))}"
    masked_total = 0
    for name, record in ledger.records.items():
        assert record.unprotected == (), (name, record.unprotected)
        masked = (record.masked | ledger.masked) & set(record.problem.counts)
        masked_total += len(masked)
        assert exposed(record.problem, masked, ledger.shown) == [], name
    assert masked_total > 0  # the threshold did bite


def run(registry, k):
    """report.html of ``registry`` with --suppress-below k, and its Numbers (ledger)."""
    from prrt_rwe.config import StudyConfig
    from prrt_rwe.derive import derive_all
    from prrt_rwe.report.context import ReportContext
    from prrt_rwe.report.html import render
    from prrt_rwe.report.quality import quality_summary
    from prrt_rwe.results.analysis import analyze_adam
    from prrt_rwe.study import open_source

    con, report, provenance = open_source(registry)
    adam = derive_all(con, StudyConfig())
    con.close()
    ctx = ReportContext(analyze_adam(adam, StudyConfig()), Numbers(k), StudyConfig(),
                        quality_summary(report), provenance)
    return render(ctx), ctx.numbers


def test_no_masked_count_of_the_hand_registry_report_can_be_recomputed(tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1] / "e2e"))
    from hand_registry import write_registry

    html, numbers = run(write_registry(tmp_path / "registry"), 3)
    audit(html, numbers)
    assert "OUT/adam holds row-level" in html


def test_no_masked_count_of_a_synthetic_multicentre_report_can_be_recomputed(tmp_path):
    from prrt_rwe.synth.generator import generate

    registry = generate(tmp_path / "registry", patients=100, sites=8, seed=3).out
    html, numbers = run(registry, 10)
    audit(html, numbers)
