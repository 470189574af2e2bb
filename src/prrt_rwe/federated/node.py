"""The site's node: answers the predefined analyses of federated/protocol.py from its own
rows (federated/site.py), applies the disclosure rules of federated/disclosure.py with the
settings of *its own* network.toml, and writes every request, release and refusal to its
audit log (federated/audit.py).  Runtime-independent: ``Node.handle(request)`` is called by
the Flower ClientApp (federated/flower/) or directly.

A part outside the predefined analyses (an unknown name, a parameter the analysis does not
take, a model other than the study's) is refused and logged; the rest of the request is
answered.
"""

from __future__ import annotations

import datetime as dt
import traceback

import numpy as np

import prrt_rwe
from prrt_rwe.federated.audit import AuditLog, describe_item
from prrt_rwe.federated.count_tree import releasable, skeleton
from prrt_rwe.federated.disclosure import Refusal, cell_ok, coarsen_days, released_counts
from prrt_rwe.federated.protocol import ANALYSES, MODEL_KINDS, PARAMETERS, WEIGHTED_ANALYSES, PartReply, Request
from prrt_rwe.federated.secure_parts import SECURE_ANALYSES, SecureCache, layout_of
from prrt_rwe.federated.site import ModelData, SiteData, SiteDataError
from prrt_rwe.federated.site_weighted import iptw_levels
from prrt_rwe.federated.weighted_replies import WeightedAnswers
from prrt_rwe.federated.study_models import study_models

__all__ = ["Node", "config_from_raw", "config_to_raw"]

EPOCH = dt.date(1970, 1, 1)


def config_to_raw(config) -> dict:
    """A StudyConfig as the TOML mapping parse_config reads (None values left out)."""
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v is not None}
        return value
    raw = config.to_dict()
    raw.pop("source", None)
    return clean(raw)


def config_from_raw(raw: dict, data_cutoff: str | None):
    from prrt_rwe.config import parse_config

    raw = {k: dict(v) for k, v in raw.items()}
    if data_cutoff is not None:
        raw.setdefault("study", {})["data_cutoff"] = data_cutoff
    return parse_config(raw, origin="the coordinator's study configuration")


class PartRefused(Exception):
    """A part outside the predefined analyses (or parameters outside the part's own)."""


