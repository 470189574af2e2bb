"""The node's answers to the weighted analyses of federated/protocol.py (IPTW and the
comparators' MAIC), mixed into federated/node.py's Node: each reads the site's rows of
federated/site_weighted.py and applies rule 4 of federated/disclosure.py before anything
leaves.

Rule 4 (weighted sums): an IPTW arm (exposed, unexposed) of 1 to min_cell - 1 patients refuses
every IPTW release (the propensity sums too: its responders and non-responders are the arms);
a comparator's eligible patients release their responders as a proportion (rule 1), and its
MAIC set (eligible with every matching variable) of 1 to min_cell - 1 patients refuses the MAIC
sums; every per-time weighted table is released on the pooled times of rule 2 (the arm's, or
the MAIC set's, PFS rows), so each released time carries 0 or at least min_cell events and
censorings.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from prrt_rwe.federated.disclosure import Refusal, cell_ok, released_counts
from prrt_rwe.federated.protocol import PartReply
from prrt_rwe.federated.site_weighted import comparator_rows, iptw_rows, iptw_weights_at, maic_weights_at
from prrt_rwe.stats.weighted_counts import weighted_counts

__all__ = ["EXTREME", "WeightedAnswers"]

EXTREME = 1e-8   # a fitted propensity this close to 0 or 1 flags separation


class WeightedAnswers:
    """Mixin of Node: ``self.data``, ``self._config``, ``self.network``, ``self.min_cell``,
    ``self._weighted`` (a cache emptied by prepare)."""

    # -- rows ---------------------------------------------------------------------------
    def _comparators(self) -> dict:
        if "comparators" not in self._weighted:
            from prrt_rwe.study import comparators_in_force

            self._weighted["comparators"] = {c.id: c for c in comparators_in_force(self._config)}
        return self._weighted["comparators"]

    def _iptw(self, levels):
        from prrt_rwe.federated.node import PartRefused

        if not isinstance(levels, dict) or not all(isinstance(v, list) for v in levels.values()):
            raise PartRefused("levels must map covariates to lists of levels")
        key = ("iptw", repr(sorted(levels.items())))
        if key not in self._weighted:
            local = self.data.local(self._config)
            self._weighted[key] = iptw_rows(local.adam, self._config, levels)
        return self._weighted[key]

    def _comparator(self, comparator):
        key = ("comparator", comparator)
        if key not in self._weighted:
            local = self.data.local(self._config)
            self._weighted[key] = comparator_rows(local.adam, self._comparators()[comparator])
        return self._weighted[key]

    def _released_times(self, key, days, event):
        """Rule 2's released time of every row (cached per set of rows), or a Refusal."""
        if key not in self._weighted:
            released = released_counts(days, event, 2, self.min_cell, self.network.time_unit)
            self._weighted[key] = released if isinstance(released, Refusal) else released[0]
        return self._weighted[key]

    def _coef(self, values, size: int, what: str) -> np.ndarray:
        from prrt_rwe.federated.node import PartRefused

        v = np.asarray(values, dtype=float).reshape(-1)
        if v.size != size or not np.all(np.isfinite(v)):
            raise PartRefused(f"{what} must be {size} finite numbers")
        return v

    def _iptw_refusal(self, rows) -> str | None:
        if rows.reason:
            return rows.reason
        exposed = int(rows.a.sum())
        unexposed = rows.a.size - exposed
        if not (cell_ok(exposed, self.min_cell) and cell_ok(unexposed, self.min_cell)):
            return f"{exposed} exposed, {unexposed} unexposed patients: under min_cell {self.min_cell}"
        return None

    # -- IPTW ---------------------------------------------------------------------------
    def _iptw_irls(self, levels, coef) -> PartReply:
        from prrt_rwe.stats.logistic_fit import irls_sums

        rows = self._iptw(levels)
        columns = ["(Intercept)", *rows.X.columns]
        refusal = self._iptw_refusal(rows)
        if refusal:
            return PartReply(values={"columns": columns}, refused={"*": refusal})
        n, k = int(rows.a.size), int(rows.a.sum())
        binary = [bool(np.all(np.isin(rows.X[c].to_numpy(dtype=float), (0.0, 1.0)))) for c in rows.X.columns]
        values = {"columns": columns, "n": n, "exposed": k, "binary": binary}
        if n == 0:
            p = len(columns)
            return PartReply(values=values, arrays={"information": np.zeros((p, p)), "rhs": np.zeros(p),
                                                    "deviance": np.zeros(1)})
        D = np.column_stack([np.ones(n), rows.X.to_numpy(dtype=float)])
        c = None if coef is None else self._coef(coef, len(columns), "coef")
        sums = irls_sums(D, rows.a, c)
        if c is not None:   # quasi-separation shows as fitted propensities of 0 or 1 (a flag, no count)
            e = expit(D @ c)
            values["extreme"] = bool(np.any(np.minimum(e, 1 - e) < EXTREME))
        return PartReply(values=values, arrays={"information": sums.information, "rhs": sums.rhs,
                                                "deviance": np.array([sums.deviance])})

    def _iptw_weights(self, levels, coef, p_exposed):
        rows = self._iptw(levels)
        refusal = self._iptw_refusal(rows)
        coef = self._coef(coef, rows.X.shape[1] + 1, "coef")
        p = float(self._coef([p_exposed], 1, "p_exposed")[0])
        return rows, refusal, (iptw_weights_at(rows, coef, p) if refusal is None else None)

    def _iptw_sums(self, levels, coef, p_exposed) -> PartReply:
        rows, refusal, w = self._iptw_weights(levels, coef, p_exposed)
        columns = list(rows.X.columns)
        if refusal:
            return PartReply(values={"columns": columns}, refused={"*": refusal})
        arrays = {}
        X = rows.X.to_numpy(dtype=float)
        for arm, name in ((1, "exposed"), (0, "unexposed")):
            at = rows.a == arm
            x, wa = X[at], w[at]
            arrays.update({f"{name}.n": np.array([float(at.sum())]), f"{name}.sx": x.sum(axis=0),
                           f"{name}.sxx": (x * x).sum(axis=0), f"{name}.sw": np.array([wa.sum()]),
                           f"{name}.sw2": np.array([(wa * wa).sum()]), f"{name}.swx": wa @ x,
                           f"{name}.swxx": wa @ (x * x)})
            times = self._released_times(("iptw_km", arm), rows.days[at], rows.event[at])
            if isinstance(times, Refusal):
                return PartReply(values={"columns": columns}, refused={"*": f"{name} arm's PFS: {times.reason}"})
            arrays.update(weighted_counts(times, rows.event[at], wa).arrays(f"{name}.pfs"))
        return PartReply(values={"columns": columns}, arrays=arrays)

    def _iptw_cox(self, levels, coef, p_exposed, centre, beta) -> PartReply:
        from prrt_rwe.stats.cox_block_sums import cox_block_sums

        rows, refusal, w = self._iptw_weights(levels, coef, p_exposed)
        columns = [rows.exposure]
        if refusal:
            return PartReply(values={"columns": columns}, refused={"*": refusal})
        centre, beta = self._coef(centre, 1, "centre"), self._coef(beta, 1, "beta")
        times = self._released_times(("iptw_cox",), rows.days, rows.event)
        if isinstance(times, Refusal):
            return PartReply(values={"columns": columns}, refused={"*": f"PFS: {times.reason}"})
        blocks = cox_block_sums(times, rows.event, (rows.a - centre[0])[:, None], beta, weights=w)
        return PartReply(values={"columns": columns}, arrays=blocks.arrays())

    # -- comparators --------------------------------------------------------------------
    def _comparator_counts(self, comparator) -> PartReply:
        rows = self._comparator(comparator)
        values = {"matched": list(rows.matched), "reason": rows.reason, "maic_reason": rows.maic_reason}
        if rows.reason:
            return PartReply(values=values)
        pts = rows.patients
        responders, n = int(pts.responder.sum()), pts.n
        released, refused, arrays = {}, {}, {}
        if cell_ok(responders, self.min_cell) and cell_ok(n - responders, self.min_cell):
            released.update(eligible=n, responders=responders)
        else:
            refused["naive"] = f"{responders} responders, {n - responders} non-responders: under min_cell {self.min_cell}"
        has = pts.has_pfs
        pfs = released_counts(pts.pfs_days[has], pts.pfs_event[has], 2, self.min_cell, self.network.time_unit)
        if isinstance(pfs, Refusal):
            refused["pfs"] = pfs.reason
        else:
            arrays.update({"eligible_pfs.time": pfs[1].time, "eligible_pfs.counts": pfs[1].counts})
        if cell_ok(rows.eligible_n, self.min_cell):
            released["eligible_n"] = rows.eligible_n
        else:
            refused["eligible_n"] = f"{rows.eligible_n} patients with every matching variable: under min_cell {self.min_cell}"
        if rows.Z is not None and "eligible_n" in released:
            Z = rows.Z
            arrays.update({"maic.sz": Z.sum(axis=0), "maic.szz": Z.T @ Z})
        return PartReply(values={**values, **released}, arrays=arrays, refused=refused)

    def _maic_rows(self, comparator):
        from prrt_rwe.federated.node import PartRefused

        rows = self._comparator(comparator)
        if rows.Z is None:
            raise PartRefused(f"comparator {comparator!r} has no MAIC set here")
        if not cell_ok(rows.eligible_n, self.min_cell):
            return rows, f"{rows.eligible_n} patients with every matching variable: under min_cell {self.min_cell}"
        return rows, None

    def _maic_newton(self, comparator, columns, scale, a) -> PartReply:
        from prrt_rwe.federated.node import PartRefused

        rows, refusal = self._maic_rows(comparator)
        if refusal:
            return PartReply(refused={"*": refusal})
        p = rows.Z.shape[1]
        if not isinstance(columns, list) or not all(isinstance(j, int) and 0 <= j < p for j in columns):
            raise PartRefused(f"columns must be indices of the {p} matching variables")
        scale = self._coef(scale, len(columns), "scale")
        a = self._coef(a, len(columns), "a")
        Zs = rows.Z[:, columns] / scale
        w = np.exp(Zs @ a)
        return PartReply(arrays={"s0": np.array([w.sum()]), "s1": Zs.T @ w, "s2": (Zs * w[:, None]).T @ Zs})

    def _maic_sums(self, comparator, coef) -> PartReply:
        rows, refusal = self._maic_rows(comparator)
        if refusal:
            return PartReply(refused={"*": refusal})
        w = maic_weights_at(rows, self._coef(coef, rows.Z.shape[1], "coef"))
        sub = rows.patients.subset(rows.complete)
        r = sub.responder.astype(float)
        arrays = {"sw": np.array([w.sum()]), "sw2": np.array([(w * w).sum()]), "swx": w @ rows.X,
                  "sx": rows.X.sum(axis=0), "swr": np.array([w @ r])}
        has = sub.has_pfs
        arrays["n_pfs"] = np.array([float(has.sum())])
        times = self._released_times(("maic_pfs", rows.id), sub.pfs_days[has], sub.pfs_event[has])
        if isinstance(times, Refusal):
            return PartReply(arrays=arrays, refused={"pfs": times.reason})
        arrays.update(weighted_counts(times, sub.pfs_event[has], w[has]).arrays("maic_pfs"))
        return PartReply(arrays=arrays)
