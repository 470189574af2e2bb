"""The coordinator: runs the federated study over a transport and assembles its results.

Rounds (each one request to every node, federated/protocol.py):

1. ``describe``: the sites, their code version and disclosure settings (which must equal the
   network's: a node enforces its own network.toml, the coordinator states what was
   enforced) and their latest dates;
2. ``prepare`` with the study configuration, the data cut-off fixed to the network's latest
   date when study.toml leaves it open (derivations.md: the latest date of any kind in the
   registry), so every site derives with the pooled cut-off;
3. the models in lockstep (federated/lockstep.py): moments, then one round per Newton or
   IRLS step of the slowest model.

A transport is any object with ``send(request) -> {node: {part id: PartReply}}`` that raises
:class:`~prrt_rwe.federated.errors.SiteFailure` for a node that does not answer; the Flower
adapter (federated/flower/) and :class:`DirectTransport` (nodes called in this process, no
runtime) are two.
"""

from __future__ import annotations

from dataclasses import dataclass

import prrt_rwe
from prrt_rwe.federated.assembly import Releases, assemble
from prrt_rwe.federated.count_tree import merge_skeletons, merge_trees
from prrt_rwe.federated.errors import FederationError, SiteFailure
from prrt_rwe.federated.lockstep import run_lockstep
from prrt_rwe.federated.models import Refused, cox_stratified, cox_unstratified, logistic_irls
from prrt_rwe.federated.node import config_to_raw
from prrt_rwe.federated.protocol import Part, Request
from prrt_rwe.federated.study_models import study_models
from prrt_rwe.stats.event_counts import EventCounts, merge_counts

__all__ = ["Coordinator", "DirectTransport", "FederatedStudy"]


class DirectTransport:
    """Nodes called in this process (tests, and any runtime that hosts nodes as objects)."""

    def __init__(self, nodes):
        self.nodes = {n.site_id: n for n in nodes}

    def send(self, request: Request) -> dict:
        return {site: node.handle(request) for site, node in self.nodes.items()}


@dataclass(frozen=True)
class FederatedStudy:
    analysis: object        # results.analysis.Analysis (results carry mode and federation)
    federation: dict
    sites: tuple


class Coordinator:
    """Runs the rounds of the module doc; ``network``: the coordinator's NetworkConfig."""

    def __init__(self, transport, network, config, quantization: dict | None = None):
        self.transport, self.network, self.config = transport, network, config
        self.quantization = quantization
        self._round = 0
        self._site_of: dict = {}

    def _send(self, parts) -> dict:
        """One round; replies keyed by site id (once known)."""
        self._round += 1
        try:
            replies = self.transport.send(Request(self._round, tuple(parts)))
        except SiteFailure as exc:
            raise exc.named(self._site_of.get(exc.node, exc.node)) from None
        return {self._site_of.get(node, node): r for node, r in replies.items()}

    def _one(self, part: Part) -> dict:
        return {site: r[part.id] for site, r in self._send([part]).items()}

    def run(self) -> FederatedStudy:
        described = self._describe()
        cutoff = self.config.study.data_cutoff
        latest = [d["latest_date"] for d in described.values() if d["latest_date"]]
        cutoff = cutoff.isoformat() if cutoff is not None else (max(latest) if latest else None)
        prepared = self._checked(self._one(Part("prepare", "prepare",
                                                {"config": config_to_raw(self.config), "data_cutoff": cutoff})),
                                 "prepare")
        config = self.config if self.config.study.data_cutoff is not None or cutoff is None else \
            _with_cutoff(self.config, cutoff)
        models = study_models(config.models)
        levels = {m: _union_levels(r.values["levels"][m] for r in prepared.values()) for m in models}
        tasks = {name: (cox_unstratified(name, levels[name], spec.drop_aliased) if spec.kind == "cox"
                        else logistic_irls(name, levels[name], spec.drop_aliased)) for name, spec in models.items()}
        tasks["pfs_stratified"] = cox_stratified("pfs", levels["pfs"])
        comparators = self._comparators(config, prepared)
        tasks.update(weighted_tasks(config, self.network, prepared, comparators))
        fits = run_lockstep(lambda parts: self._send(parts), tasks)
        for fit in fits.values():
            if isinstance(fit, (SiteFailure, FederationError)):
                raise fit
        sites = tuple(sorted(prepared))
        releases = Releases(
            skeleton={d: merge_skeletons(r.values["skeleton"][d] for r in prepared.values())
                      for d in ("results", "extras")},
            counts={d: merge_trees(d, {s: r.values["counts"][d] for s, r in prepared.items()})
                    for d in ("results", "extras")},
            survival={name: _merged(prepared, name, 2) for name in _set_names(prepared)},
            competing={name[len("competing."):]: _merged(prepared, name, 3)
                       for name in _set_names(prepared, "competing.")},
            values={name: _merged(prepared, f"values.{name}", 1) for name in ("age", "ttr")},
            study_period=_study_period(prepared, cutoff),
            site_response=_site_response(prepared, self.network.secure_aggregation),
            site_pfs={site: _merged({site: r}, "pfs", 2) for site, r in prepared.items()},
            fits=fits, sites=sites,
            federation={**self.network.disclosure(), "quantization": self.quantization},
            comparators=comparators)
        analysis, federation = assemble(releases, config)
        return FederatedStudy(analysis, federation, sites)

    def _describe(self) -> dict:
        replies = self._one(Part("describe", "describe"))
        described = {}
        for node, reply in sorted(replies.items()):
            if reply.error:
                raise SiteFailure(node, f"could not describe itself: {reply.error}")
            values = reply.values
            site = values["site"]
            if site in described:
                raise FederationError(f"two nodes answer for site {site}")
            described[site] = values
            self._site_of[node] = site
            if values["version"] != prrt_rwe.__version__:
                raise FederationError(f"site {site} runs prrt-rwe {values['version']}, the coordinator "
                                      f"{prrt_rwe.__version__}: the predefined analyses must be the same")
            if values["disclosure"] != self.network.disclosure():
                raise FederationError(f"site {site} enforces {values['disclosure']}, but the network's "
                                      f"settings are {self.network.disclosure()}: use one network.toml")
        expected = set(self.network.site_ids)
        if expected and set(described) != expected:
            missing, extra = sorted(expected - set(described)), sorted(set(described) - expected)
            raise FederationError("the answering sites differ from network.toml"
                                  + (f"; missing: {', '.join(missing)}" if missing else "")
                                  + (f"; not listed: {', '.join(extra)}" if extra else ""))
        return described

    @staticmethod
    def _comparators(config, prepared: dict) -> tuple:
        """The comparator files in force (study.py ``comparators_in_force``), which every site
        must hold too: a node answers only for its own copy of the study's files."""
        from prrt_rwe.study import comparators_in_force

        loaded = tuple(comparators_in_force(config))
        ids = [c.id for c in loaded]
        for site, r in sorted(prepared.items()):
            if r.values.get("comparators", ids) != ids:
                raise FederationError(f"site {site} holds the comparator files {r.values['comparators']}, the "
                                      f"coordinator {ids}: the study's files must be the same")
        return loaded

    @staticmethod
    def _checked(replies: dict, what: str) -> dict:
        for site, reply in sorted(replies.items()):
            if reply.error:
                raise SiteFailure(site, f"could not {what}: {reply.error}", site)
            if "*" in reply.refused:
                raise FederationError(f"site {site} refused {what}: {reply.refused['*']}")
        return replies


