"""Simulation: one registry split by site_id into the sites of a network, every node and the
coordinator in one process (shared/spec/federated.md, ``prrt-rwe federate --simulate``).

The registry is validated and loaded once, as ``analyze`` does; each site then gets its own
in-memory DuckDB database holding only its rows (every table filtered on site_id), which its
node derives and analyses alone, exactly as a site's own ``prrt-rwe node`` would.
"""

from __future__ import annotations

import pyarrow.compute as pc

from prrt_rwe.federated.node import Node
from prrt_rwe.federated.site import SiteData
from prrt_rwe.ingest.database import connect
from prrt_rwe.schema.duckdb_layout import create_tables
from prrt_rwe.schema.registry_v1 import TABLES

__all__ = ["site_databases", "simulated_nodes"]


def site_databases(con) -> dict:
    """site id -> an in-memory DuckDB database with that site's rows of every table."""
    sites = [r[0] for r in con.execute('SELECT DISTINCT site_id FROM "patients" ORDER BY 1').fetchall()]
    out = {}
    for site in sites:
        out[site] = connect(":memory:")
        create_tables(out[site])
    for table in TABLES:
        rows = con.sql(f'SELECT * FROM "{table.name}"').to_arrow_table()
        for site, site_con in out.items():
            part = rows.filter(pc.equal(rows["site_id"], site))
            site_con.register("site_rows", part)
            site_con.execute(f'INSERT INTO "{table.name}" SELECT * FROM site_rows')
            site_con.unregister("site_rows")
    return out


def simulated_nodes(con, network, audit_folder) -> list[Node]:
    """One node per site of the loaded registry ``con``, each enforcing ``network`` and
    writing ``audit_folder/<site>.jsonl``."""
    return [Node(SiteData(connection=site_con), network, audit_folder / f"{site}.jsonl")
            for site, site_con in site_databases(con).items()]
