"""OUT/run.json: what is kept out of results.json on purpose: when the run happened, how
long each stage took, the software versions, the input fingerprint, the rules in force and
the run id (the same as in report.html and OUT/run-complete.json, outputs/completion.py)."""

from __future__ import annotations

import json
from pathlib import Path


# what --suppress-below masks (report.exports writes the tables and figures as report.html shows
# them); results.json, ard.parquet and adam/ stay complete
SUPPRESSED_OUTPUTS = ["report.html", "tables.docx", "tables/*.csv", "figures/*.svg", "figures/*.png"]


def write_run(path: Path, *, started_utc: str, timings: dict, provenance: dict, rules: dict,
              suppress_below) -> Path:
    record = {"schema": "prrt-rwe/run/1", "run_id": provenance.get("run_id"), "started_utc": started_utc,
              "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
              "code_version": provenance.get("code_version"), "versions": provenance.get("versions"),
              "input": {"source": provenance.get("source"), "kind": provenance.get("input_kind"),
                        "fingerprint": provenance.get("input_fingerprint")},
              "config": provenance.get("config"),
              "config_sha256": provenance.get("config_sha256"), "suppress_below": suppress_below,
              "suppression_applies_to": SUPPRESSED_OUTPUTS, "rules": rules,
              "comparators": provenance.get("comparators", [])}
    path = Path(path)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