def weighted_tasks(config, network, prepared: dict, comparators) -> dict:
    """The weighted analyses' fit functions (federated/weighted.py): IPTW unless its weights are
    truncated (percentiles of every patient's weight), and one per comparator file; none under
    secure aggregation (their sums are not secured in this version)."""
    from prrt_rwe.federated.weighted import comparator_fit, iptw_fit
    from prrt_rwe.results.comparators.maic import MIN_ELIGIBLE

    if network.secure_aggregation:
        return {}
    tasks = {f"comparator.{c.id}": comparator_fit(c, MIN_ELIGIBLE) for c in comparators}
    if config.iptw.truncation is None:
        levels = _union_levels(r.values.get("iptw_levels", {}) for r in prepared.values())
        tasks["iptw"] = iptw_fit(config.iptw.exposure, levels)
    return tasks


def _with_cutoff(config, cutoff: str):
    import dataclasses
    import datetime as dt

    return dataclasses.replace(config, study=dataclasses.replace(config.study,
                                                                 data_cutoff=dt.date.fromisoformat(cutoff)))


def _union_levels(per_site) -> dict:
    out: dict = {}
    for levels in per_site:
        for name, values in levels.items():
            out[name] = sorted(set(out.get(name, [])) | set(values))
    return out


def _set_names(prepared: dict, prefix: str = "") -> list[str]:
    """The survival sets (with ``prefix``: the competing-risks sets) the sites answered
    (released or refused), in the first site's order."""
    names: dict = {}
    for r in prepared.values():
        names.update(dict.fromkeys(k[:-len(".time")] for k in r.arrays if k.endswith(".time")))
        names.update(dict.fromkeys(k for k in r.refused if k not in ("study_period", "site_response")))
    if prefix:
        return [n for n in names if n.startswith(prefix)]
    return [n for n in names if not n.startswith(("values.", "competing."))]


def _merged(prepared: dict, name: str, n_status: int):
    """The sites' released per-time (or per-value) tables merged (a site without the set, as a
    Gray level it has no patient of, adds nothing), or Refused naming the sites that refused."""
    refused = {s: r.refused[name] for s, r in prepared.items() if name in r.refused}
    if refused:
        return Refused(f"{name} counts", refused)
    return merge_counts((EventCounts(r.arrays[f"{name}.time"], r.arrays[f"{name}.counts"].reshape(-1, n_status))
                         for r in prepared.values() if f"{name}.time" in r.arrays), n_status)


def _site_response(prepared: dict, secure: bool):
    """Site id -> (headline responders, patients); Refused naming the sites that refused; None
    under secure aggregation (the nodes do not send them)."""
    if secure:
        return None
    refused = {s: r.refused["site_response"] for s, r in prepared.items() if "site_response" in r.refused}
    if refused:
        return Refused("the sites' headline responders", refused)
    return {s: (int(r.values["site_response"]["responders"]), int(r.values["site_response"]["patients"]))
            for s, r in prepared.items()}


def _study_period(prepared: dict, cutoff: str | None):
    """(first C1 day, last C1 day, cut-off) over the sites, or Refused."""
    refused = {s: r.refused["study_period"] for s, r in prepared.items() if "study_period" in r.refused}
    if refused:
        return Refused("the study period", refused)
    periods = [r.values["study_period"] for r in prepared.values() if r.values.get("study_period")]
    if not periods:
        return None, None, cutoff
    return min(p["first_c1_day"] for p in periods), max(p["last_c1_day"] for p in periods), cutoff
