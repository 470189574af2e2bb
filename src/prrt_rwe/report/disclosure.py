"""Small-cell suppression with complementary suppression, for one table or figure.

Primary suppression: every shown count ``1 <= n < k`` is masked. A masked count is
*recomputable* when the table's arithmetic (its declared sums: totals, complements,
differences) together with the numbers a reader can see determines it: in linear-algebra
terms, when the unit vector of that count lies in the row space of the sums restricted
to the unknowns (the masked counts, and the hidden counts nobody shows). Complementary
suppression masks further shown counts, cheapest first (``Count.cost``, then value),
until no masked count — and no small *sensitive* hidden count (a complement such as
"grade 0" or "no improvement") — is recomputable. Counts a reader knows from elsewhere in
the report (``public``) are never masked here, only used as known.

This is the audit of cell suppression by linear dependency (Cox 1980, "Properties of
multidimensional statistical tables"; Willenborg & de Waal 2001, ch. 4): exact
recomputation, the arithmetic listed in the report's privacy note. It does not claim
interval protection: a reader who combines a sum with what "<k" means (1..k-1) may still
narrow a masked count (two "<3" adding up to 2 are both 1); protecting that would mean
blanking whole rows of small counts, which this module does not do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.report.cells import Count, Sum


def small(value, k: int) -> bool:
    return value is not None and 0 < int(value) < k


@dataclass(frozen=True)
class Problem:
    """One table or figure: its counts, which it shows, its sums, and what is public."""

    counts: dict  # key -> Count
    shown: frozenset
    sums: tuple
    public: frozenset
    k: int

    @classmethod
    def build(cls, shown_counts, sums, public, k: int) -> Problem:
        counts: dict[str, Count] = {}
        for c in [*shown_counts, *(c for s in sums for c in (s.total, *s.parts))]:
            seen = counts.setdefault(c.key, c)
            if seen.value != c.value:
                raise ValueError(f"count {c.key!r} given two values: {seen.value} and {c.value}")
        return cls(counts, frozenset(c.key for c in shown_counts), tuple(sums), frozenset(public), k)

    def hidden(self) -> list[str]:
        return sorted(k for k in self.counts if k not in self.shown and k not in self.public)

    def targets(self, masked) -> list[str]:
        """What must not be recomputable: masked counts, small sensitive hidden counts."""
        hidden_small = [k for k in self.hidden()
                        if self.counts[k].sensitive and small(self.counts[k].value, self.k)]
        return sorted(set(masked) & set(self.counts)) + hidden_small

    def unknowns(self, masked) -> list[str]:
        return sorted(set(self.hidden()) | (set(masked) & set(self.counts)))

    def recomputable(self, masked) -> set[str]:
        """The unknowns that the sums and the known numbers determine exactly."""
        unknown = self.unknowns(masked)
        index = {k: i for i, k in enumerate(unknown)}
        rows = []
        for s in self.sums:
            row = np.zeros(len(unknown))
            for c, sign in [(s.total, 1.0), *((p, -1.0) for p in s.parts)]:
                if c.key in index:
                    row[index[c.key]] += sign
            if np.any(row):
                rows.append(row)
        if not rows or not unknown:
            return set()
        from scipy.linalg import null_space   # here: the CLI imports this module (MIN_THRESHOLD) at start-up

        basis = null_space(np.array(rows))
        free = np.abs(basis).max(axis=1) > 1e-9 if basis.size else np.zeros(len(unknown), bool)
        return {k for k, i in index.items() if not free[i]}

    def neighbours(self, key: str) -> set[str]:
        """Counts connected to ``key`` through the sums (its component)."""
        seen, todo = {key}, [key]
        while todo:
            k = todo.pop()
            for s in self.sums:
                keys = {c.key for c in (s.total, *s.parts)}
                if k in keys:
                    todo += list(keys - seen)
                    seen |= keys
        return seen - {key}


@dataclass(frozen=True)
class Solution:
    masked: frozenset  # shown counts to mask
    unprotected: tuple  # targets no complementary mask could protect (to be reported)


def protect(problem: Problem, premasked=frozenset()) -> Solution:
    """Primary plus complementary suppression (see module doc)."""
    masked = {k for k in problem.shown
              if small(problem.counts[k].value, problem.k) or k in premasked}
    given_up: list[str] = []
    for _ in range(4 * len(problem.counts) + 4):
        recomputable = problem.recomputable(masked)
        elsewhere = set(premasked) & set(problem.counts)   # masked in another part: keep it so
        exposed = [t for t in problem.targets(masked | elsewhere) if t in recomputable and t not in given_up]
        if not exposed:
            break
        target = exposed[0]
        together = {c.key for s in problem.sums for c in (s.total, *s.parts)
                    if target in {x.key for x in (s.total, *s.parts)}}
        candidates = sorted(
            (k for k in problem.neighbours(target)
             if k in problem.shown and k not in masked and k not in problem.public
             and problem.counts[k].value is not None),
            key=lambda k: (problem.counts[k].cost, k not in together, problem.counts[k].value, k))
        chosen = next((k for k in candidates if target not in problem.recomputable(masked | {k})), None)
        if chosen is None and candidates:
            chosen = candidates[0]
        if chosen is None:
            given_up.append(target)
            continue
        masked.add(chosen)
    return Solution(frozenset(masked), tuple(given_up))


def exposed(problem: Problem, masked, public) -> list[str]:
    """The audit: targets (masked or small sensitive hidden counts) that a reader who knows
    ``public`` (every count shown anywhere in the report) recomputes from this table."""
    audit = Problem(problem.counts, problem.shown, problem.sums, frozenset(public) - set(masked), problem.k)
    recomputable = audit.recomputable(masked)
    return [t for t in audit.targets(masked) if t in recomputable]
