"""What can stop a federated run, each error naming the site it concerns."""

from __future__ import annotations

__all__ = ["FederationError", "SiteFailure"]


class FederationError(Exception):
    """The federated study cannot be completed; the message says which site and why."""


class SiteFailure(FederationError):
    """A site did not answer (stopped, unreachable, past the timeout) or failed to compute.

    ``node`` is the runtime's name of the node (its Flower node id, or the site id); the
    coordinator replaces it with the site id once the site has described itself."""

    def __init__(self, node: str, reason: str, site: str | None = None):
        self.node, self.reason, self.site = node, reason, site
        super().__init__(f"site {site or node}: {reason}")

    def named(self, site: str) -> "SiteFailure":
        return SiteFailure(self.node, self.reason, site)
