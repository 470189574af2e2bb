"""Rubin's rules for multiply imputed estimates, as R ``mice::pool()`` (mice 3.15,
``pool.fitlist`` with rule "rubin1987", ``barnard.rubin``).

For each parameter over m completed-data fits with estimates Q_i and variances U_i:

* estimate Q̄ = mean(Q_i); within-imputation variance ū = mean(U_i);
  between-imputation variance b = var(Q_i) (denominator m − 1); total t = ū + (1 + 1/m) b;
* riv = (1 + 1/m) b / ū (relative increase in variance); lambda = (1 + 1/m) b / t;
* df (Barnard & Rubin 1999): lambda floored at 1e-4, ν_old = (m − 1) / lambda²,
  ν_obs = (ν_com + 1) / (ν_com + 3) · ν_com · (1 − lambda), df = ν_old ν_obs / (ν_old + ν_obs)
  (ν_old alone when ν_com is infinite);
* fmi = (riv + 2 / (df + 3)) / (riv + 1);
* CI Q̄ ± t_(df) sqrt(t) and p = 2 P(T_df > |Q̄| / sqrt(t)) as ``summary(pool, conf.int = TRUE)``
  (df floored at 0.001 for the p-value, as mice).

``df_complete`` is ν_com, the residual degrees of freedom of the complete-data model; mice's
``get.dfcom`` takes ``df.residual`` (n − p for ``glm``, p counting the intercept) and, for a
``coxph`` fit, the number of events minus the number of coefficients (at least 1). ``None``
means infinite, as mice does when it cannot find one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr, stdtrit

__all__ = ["RubinPool", "pool_rubin", "dfcom_glm", "dfcom_cox"]

LAMBDA_FLOOR = 1e-4  # mice::barnard.rubin


@dataclass(frozen=True)
class RubinPool:
    """Pooled results, one entry per parameter (names as mice's ``pool()$pooled``; mice's
    ``lambda`` is ``lambda_``, ``lambda`` being a Python keyword)."""

    m: int
    estimate: np.ndarray
    ubar: np.ndarray
    b: np.ndarray
    t: np.ndarray
    df_complete: float
    df: np.ndarray
    riv: np.ndarray
    lambda_: np.ndarray
    fmi: np.ndarray

    @property
    def std_error(self) -> np.ndarray:
        return np.sqrt(self.t)

    @property
    def p(self) -> np.ndarray:
        """Two-sided p of Q̄ / sqrt(t) on df degrees of freedom (``summary.mipo``)."""
        stat = self.estimate / self.std_error
        return 2 * stdtr(np.maximum(self.df, 0.001), -np.abs(stat))

    def ci(self, conf_level: float = 0.95) -> np.ndarray:
        """(p, 2) limits Q̄ ± t_(df, (1 + level) / 2) sqrt(t) (``confint.mipo``)."""
        q = stdtrit(self.df, 1 - (1 - conf_level) / 2)
        half = q * self.std_error
        return np.column_stack([self.estimate - half, self.estimate + half])


def barnard_rubin(m: int, b: np.ndarray, t: np.ndarray, df_complete: float) -> np.ndarray:
    """Barnard–Rubin (1999) small-sample degrees of freedom (mice ``barnard.rubin``)."""
    lam = np.maximum((1 + 1 / m) * b / t, LAMBDA_FLOOR)
    df_old = (m - 1) / lam ** 2
    if np.isinf(df_complete):
        return df_old
    df_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
    return df_old * df_obs / (df_old + df_obs)


def pool_rubin(estimates, variances, *, df_complete: float | None = None) -> RubinPool:
    """Pool (m, p) per-imputation ``estimates`` and their ``variances`` (squared SEs)."""
    q = np.atleast_2d(np.asarray(estimates, dtype=float))
    u = np.atleast_2d(np.asarray(variances, dtype=float))
    if q.shape != u.shape:
        raise ValueError(f"estimates {q.shape} and variances {u.shape} must have the same (m, p) shape")
    m = q.shape[0]
    if m < 2:
        raise ValueError("pooling needs at least two imputations (m >= 2)")
    if not (np.all(np.isfinite(q)) and np.all(np.isfinite(u))) or np.any(u < 0):
        raise ValueError("estimates and variances must be finite, variances >= 0")
    dfcom = np.inf if df_complete is None else max(float(df_complete), 1.0)
    qbar, ubar = q.mean(axis=0), u.mean(axis=0)
    b = q.var(axis=0, ddof=1)
    t = ubar + (1 + 1 / m) * b
    df = barnard_rubin(m, b, t, dfcom)
    riv = (1 + 1 / m) * b / ubar
    lam = (1 + 1 / m) * b / t
    fmi = (riv + 2 / (df + 3)) / (riv + 1)
    return RubinPool(m, qbar, ubar, b, t, dfcom, df, riv, lam, fmi)


def dfcom_glm(n: int, n_coef: int) -> float:
    """mice ``get.dfcom`` for a ``glm``: its ``df.residual`` (n − coefficients incl. intercept)."""
    return float(n - n_coef)


def dfcom_cox(n_events: int, n_coef: int) -> float:
    """mice ``get.dfcom`` for a ``coxph``: max(events − coefficients, 1)."""
    return float(max(n_events - n_coef, 1))
