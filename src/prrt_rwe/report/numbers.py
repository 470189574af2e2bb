"""How numbers are shown in the report, and small-cell suppression (``--suppress-below k``).

The rule. A count ``1 <= n < k`` is shown as ``<k`` (zero is shown). Masked with it is every
number of the same table or figure from which it could be recomputed by arithmetic: its
percentage, the CI of that proportion (they give n back from N), and — complementary
suppression — enough other counts (shown as ``–``) that no row or column total, complement
or difference recomputes it. Small hidden complements (a count the table does not show but
that total − shown parts would give, e.g. grade 0, "no improvement") are protected the same
way. A count masked in one table is masked wherever it appears later; a count already shown
somewhere is known to the reader and never masked to protect another. Only report.html
(and its exported tables and figures) is masked: results.json and ard.parquet stay
complete, and OUT/adam holds row-level data that is not for sharing.

How a table declares its structure (what the suppression, the exports and the audit test
read; see :mod:`prrt_rwe.report.cells`)::

    nb = ctx.numbers
    N = nb.population("analysis_sets.efficacy", sets["efficacy"])  # a denominator of many tables
    cr, pr = nb.n("response.bor_counts.CR", 1), nb.n("response.bor_counts.PR", 2)
    sd, pd, ne = ...
    orr = nb.prop(results["response"]["orr"], "response.orr", N=N)   # Prop cell; orr.n is a Count
    Table(Label("Best overall response (N = {})", Show(N)), ("Response", "n (%)"),
          rows=(("Complete response", Share(cr, N)), ..., ("ORR", orr)),
          sums=(Sum(N, (cr, pr, sd, pd, ne)),          # column total
                Sum(orr.n, (cr, pr))),                 # ORR = CR + PR
          numbers=nb, table_id="table-bor")

* Every count is a :class:`Count` with a key; use its results.json path, so that the same
  count in two tables is one count (``population`` for set sizes used as denominators:
  they are masked to protect others only when nothing else can be).
* Cells say what they reveal: ``Show`` a count, ``Share``/``Percent``/``Prop``/``Ratio`` a
  count and its denominator, ``Stat`` nothing (it is masked when its basis is small),
  ``Label`` the cells it holds (titles, column headers, footnotes).
* ``sums`` are the arithmetic of the table: each ``Sum(total, parts)`` one linear identity
  that holds on the data (checked). A count that appears only in sums is hidden; mark it
  ``sensitive=False`` when it need not be protected.
* Figures do the same through :meth:`Numbers.resolve` and draw ``view.text(cell)``.

``View.text`` formats a cell after suppression; ``Numbers.ledger`` keeps, per table or
figure, what was shown and masked (the audit test walks it) and the report-wide state.
The plain methods (``count``, ``n_pct``, ``proportion`` ...) format running text; give
them the ``key`` of the count so that they follow the masks of the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prrt_rwe.report.cells import MASK, Count, Prop, cells_of
from prrt_rwe.report.disclosure import Problem, protect, small

MIN_THRESHOLD = 3  # "<2" would still say "1"

__all__ = ["MASK", "MIN_THRESHOLD", "Numbers", "View", "Ledger", "Record"]


@dataclass(frozen=True)
class Record:
    """What one table or figure showed: its arithmetic, the masks, what could not be protected."""

    name: str
    problem: Problem
    masked: frozenset
    unprotected: tuple


class Ledger:
    """Report-wide state: counts shown (key -> value), counts masked, one Record per part."""

    def __init__(self):
        self.shown: dict[str, int] = {}
        self.masked: set[str] = set()
        self.records: dict[str, Record] = {}

    def note_shown(self, key: str, value) -> None:
        if self.shown.setdefault(key, value) != value:
            raise ValueError(f"count {key!r} shown as {self.shown[key]} and as {value}")


@dataclass(frozen=True)
class View:
    """Formats the cells of one resolved table or figure."""

    numbers: Numbers
    masked: frozenset

    def count(self, c: Count) -> str:
        if c.value is None:
            return "NA"
        if self.numbers.masked(c.value):
            return f"<{self.numbers.suppress_below}"
        return MASK if c.key in self.masked else f"{int(c.value)}"

    def hides(self, cell) -> bool:
        return any(c.key in self.masked or self.numbers.masked(c.value) for c in cell.needs())

    def text(self, item) -> str:
        return item.render(self) if hasattr(item, "render") else str(item)


@dataclass(frozen=True)
class Numbers:
    suppress_below: int | None = None
    ledger: Ledger = field(default_factory=Ledger, compare=False, repr=False)

    def __post_init__(self):
        k = self.suppress_below
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < MIN_THRESHOLD):
            raise ValueError(f"suppress_below must be an integer >= {MIN_THRESHOLD}, got {k!r}")

    # --- counts and cells -------------------------------------------------------------
    @staticmethod
    def n(key: str, value, sensitive: bool = True) -> Count:
        return Count(key, None if value is None else int(value), sensitive=sensitive)

    @staticmethod
    def population(key: str, value) -> Count:
        """A set size used as denominator: masked for others only as a last resort."""
        return Count(key, None if value is None else int(value), cost=1000)

    def prop(self, p: dict, key: str, N: Count | None = None) -> Prop:
        """The Prop cell of a results.json proportion at ``key`` (its n is ``key.n``)."""
        return Prop(self.n(f"{key}.n", p["n"]), N if N is not None else self.n(f"{key}.N", p["N"]),
                    p["estimate"], tuple(p["ci95"]))

    def resolve(self, name: str, items, sums=()) -> View:
        """Suppress in one table or figure (``name``: its id) and return its View."""
        cells = cells_of(items)
        shown = [c for cell in cells for c in cell.reveals()]
        k = self.suppress_below or 0
        same = self.ledger.records.get(name)
        if same is not None and same.problem.counts == Problem.build(shown, sums, (), k).counts:
            return View(self, same.masked)   # the same table rendered again (HTML, then export)
        while name in self.ledger.records:   # another table with the same name
            name += "'"
        problem = Problem.build(shown, sums, public=set(self.ledger.shown), k=k)
        if self.suppress_below:
            solution = protect(problem, premasked=frozenset(self.ledger.masked))
            masked, unprotected = solution.masked, solution.unprotected
        else:
            masked, unprotected = frozenset(), ()
        self.ledger.records[name] = Record(name, problem, masked, unprotected)
        self.ledger.masked |= set(masked)
        for key in problem.shown - masked:
            if not small(problem.counts[key].value, k):
                self.ledger.note_shown(key, problem.counts[key].value)
        return View(self, masked)

    # --- running text -----------------------------------------------------------------
    def masked(self, n) -> bool:
        k = self.suppress_below
        return bool(k) and small(n, k)

    def _hidden(self, n, key) -> bool:
        return self.masked(n) or (key is not None and key in self.ledger.masked)

    def _seen(self, key, n) -> None:
        if key is not None and n is not None and not self._hidden(n, key):
            self.ledger.note_shown(key, int(n))

    def count(self, n, key: str | None = None) -> str:
        if n is None:
            return "NA"
        if self.masked(n):
            return f"<{self.suppress_below}"
        if key is not None and key in self.ledger.masked:
            return MASK
        self._seen(key, n)
        return f"{int(n)}"

    def percent(self, n, N, digits: int = 1, key: str | None = None, N_key: str | None = None) -> str:
        if not N or self._hidden(n, key) or self._hidden(N, N_key):
            return MASK
        self._seen(key, n)
        self._seen(N_key, N)
        return f"{100 * n / N:.{digits}f}"

    def n_pct(self, n, N, key: str | None = None, N_key: str | None = None) -> str:
        """``n (p %)`` with both parts masked as needed."""
        pct = self.percent(n, N, key=key, N_key=N_key)
        return f"{self.count(n, key)} ({pct} %)" if pct != MASK else f"{self.count(n, key)} ({MASK})"

    def proportion(self, p: dict, key: str | None = None) -> str:
        """``p % (95 % CI lo–hi)`` for a results.json proportion (at ``key``), masked as a whole."""
        n_key, N_key = (f"{key}.n", f"{key}.N") if key else (None, None)
        if p["estimate"] is None or self._hidden(p["n"], n_key) or self._hidden(p["N"], N_key):
            return MASK
        self._seen(n_key, p["n"])
        self._seen(N_key, p["N"])
        lo, hi = p["ci95"]
        return f"{100 * p['estimate']:.1f} % ({100 * lo:.1f}–{100 * hi:.1f})"

    def n_over_N(self, p: dict, key: str | None = None) -> str:
        n_key, N_key = (f"{key}.n", f"{key}.N") if key else (None, None)
        return f"{self.count(p['n'], n_key)}/{self.count(p['N'], N_key)}"

    @staticmethod
    def months(x) -> str:
        return "NR" if x is None else f"{x:.1f}"

    @staticmethod
    def ci(lo, hi, fmt=".1f", missing="NE") -> str:
        def one(v):
            return missing if v is None else format(v, fmt)
        return f"{one(lo)}–{one(hi)}"

    @staticmethod
    def rate(x) -> str:
        return "NE" if x is None else f"{100 * x:.1f} %"

    @staticmethod
    def ratio(x) -> str:
        return "NE" if x is None else f"{x:.2f}"

    @staticmethod
    def pvalue(p) -> str:
        if p is None:
            return "NE"
        return "<0.001" if p < 0.001 else f"{p:.3f}"

    @staticmethod
    def number(x, digits: int = 1) -> str:
        return "NA" if x is None else f"{x:.{digits}f}"
