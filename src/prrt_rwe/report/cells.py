"""The cells of a report table or figure that show counts, and the arithmetic that ties the
counts together; :mod:`prrt_rwe.report.numbers` explains how a table declares them.

A :class:`Count` is one patient count with a key (its results.json path by convention,
e.g. ``response.bor_counts.CR``; the same key in two tables is the same count). A cell shows
counts: :class:`Show` ("12"), :class:`Share` ("12 (3.1 %)"), :class:`Percent` ("3.1"),
:class:`Prop` ("3.1 % (1.6–5.4)", a proportion with its CI), :class:`Ratio` ("12/381"),
:class:`Stat` (a statistic of ``basis`` patients, e.g. a median, shown only when its basis
is not small) and :class:`Label` (text with cells in it, for titles, headers, notes). A
:class:`Sum` states ``total = sum(parts)``; a count that appears only in sums is not shown
(a *hidden* count, e.g. grade 0 when grades 1–4 and the total are shown).
"""

from __future__ import annotations

from dataclasses import dataclass

MASK = "–"


@dataclass(frozen=True)
class Count:
    """A count of patients. ``cost`` ranks it as a complementary cell (lower is masked
    first): a population size that many tables use as denominator has a high cost.
    ``sensitive`` (hidden counts only): protect it when small, as a shown count."""

    key: str
    value: int | None
    cost: int = 1
    sensitive: bool = True


@dataclass(frozen=True)
class Sum:
    """``total = sum(parts)``: a row or column total, a complement, a difference."""

    total: Count
    parts: tuple[Count, ...]

    def __post_init__(self):
        object.__setattr__(self, "parts", tuple(self.parts))
        values = [c.value for c in (self.total, *self.parts)]
        if None not in values and self.total.value != sum(values[1:]):
            raise ValueError(f"declared sum does not hold: {self.total.key} = {self.total.value}, "
                             f"parts {[(c.key, c.value) for c in self.parts]}")


class Cell:
    """A shown value built on counts; ``reveals`` are the counts a reader can recompute from
    it (with the table's other numbers), ``needs`` those whose masking masks it."""

    def reveals(self) -> tuple[Count, ...]:
        return ()

    def needs(self) -> tuple[Count, ...]:
        return self.reveals()

    def render(self, view) -> str:  # view: numbers.View
        raise NotImplementedError


@dataclass(frozen=True)
class Show(Cell):
    n: Count

    def reveals(self):
        return (self.n,)

    def render(self, view):
        return view.count(self.n)


@dataclass(frozen=True)
class Percent(Cell):
    """``100 n / N`` with ``digits`` decimals, then ``suffix`` (e.g. " %"); masked as "–"."""

    n: Count
    N: Count
    digits: int = 1
    suffix: str = ""

    def reveals(self):
        return (self.n, self.N)

    def render(self, view):
        if view.hides(self) or not self.N.value or self.n.value is None:
            return MASK if self.N.value else "NA"
        return f"{100 * self.n.value / self.N.value:.{self.digits}f}{self.suffix}"


@dataclass(frozen=True)
class Share(Cell):
    """``n (p %)``: the count, and its percentage of ``N``."""

    n: Count
    N: Count
    digits: int = 1

    def reveals(self):
        return (self.n, self.N)

    def render(self, view):
        pct = Percent(self.n, self.N, self.digits).render(view)
        return f"{view.count(self.n)} ({pct} %)" if pct not in (MASK, "NA") else f"{view.count(self.n)} ({MASK})"


@dataclass(frozen=True)
class Ratio(Cell):
    """``n/N``."""

    n: Count
    N: Count

    def reveals(self):
        return (self.n, self.N)

    def render(self, view):
        return f"{view.count(self.n)}/{view.count(self.N)}"


@dataclass(frozen=True)
class Prop(Cell):
    """A proportion of results.json (``estimate``, ``ci95`` of ``n/N``) as ``p % (lo–hi)``."""

    n: Count
    N: Count
    estimate: float | None
    ci95: tuple

    def reveals(self):
        return (self.n, self.N)

    def render(self, view):
        if self.estimate is None or view.hides(self):
            return MASK
        lo, hi = self.ci95
        return f"{100 * self.estimate:.1f} % ({100 * lo:.1f}–{100 * hi:.1f})"


@dataclass(frozen=True)
class Stat(Cell):
    """A statistic of ``basis`` patients (a median, quartiles): masked when a basis count is
    small or masked; it reveals no count."""

    text: str
    basis: tuple[Count, ...]

    def __post_init__(self):
        object.__setattr__(self, "basis", tuple(self.basis))

    def needs(self):
        return self.basis

    def render(self, view):
        return MASK if view.hides(self) else self.text


@dataclass(frozen=True)
class Derived(Stat):
    """A number computed from counts that gives them back (e.g. a standardized difference
    of two proportions, with one side known): masked with any of them."""

    def reveals(self):
        return self.basis


@dataclass(frozen=True)
class Label(Cell):
    """Text with cells: ``Label("Efficacy set (N = {})", Show(N))``."""

    template: str
    cells: tuple

    def __init__(self, template: str, *cells):
        object.__setattr__(self, "template", template)
        object.__setattr__(self, "cells", cells)

    def reveals(self):
        return tuple(c for cell in self.cells for c in cell.reveals())

    def needs(self):
        return ()

    def render(self, view):
        return self.template.format(*[cell.render(view) for cell in self.cells])


def cells_of(items) -> list[Cell]:
    """Every Cell in nested tuples/lists (table rows, columns, notes), Labels opened."""
    out = []
    for item in items:
        if isinstance(item, Label):
            out += [item, *cells_of(item.cells)]
        elif isinstance(item, Cell):
            out.append(item)
        elif isinstance(item, (tuple, list)):
            out += cells_of(item)
    return out
