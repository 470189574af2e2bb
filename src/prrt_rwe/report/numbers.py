"""How numbers are shown in the report, and small-cell suppression.

With ``suppress_below = k`` every count ``1 <= n < k`` (a numerator or a denominator) is
shown as ``<k`` and the percentage or proportion built on it as ``–``; zero is shown.
Only report.html is masked: results.json and ard.parquet stay complete (they are the
analyst's machine-readable record; see the methods section of the report).
"""

from __future__ import annotations

from dataclasses import dataclass

MASK = "–"
MIN_THRESHOLD = 3  # "<2" would still say "1"


@dataclass(frozen=True)
class Numbers:
    suppress_below: int | None = None

    def masked(self, n) -> bool:
        k = self.suppress_below
        return bool(k) and n is not None and 0 < int(n) < k

    def count(self, n) -> str:
        if n is None:
            return "NA"
        return f"<{self.suppress_below}" if self.masked(n) else f"{int(n)}"

    def percent(self, n, N, digits: int = 1) -> str:
        if not N or self.masked(n) or self.masked(N):
            return MASK
        return f"{100 * n / N:.{digits}f}"

    def n_pct(self, n, N) -> str:
        """``n (p %)`` with both parts masked as needed."""
        pct = self.percent(n, N)
        return f"{self.count(n)} ({pct} %)" if pct != MASK else f"{self.count(n)} ({MASK})"

    def proportion(self, p: dict) -> str:
        """``p % (95 % CI lo–hi)`` for a results.json proportion, masked as a whole."""
        if p["estimate"] is None or self.masked(p["n"]) or self.masked(p["N"]):
            return MASK
        lo, hi = p["ci95"]
        return f"{100 * p['estimate']:.1f} % ({100 * lo:.1f}–{100 * hi:.1f})"

    def n_over_N(self, p: dict) -> str:
        return f"{self.count(p['n'])}/{self.count(p['N'])}"

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
