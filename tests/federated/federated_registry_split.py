"""A registry folder split into one folder per site (every file, header kept), as each site of
a network holds its own rows."""

from __future__ import annotations

import csv
from pathlib import Path


def split_by_site(registry: Path, dest: Path) -> dict:
    """site id -> its registry folder under ``dest``."""
    with (registry / "sites.csv").open(newline="", encoding="utf-8") as f:
        sites = [row["site_id"] for row in csv.DictReader(f)]
    folders = {s: dest / s for s in sites}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(registry.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        at = header.index("site_id")
        for site, folder in folders.items():
            with (folder / path.name).open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(header)
                writer.writerows(r for r in body if r[at] == site)
    return folders
