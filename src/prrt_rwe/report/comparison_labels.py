"""Labels and masking shared by the comparison section's tables and figures: end-point
names, short arm names, values with their CI (rates in %, times in months), and whether our
side of a comparison rests on a count the small-cell suppression masks (as cells, so that
report.numbers masks them with everything that would give them back)."""

from __future__ import annotations

from prrt_rwe.report.cells import Derived, Show, Stat, Sum

ENDPOINT_LABELS = {"orr": "ORR", "pfs_median_months": "Median PFS, months", "os_median_months": "Median OS, months"}
ARM_MARK = "†"


def endpoint_label(endpoint: str) -> str:
    if endpoint.startswith("pfs_rate_"):
        return f"PFS rate at {endpoint[len('pfs_rate_'):-1]} months"
    return ENDPOINT_LABELS.get(endpoint, endpoint)


def is_rate(endpoint: str) -> bool:
    return endpoint == "orr" or endpoint.startswith("pfs_rate_")


def value(endpoint: str, estimate, ci, missing="NR") -> str:
    """``43.0 % (35.1–51.2)`` for a rate, ``22.8 (19.4–NE)`` for months."""
    scale, unit = (100, " %") if is_rate(endpoint) else (1, "")
    est = missing if estimate is None else f"{scale * estimate:.1f}{unit}"
    if not ci or all(v is None for v in ci):
        return est
    lo, hi = ("NE" if v is None else f"{scale * v:.1f}" for v in ci)
    return f"{est} ({lo}–{hi})"


def responders(row: dict) -> int | None:
    """Our responder count behind an ORR row (estimate × N), for small-cell masking."""
    ours = row["ours"]
    if row["endpoint"] != "orr" or ours["estimate"] is None:
        return None
    return int(round(ours["estimate"] * ours["N"]))


def ours_cells(nb, i: int, row: dict) -> tuple:
    """(our value's cell, our N, the sums behind them) for comparison row ``i``: an ORR gives
    its responders (and non-responders, their hidden complement) back from N; a KM figure
    rests on N patients."""
    ours = row["ours"]
    N = nb.n(f"comparisons.{i}.ours.N", ours["N"])
    text = value(row["endpoint"], ours["estimate"], ours["ci95"])
    k = responders(row)
    if k is None:
        return Stat(text, (N,)), N, ()
    n = nb.n(f"comparisons.{i}.ours.responders", k)
    return Derived(text, (n, N)), N, (Sum(N, (n, nb.n(f"comparisons.{i}.ours.non_responders", N.value - k))),)


def ours_view(ctx, name: str):
    """Resolve our side of every comparison row (a table or figure ``name``) and return
    (view, cells): ``view.hides(cell)`` says whether our value is masked."""
    rows = [ours_cells(ctx.numbers, i, r) for i, r in enumerate(ctx.results["comparisons"])]
    cells = [c for c, _n, _s in rows]
    view = ctx.numbers.resolve(name, cells + [Show(n) for _c, n, _s in rows], [s for *_x, sums in rows for s in sums])
    return view, rows


def short_arm(arm: str) -> str:
    text = arm.split(" + ")[0].split(",")[0]
    return text if len(text) <= 30 else text[:29] + "…"
