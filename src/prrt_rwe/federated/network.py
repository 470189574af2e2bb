"""network.toml: the disclosure settings every node enforces and the sites of the network
(shared/spec/federated.md, "network.toml").

    min_cell = 5                 # no released count, sum or risk set over fewer patients
    time_unit = "day"            # day | week | month: times rounded up at the site
    secure_aggregation = false   # Flower SecAgg+ for summed arrays (deployment and simulation)
    superlink = "127.0.0.1:9092" # deployment: the coordinator's SuperLink (nodes connect to it)
    timeout_s = 600              # deployment: how long the coordinator waits for a site's reply
    [[site]]
    id = "S01"
    address = "127.0.0.1:9101"   # deployment: the node's local Runtime API (one port per node)

``superlink`` and ``timeout_s`` are additions to the spec's file: Flower nodes dial out to
the coordinator, so the network needs its address, and a site that stops answering must be
named after a stated wait.  Errors name the file and the key, as study.toml's do.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NetworkConfig", "NetworkError", "Site", "TIME_UNITS", "load_network", "parse_network"]

TIME_UNITS = ("day", "week", "month")
DEFAULT_MIN_CELL = 5
DEFAULT_TIMEOUT_S = 600.0
_ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:(\d{1,5})$")
_SITE_ID = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")


class NetworkError(ValueError):
    """A network.toml that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Site:
    id: str
    address: str | None = None


@dataclass(frozen=True)
class NetworkConfig:
    min_cell: int = DEFAULT_MIN_CELL
    time_unit: str = "day"
    secure_aggregation: bool = False
    superlink: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    sites: tuple[Site, ...] = ()
    source: str | None = None

    @property
    def site_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sites)

    def disclosure(self) -> dict:
        """The settings a node enforces (compared between coordinator and nodes)."""
        return {"min_cell": self.min_cell, "time_unit": self.time_unit,
                "secure_aggregation": self.secure_aggregation}

    def site(self, site_id: str) -> Site:
        for s in self.sites:
            if s.id == site_id:
                return s
        raise NetworkError(f"{self.source or 'network.toml'}: site {site_id!r} is not listed "
                           f"(listed: {', '.join(self.site_ids) or 'none'})")


def _address(value, where: str) -> str:
    m = _ADDRESS.match(value) if isinstance(value, str) else None
    if not m or not 0 < int(m.group(1)) < 65536:
        raise NetworkError(f"{where}: expected host:port, got {value!r}")
    return value


def _sites(raw, origin: str) -> tuple[Site, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise NetworkError(f"{origin}: [[site]] must be a list of tables with an id")
    sites, seen = [], set()
    for i, body in enumerate(raw, start=1):
        where = f"{origin}: [[site]] number {i}"
        unknown = set(body) - {"id", "address"}
        if unknown:
            raise NetworkError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: address, id)")
        site_id = body.get("id")
        if not isinstance(site_id, str) or not _SITE_ID.match(site_id):
            raise NetworkError(f"{where}: id must be a site_id of letters, digits, - or _, got {site_id!r}")
        if site_id in seen:
            raise NetworkError(f"{where}: id {site_id!r} is listed twice")
        seen.add(site_id)
        address = body.get("address")
        sites.append(Site(site_id, None if address is None else _address(address, f"{where} address")))
    return tuple(sites)


def parse_network(raw: dict, origin: str = "network.toml") -> NetworkConfig:
    """NetworkConfig from a parsed TOML mapping; unknown keys are errors."""
    known = {"min_cell", "time_unit", "secure_aggregation", "superlink", "timeout_s", "site"}
    for key in raw:
        if key not in known:
            raise NetworkError(f"{origin}: unknown key {key!r} (known: {', '.join(sorted(known))})")
    min_cell = raw.get("min_cell", DEFAULT_MIN_CELL)
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise NetworkError(f"{origin}: min_cell: expected an integer >= 1, got {min_cell!r}")
    unit = raw.get("time_unit", "day")
    if unit not in TIME_UNITS:
        raise NetworkError(f"{origin}: time_unit: expected one of {', '.join(TIME_UNITS)}, got {unit!r}")
    secure = raw.get("secure_aggregation", False)
    if not isinstance(secure, bool):
        raise NetworkError(f"{origin}: secure_aggregation: expected true or false, got {secure!r}")
    timeout = raw.get("timeout_s", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise NetworkError(f"{origin}: timeout_s: expected a positive number of seconds, got {timeout!r}")
    superlink = raw.get("superlink")
    if superlink is not None:
        superlink = _address(superlink, f"{origin}: superlink")
    return NetworkConfig(min_cell, unit, secure, superlink, float(timeout), _sites(raw.get("site", []), origin),
                         None if origin == "network.toml" else origin)


def load_network(path) -> NetworkConfig:
    """The network.toml at ``path`` (errors name the file and the key)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise NetworkError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise NetworkError(f"{path}: not UTF-8; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise NetworkError(f"{path}: not valid TOML ({exc})") from None
    return parse_network(raw, origin=str(path))
