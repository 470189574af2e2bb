"""Multiple imputation by chained equations (van Buuren & Groothuis-Oudshoorn, J Stat Softw
2011), the algorithm of R ``mice`` 3.15 with its default settings:

1. Start: every missing value is drawn at random from the observed values of its variable
   (``mice.impute.sample``).
2. One iteration visits the variables in the given order (mice's "roman" visit sequence); each
   is imputed from every other variable (categorical ones as 0/1 dummy columns, the first level
   the reference) and the complete ``auxiliary`` columns (e.g. the outcome, the Nelson–Aalen
   cumulative hazard and site dummies, White & Royston 2009), by its method
   (:mod:`prrt_rwe.stats.mice_draws`: "pmm", "logreg", "polyreg").
3. After ``iterations`` iterations (mice's ``maxit``, default 5) the current values are one
   completed data set; m independent chains give m data sets.

A variable may apply only where another one takes a value (``applies_when``; e.g. the size
of the largest liver lesion only where liver metastases are present): elsewhere it is set to
``otherwise`` and takes no part in the fit, as mice's ``where`` and post-processing do.
A variable may leave other variables out of its predictors (``exclude``, a row of mice's
``predictorMatrix`` set to 0), and may be imputed ``within`` the levels of another variable:
the fit and the donors are those of the patients sharing its current value (e.g. a Ki-67
value drawn among the patients on the same side of the 10 % threshold the model uses, the
threshold flag itself imputed first by logistic regression on the outcome: an imputation
compatible with the analysis model, White & Royston 2009).

Each chain draws from its own stream of numpy's PCG64, spawned from ``seed``: the same data
and seed give the same completed data sets, whether the chains run one after the other or in
``workers`` processes side by side (as R's ``futuremice``). The many small least-squares fits
run with one BLAS thread (threadpoolctl): a multi-threaded BLAS spends more time waking
threads than computing on matrices this small, badly so on a shared machine.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from prrt_rwe.stats.mice_draws import DONORS, Rows, draw_logreg, draw_pmm, draw_polyreg

__all__ = ["ImputedVariable", "Imputations", "mice", "nelson_aalen_at"]

METHODS = ("pmm", "logreg", "polyreg")


@dataclass(frozen=True)
class ImputedVariable:
    """One column: its method, the number of categories (polyreg: codes 0..K-1; logreg: 0/1)
    and, optionally, where it applies."""

    name: str
    method: str
    n_categories: int = 0
    applies_when: tuple[str, float] | None = None
    otherwise: float = 0.0
    within: str | None = None
    exclude: tuple[str, ...] = ()

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"{self.name}: method must be one of {METHODS}, got {self.method!r}")
        if self.method == "polyreg" and self.n_categories < 2:
            raise ValueError(f"{self.name}: polyreg needs n_categories >= 2")

    @property
    def width(self) -> int:
        """Columns this variable takes as a predictor."""
        return self.n_categories - 1 if self.method == "polyreg" else 1


@dataclass(frozen=True)
class Imputations:
    """m completed data sets of the variables (``completed[i]`` is (n, k), columns in
    ``names`` order), which entries were missing, and the chain means of the imputed values
    after each iteration (``trace[i, it, j]``, NaN where nothing was imputed)."""

    names: tuple[str, ...]
    methods: tuple[str, ...]
    completed: np.ndarray  # (m, n, k)
    missing: np.ndarray  # (n, k) bool
    trace: np.ndarray  # (m, iterations, k)
    seed: int
    iterations: int
    donors: int

    @property
    def m(self) -> int:
        return self.completed.shape[0]

    def column(self, i: int, name: str) -> np.ndarray:
        return self.completed[i, :, self.names.index(name)]


def _encode(values: np.ndarray, var: ImputedVariable) -> np.ndarray:
    if var.method == "polyreg":
        codes = values.astype(int)
        return (codes[:, None] == np.arange(1, var.n_categories)[None, :]).astype(float)
    return values[:, None]


def _check(data: np.ndarray, variables, auxiliary) -> None:
    if data.ndim != 2 or data.shape[1] != len(variables):
        raise ValueError(f"data must be (n, {len(variables)}), got {data.shape}")
    if auxiliary.shape[0] != data.shape[0] or not np.all(np.isfinite(auxiliary)):
        raise ValueError("auxiliary columns must be complete, one row per patient")
    names = [v.name for v in variables]
    for j, var in enumerate(variables):
        col = data[:, j]
        if np.isnan(col).all():
            raise ValueError(f"{var.name}: missing for every patient; nothing to impute it from")
        observed = col[~np.isnan(col)]
        if var.method in ("logreg", "polyreg"):
            k = 2 if var.method == "logreg" else var.n_categories
            if not np.all(np.isin(observed, np.arange(k))):
                raise ValueError(f"{var.name}: {var.method} values must be codes 0..{k - 1}")
        linked = ([var.applies_when[0]] if var.applies_when else []) + ([var.within] if var.within else [])
        for other in linked + list(var.exclude):
            if other not in names:
                raise ValueError(f"{var.name}: names an unknown variable {other!r}")


class _Chain:
    """One chain's current values, their predictor encoding and where each variable applies."""

    def __init__(self, data, variables, auxiliary, rng, donors):
        self.vars, self.rng, self.donors = variables, rng, donors
        self.starts: dict = {}  # warm starts of the logreg / polyreg fits
        self.index = {v.name: j for j, v in enumerate(variables)}
        self.missing = np.isnan(data)
        self.structural = np.zeros_like(self.missing)
        self.dependents = [[k for k, o in enumerate(variables) if o.applies_when is not None
                            and o.applies_when[0] == v.name and k != j] for j, v in enumerate(variables)]
        self.values = data.copy()
        widths = [v.width for v in variables]
        # column 0: the intercept; then each variable's columns; then the auxiliary ones
        self.slices = np.split(np.arange(1, sum(widths) + 1), np.cumsum(widths)[:-1])
        self.X = np.zeros((data.shape[0], 1 + sum(widths) + auxiliary.shape[1]))
        self.X[:, 0] = 1.0
        self.X[:, 1 + sum(widths):] = auxiliary
        for j, var in enumerate(variables):  # step 1: random draws from the observed values
            miss = self.missing[:, j]
            observed = data[~miss, j]
            self.values[miss, j] = rng.choice(observed, size=int(miss.sum()), replace=True)
        for j in range(len(variables)):
            self._apply(j)

    def applies(self, j: int) -> np.ndarray:
        cond = self.vars[j].applies_when
        if cond is None:
            return np.ones(self.values.shape[0], dtype=bool)
        return self.values[:, self.index[cond[0]]] == cond[1]

    def _apply(self, j: int) -> None:
        """Encode variable j; missing entries where it does not apply take ``otherwise``, and
        the variables that apply depending on j are updated."""
        var = self.vars[j]
        if var.applies_when is not None:
            off = ~self.applies(j) & self.missing[:, j]
            reopened = ~off & self.missing[:, j] & self.structural[:, j]
            if reopened.any():  # applies again: a fresh start from the observed values
                pool = self.values[self.applies(j) & ~self.missing[:, j], j]
                pool = pool if pool.size else np.array([var.otherwise])
                self.values[reopened, j] = self.rng.choice(pool, size=int(reopened.sum()), replace=True)
            self.values[off, j] = var.otherwise
            self.structural[:, j] = off
        self.X[:, self.slices[j]] = _encode(self.values[:, j], var)
        for k in self.dependents[j]:
            self._apply(k)

    def visit(self, j: int) -> None:
        var = self.vars[j]
        where = self.applies(j)
        target = self.missing[:, j] & where
        if not target.any():
            self._apply(j)
            return
        donor = ~self.missing[:, j] & where
        if not donor.any():
            raise ValueError(f"{var.name}: no observed value where it applies; nothing to impute it from")
        if var.within is None:
            self._draw(j, target, donor, where)
        else:
            level = self.values[:, self.index[var.within]]
            for value in np.unique(level[target]):
                same = level == value
                # a level without an observed value: draw from every donor rather than fail
                pool = donor & same if (donor & same).any() else donor
                self._draw(j, target & same, pool, where & same if (donor & same).any() else where)
        self._apply(j)

    def _draw(self, j: int, target, donor, where) -> None:
        var = self.vars[j]
        cols = np.ones(self.X.shape[1], dtype=bool)
        cols[self.slices[j]] = False
        for name in var.exclude:
            cols[self.slices[self.index[name]]] = False
        rows = Rows(self.X, self.values[:, j], cols, donor, target, where)
        if var.method == "pmm":
            drawn = draw_pmm(rows, self.rng, self.donors)
        elif var.method == "logreg":
            drawn, self.starts[j] = draw_logreg(rows, self.rng, self.starts.get(j))
        else:
            drawn, self.starts[j] = draw_polyreg(rows, var.n_categories, self.rng, self.starts.get(j))
        self.values[target, j] = drawn


