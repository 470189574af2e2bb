"""The seed of the demo cohort (``prrt-rwe demo``), chosen by a stated, deterministic rule.

Rule (:data:`RULE`): the smallest seed >= 1 for which the synthetic 422-patient, 33-site
cohort's headline estimates all lie inside the 95 % confidence intervals that Okamoto et
al. 2026 publish (shared/benchmarks/published.yaml, study ``okamoto2026``): the four odds
ratios of the response model, the five hazard ratios of the PFS model and the median PFS
with their published intervals, and ORR (overall, pancreas, hindgut) and marked hormonal
improvement with the exact Clopper–Pearson intervals of the published counts (144/383,
95/210, 33/81, 18/24). Any single seed is one draw from the calibrated generator; the
rule picks, without judgement, the first draw that resembles the paper.

``demo_seed.json`` (beside this module) records the rule, the chosen seed and, for every
seed before it, the estimates that fell outside. After a change to synth/ or to the
analysis, rescan with one command::

    make demo-seed        # = .venv/bin/python -m prrt_rwe.synth.demo_seed --write
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from prrt_rwe.benchmarks.published import study
from prrt_rwe.stats import clopper_pearson

SEED_FILE = "demo_seed.json"
PATIENTS, SITES = 422, 33
RULE = ("the demo seed is the smallest seed >= 1 whose headline estimates (the 4 odds ratios and "
        "5 hazard ratios of the default models, median PFS, and ORR overall, in pancreas and in "
        "hindgut, and marked hormonal improvement) all lie inside the 95 % CIs published by "
        "Okamoto et al. 2026 (for the proportions: exact Clopper-Pearson CIs of the published counts)")
# (name, path into results.json, key of okamoto2026.results with n/N) for the proportions
PROPORTIONS = (("ORR", ("response", "orr"), "orr"),
               ("ORR, pancreas", ("response", "by_primary_group", "pancreas"), "orr_pancreas"),
               ("ORR, hindgut", ("response", "by_primary_group", "hindgut"), "orr_hindgut"))


@dataclass(frozen=True)
class Check:
    name: str
    estimate: float | None
    lo: float
    hi: float

    @property
    def ok(self) -> bool:
        return self.estimate is not None and self.lo <= self.estimate <= self.hi

    def describe(self) -> str:
        value = "NA" if self.estimate is None else f"{self.estimate:.4g}"
        return f"{self.name} {value} {'inside' if self.ok else 'outside'} {self.lo:.4g}-{self.hi:.4g}"


def _get(results: dict, path: tuple):
    for key in path:
        results = results[key]
    return results


def checks(results: dict) -> list[Check]:
    """Every headline estimate of ``results`` (results.json) against its published CI."""
    pub = study("okamoto2026")
    out = []
    for model, ratio, published in (("orr_logistic", "or", "orr_logistic_or"), ("pfs_cox", "hr", "pfs_cox_hr")):
        ours = {t["term"]: t[ratio] for t in results["models"][model]["terms"]}
        for term, value in pub.models[published].items():
            out.append(Check(f"{model} {term} {ratio.upper()}", ours.get(term), *value["ci95"]))
    out.append(Check("median PFS (months)", results["pfs"]["median_months"],
                     *pub.results["pfs_median_months"]["ci95"]))
    for name, path, key in PROPORTIONS:
        p = pub.results[key]
        out.append(Check(name, _get(results, path)["estimate"], *clopper_pearson(p["n"], p["N"])))
    h, p = results["hormonal_symptoms"], pub.results["hormonal_marked_improvement"]
    share = h["marked_improvement"] / h["evaluable"] if h["evaluable"] else None
    out.append(Check("marked hormonal improvement", share, *clopper_pearson(p["n"], p["N"])))
    return out


def satisfies(results: dict) -> bool:
    return all(c.ok for c in checks(results))


def results_for(seed: int, patients: int = PATIENTS, sites: int = SITES) -> dict:
    """results.json of the demo pipeline (synth -> validate/load -> derive -> statistics)."""
    from prrt_rwe.config import StudyConfig
    from prrt_rwe.derive import derive_all
    from prrt_rwe.ingest.load import load_registry
    from prrt_rwe.results.analysis import analyze_adam
    from prrt_rwe.synth.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        registry = generate(Path(tmp) / "registry", patients=patients, sites=sites, seed=seed).out
        con, _ = load_registry(registry)
        try:
            adam = derive_all(con, StudyConfig())
        finally:
            con.close()
    return analyze_adam(adam, StudyConfig()).results


def scan(start: int = 1, limit: int = 1000, log=None) -> dict:
    """Try seeds from ``start`` until one satisfies the rule; the record demo_seed.json holds."""
    rejected = []
    for seed in range(start, start + limit):
        failed = [c.describe() for c in checks(results_for(seed)) if not c.ok]
        if log is not None:
            print(f"seed {seed}: " + ("satisfies the rule" if not failed else "; ".join(failed)), file=log)
        if not failed:
            return {"rule": RULE, "seed": seed, "patients": PATIENTS, "sites": SITES, "rejected": rejected}
        rejected.append({"seed": seed, "outside": failed})
    raise RuntimeError(f"no seed in {start}..{start + limit - 1} satisfies the rule")


def record() -> dict:
    return json.loads(resources.files("prrt_rwe.synth").joinpath(SEED_FILE).read_text("utf-8"))


def demo_seed() -> int:
    """The seed ``prrt-rwe demo`` uses (demo_seed.json)."""
    return int(record()["seed"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m prrt_rwe.synth.demo_seed",
                                     description="Find the demo seed by its rule: " + RULE + ".")
    parser.add_argument("--write", action="store_true", help=f"write the result into {SEED_FILE}")
    args = parser.parse_args(argv)
    found = scan(log=sys.stdout)
    if args.write:
        path = Path(__file__).with_name(SEED_FILE)
        path.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"demo seed {found['seed']} written to {path}")
    else:
        print(f"demo seed {found['seed']} (not written; --write to record it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