class Node(WeightedAnswers):
    """One site (see module doc). ``site_data``: federated.site.SiteData of the site's rows;
    ``network``: the node's own NetworkConfig (its disclosure settings); ``audit_path``: its
    JSON-lines log."""

    def __init__(self, site_data: SiteData, network, audit_path):
        self.data = site_data
        self.network = network
        self.site_id = site_data.site_id()
        self.audit = AuditLog(audit_path, self.site_id)
        self._config = None
        self._pooled: dict = {}
        self._models: dict = {}
        self._secure = SecureCache()
        self._weighted: dict = {}

    @property
    def min_cell(self) -> int:
        return self.network.min_cell

    def handle(self, request: Request) -> dict:
        """Reply to every part of ``request`` (part id -> PartReply), each one logged."""
        self.audit.write("request", round=request.round,
                         parts=[{"id": p.id, "analysis": p.analysis, "params": sorted(p.params)}
                                for p in request.parts])
        replies = {}
        for part in request.parts:
            try:
                self._check(part)
                reply = getattr(self, f"_{part.analysis}")(**part.params)
            except PartRefused as exc:
                reply = PartReply(refused={"*": str(exc)})
            except (SiteDataError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
                reply = PartReply(error=f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # noqa: BLE001 - the coordinator must learn which site failed
                reply = PartReply(error=f"{type(exc).__name__}: {exc} "
                                        f"({traceback.extract_tb(exc.__traceback__)[-1].name})")
            if self.network.secure_aggregation and part.analysis in SECURE_ANALYSES:
                self._secure.keep(part.id, reply)   # sent only masked, in the secure sum
                reply = layout_of(reply)
            self._log_reply(request.round, part, reply)
            replies[part.id] = reply
        return replies

    def secure_vector(self, plan: list):
        """This site's share of a secure sum (federated/secure_parts.py), logged before it is
        masked and sent."""
        vector = self._secure.vector(plan)
        self.audit.write("secure_sum", items=[{"part": e["part"], "name": e["name"], "shape": e["shape"],
                                                "scale_exponent": e["exponent"]} for e in plan],
                         values=int(vector.size), masked=True)
        return vector

    def _log_reply(self, round_, part, reply: PartReply) -> None:
        items = [describe_item(k, v) for k, v in reply.arrays.items()]
        items += [describe_item(k, v) for k, v in reply.values.items()]
        self.audit.write("reply", round=round_, part=part.id, analysis=part.analysis, items=items,
                         refused=reply.refused, error=reply.error)

    def _check(self, part) -> None:
        if part.analysis not in ANALYSES:
            raise PartRefused(f"analysis {part.analysis!r} is not one of the predefined analyses "
                              f"({', '.join(ANALYSES)})")
        extra = set(part.params) - PARAMETERS[part.analysis]
        if extra:
            raise PartRefused(f"analysis {part.analysis!r} takes no parameter {sorted(extra)[0]!r}")
        if part.analysis in WEIGHTED_ANALYSES:
            if self._config is None:
                raise PartRefused("the weighted analyses are answered only after prepare")
            if self.network.secure_aggregation:
                raise PartRefused("the weighted analyses' sums are not secured by SecAgg+; not released under "
                                  "secure aggregation")
            if "comparator" in part.params and part.params["comparator"] not in self._comparators():
                raise PartRefused(f"comparator {part.params['comparator']!r} is not one of the study's "
                                  f"({', '.join(self._comparators())})")
            return
        if part.analysis not in MODEL_KINDS:
            return
        if self._config is None:
            raise PartRefused("models are answered only after prepare")
        kind, models = MODEL_KINDS[part.analysis], study_models(self._config.models)
        model = models.get(part.params.get("model"))
        if model is None or model.kind != kind:
            allowed = ", ".join(n for n, m in models.items() if m.kind == kind)
            raise PartRefused(f"model {part.params.get('model')!r} is not one of the study's ({allowed})")

    # -- analyses -------------------------------------------------------------------------
    def _describe(self) -> PartReply:
        day = self.data.latest_day()
        latest = None if day is None else (EPOCH + dt.timedelta(days=int(day))).isoformat()
        return PartReply(values={"site": self.site_id, "version": prrt_rwe.__version__,
                                 "disclosure": self.network.disclosure(), "latest_date": latest})

    def _prepare(self, config, data_cutoff=None) -> PartReply:
        self._config = config_from_raw(config, data_cutoff)
        self._pooled, self._models, self._weighted = {}, {}, {}
        local = self.data.local(self._config)
        results, extras = local.analysis.results, local.analysis.extras
        values = {
            "skeleton": {"results": skeleton(results), "extras": skeleton(extras)},
            "counts": {"results": releasable("results", results, self.min_cell),
                       "extras": releasable("extras", extras, self.min_cell)},
            "levels": {name: local.levels(spec) for name, spec in study_models(self._config.models).items()},
            "iptw_levels": iptw_levels(local.adam, self._config),
            "comparators": list(self._comparators()),
        }
        arrays, refused = {}, {}
        sets = [(name, data.days, data.event, 2, self.network.time_unit) for name, data in local.survival.items()]
        sets += [(f"competing.{name}", data.days, data.status, 3, self.network.time_unit)
                 for name, data in local.competing.items()]
        sets += [("values.age", local.values["age"], None, 1, None),
                 ("values.ttr", local.values["ttr"], None, 1, self.network.time_unit)]
        for name, time, status, n_status, unit in sets:
            status = np.zeros(len(time), dtype=int) if status is None else status
            released = released_counts(time, status, n_status, self.min_cell, unit)
            if isinstance(released, Refusal):
                refused[name] = released.reason
            else:
                arrays[f"{name}.time"], arrays[f"{name}.counts"] = released[1].time, released[1].counts
        period = self._study_period(local)
        if isinstance(period, Refusal):
            refused["study_period"] = period.reason
        else:
            values["study_period"] = period
        if not self.network.secure_aggregation:   # site-level counts: not sent under secure aggregation
            response = self._site_response(local)
            if isinstance(response, Refusal):
                refused["site_response"] = response.reason
            else:
                values["site_response"] = response
        return PartReply(values=values, arrays=arrays, refused=refused)

    def _study_period(self, local):
        """The first and last C1 of the safety set (day numbers): each a single patient's date,
        so released only without a small-cell rule."""
        if self.min_cell > 1:
            return Refusal(f"the first and last C1 are single patients' dates (min_cell {self.min_cell})")
        adsl = local.adam.adsl
        c1 = adsl.loc[adsl["SAFFL"].astype("string").eq("Y").fillna(False), "TRTSDT"].dropna()
        days = ((c1 - np.datetime64("1970-01-01")) / np.timedelta64(1, "D")).to_numpy(dtype=float)
        return {"first_c1_day": float(days.min()), "last_c1_day": float(days.max())} if days.size else {}

    def _site_response(self, local):
        """The headline responders and patients of the site (sites.orr_meta), a proportion
        under rule 1 of disclosure.py."""
        responders, patients = local.headline_response()
        if not (cell_ok(responders, self.min_cell) and cell_ok(patients - responders, self.min_cell)):
            return Refusal(f"{responders} responders, {patients - responders} non-responders in the headline "
                           f"population: under min_cell {self.min_cell}")
        return {"responders": responders, "patients": patients}

    def _model(self, model: str, levels, columns=None) -> tuple:
        if not isinstance(levels, dict) or not all(isinstance(v, list) for v in levels.values()):
            raise PartRefused("levels must map covariates to lists of levels")
        spec = study_models(self._config.models)[model]
        unknown = set(levels) - set(spec.covariates)
        if unknown:
            raise PartRefused(f"levels given for {sorted(unknown)[0]!r}, not a covariate of model {model!r}")
        key = (model, repr(sorted(levels.items())))
        if key not in self._models:
            local = self.data.local(self._config)
            self._models[key] = local.model(spec, {**local.levels(spec), **levels})
        data = self._models[key]
        if columns is None:
            return data, list(data.X.columns)
        if not isinstance(columns, list) or not set(columns) <= set(data.X.columns):
            raise PartRefused(f"columns must be some of model {model!r}'s: {list(data.X.columns)}")
        return ModelData(X=data.X[columns], y=data.y, days=data.days, event=data.event), list(columns)

    def _vector(self, values, columns, what) -> np.ndarray:
        v = np.asarray(values, dtype=float).reshape(-1)
        if v.size != len(columns) or not np.all(np.isfinite(v)):
            raise PartRefused(f"{what} must be {len(columns)} finite numbers (one per column)")
        return v

    def _cox_moments(self, model, levels) -> PartReply:
        data, columns = self._model(model, levels)
        X, n, deaths = data.X.to_numpy(dtype=float), len(data.X), int(data.event.sum())
        if not (cell_ok(n, self.min_cell) and cell_ok(deaths, self.min_cell)):
            return PartReply(values={"columns": columns},
                             refused={"*": f"{n} patients, {deaths} events: under min_cell {self.min_cell}"})
        return PartReply(values={"columns": columns},
                         arrays={"w": np.array([float(n)]), "wx": X.sum(axis=0), "wxx": X.T @ X,
                                 "deaths": np.array([float(deaths)])})

    def _pooled_times(self, model, data):
        """The Cox rows' released times (rule 2 of disclosure.py), computed once per model."""
        if model not in self._pooled:
            released = released_counts(data.days, data.event, 2, self.min_cell, self.network.time_unit)
            self._pooled[model] = released if isinstance(released, Refusal) else released[0]
        return self._pooled[model]

    def _cox_blocks(self, model, levels, centre, beta, columns=None) -> PartReply:
        from prrt_rwe.stats.cox_block_sums import cox_block_sums

        data, columns = self._model(model, levels, columns)
        centre, beta = self._vector(centre, columns, "centre"), self._vector(beta, columns, "beta")
        times = self._pooled_times(model, data)
        if isinstance(times, Refusal):
            return PartReply(values={"columns": columns}, refused={"*": times.reason})
        blocks = cox_block_sums(times, data.event, data.X.to_numpy(dtype=float) - centre, beta)
        return PartReply(values={"columns": columns}, arrays=blocks.arrays())

    def _cox_stratum(self, model, levels, centre, beta, columns=None) -> PartReply:
        from prrt_rwe.stats.cox_efron import partial_likelihood
        from prrt_rwe.stats.risk_sets import risk_sets

        data, columns = self._model(model, levels, columns)
        centre, beta = self._vector(centre, columns, "centre"), self._vector(beta, columns, "beta")
        events = int(data.event.sum())
        if not cell_ok(events, self.min_cell):
            return PartReply(values={"columns": columns},
                             refused={"*": f"{events} events in the site's stratum: under min_cell {self.min_cell}"})
        p = len(columns)
        if events == 0:
            arrays = {"loglik": np.zeros(1), "score": np.zeros(p), "information": np.zeros((p, p))}
        else:
            rs = risk_sets(coarsen_days(data.days, self.network.time_unit), data.event, None, None, "efron")
            Xs = (data.X.to_numpy(dtype=float) - centre)[rs.order]
            pl = partial_likelihood(rs, Xs, beta)
            arrays = {"loglik": np.array([pl.loglik]), "score": pl.score, "information": pl.information}
        return PartReply(values={"columns": columns}, arrays=arrays)

    def _irls(self, model, levels, coef, columns=None) -> PartReply:
        from prrt_rwe.stats.logistic_fit import irls_sums

        data, columns = self._model(model, levels, columns)
        columns = ["(Intercept)", *columns]
        y = data.y
        k, n = int(y.sum()), int(y.size)
        if not (cell_ok(k, self.min_cell) and cell_ok(n - k, self.min_cell)):
            return PartReply(values={"columns": columns},
                             refused={"*": f"{k} responders, {n - k} non-responders: under min_cell {self.min_cell}"})
        D = np.column_stack([np.ones(n), data.X.to_numpy(dtype=float)])
        c = None if coef is None else self._vector(coef, columns, "coef")
        if n == 0:
            p = len(columns)
            return PartReply(values={"columns": columns, "n": 0, "events": 0},
                             arrays={"information": np.zeros((p, p)), "rhs": np.zeros(p), "deviance": np.zeros(1)})
        sums = irls_sums(D, y, c)
        return PartReply(values={"columns": columns, "n": n, "events": k},
                         arrays={"information": sums.information, "rhs": sums.rhs,
                                 "deviance": np.array([sums.deviance])})