def mice(data, variables, *, auxiliary=None, m: int = 20, iterations: int = 5, seed: int = 1,
         donors: int = DONORS, workers: int = 1) -> Imputations:
    """m completed data sets of ``data`` ((n, k), NaN = missing; categorical columns as codes),
    one :class:`ImputedVariable` per column (see the module doc); ``workers`` > 1 runs the
    chains in that many processes (same results; the processes are spawned, so a calling
    script needs the usual ``if __name__ == "__main__":`` guard)."""
    data = np.asarray(data, dtype=float)
    variables = tuple(variables)
    aux = np.empty((data.shape[0], 0)) if auxiliary is None else np.asarray(auxiliary, dtype=float)
    if aux.ndim == 1:
        aux = aux[:, None]
    _check(data, variables, aux)
    if m < 1 or iterations < 1:
        raise ValueError("m and iterations must be at least 1")
    streams = np.random.SeedSequence(seed).spawn(m)
    completed = np.empty((m,) + data.shape)
    trace = np.full((m, iterations, len(variables)), np.nan)
    missing = np.isnan(data)
    jobs = [(data, variables, aux, stream, iterations, donors) for stream in streams]
    if workers > 1 and m > 1:
        with ProcessPoolExecutor(max_workers=min(workers, m),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            chains = list(pool.map(_run_chain, *zip(*jobs)))
    else:
        chains = [_run_chain(*job) for job in jobs]
    for i, (values, means) in enumerate(chains):
        completed[i], trace[i] = values, means
    return Imputations(tuple(v.name for v in variables), tuple(v.method for v in variables), completed,
                       missing, trace, int(seed), int(iterations), int(donors))


def _run_chain(data, variables, aux, stream, iterations, donors):
    """One chain from its own random stream: its completed data and its trace of means."""
    missing = np.isnan(data)
    trace = np.full((iterations, len(variables)), np.nan)
    with threadpool_limits(limits=1, user_api="blas"):
        chain = _Chain(data, variables, aux, np.random.Generator(np.random.PCG64(stream)), donors)
        for it in range(iterations):
            for j in range(len(variables)):
                if missing[:, j].any():
                    chain.visit(j)
            for j in range(len(variables)):
                if missing[:, j].any():
                    trace[it, j] = chain.values[missing[:, j], j].mean()
    return chain.values, trace


def nelson_aalen_at(time, event) -> np.ndarray:
    """Each patient's cumulative hazard at their own time, as R ``mice::nelsonaalen``
    (``basehaz(coxph(Surv(time, event) ~ 1))``: Efron's tie correction, so d tied events among
    n at risk add 1/n + 1/(n − 1) + … + 1/(n − d + 1)); the PFS summary White & Royston (Stat
    Med 2009) put in the imputation model."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    times = np.unique(t)
    at_risk = len(t) - np.searchsorted(np.sort(t), times, side="left")
    deaths = np.bincount(np.searchsorted(times, t), weights=e, minlength=len(times)).astype(int)
    steps = np.array([np.sum(1.0 / (n - np.arange(d))) if d else 0.0 for n, d in zip(at_risk, deaths)])
    return np.cumsum(steps)[np.searchsorted(times, t)]
