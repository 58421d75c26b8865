"""The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999)."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
from scipy import special as sp

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.data import CustomerSummary
from distcrm.errors import ValidationError
from distcrm.forecast._purchase._base import (
    check_positive,
    check_summary,
    minimize,
    params_repr_html,
    standard_errors,
    warn_degenerate,
)

__all__ = ["GammaGammaModel"]

FloatArray = npt.NDArray[np.float64]


def _spend_rows(summary: CustomerSummary) -> tuple[FloatArray, FloatArray]:
    """Frequency and mean repeat spend of the customers with ``frequency > 0``."""
    if summary.monetary_value is None:
        raise ValidationError.single("summary.monetary_value", None, "is needed by the spend model")
    x, m = summary.frequency, summary.monetary_value
    rep = x > 0
    bad = rep & ~(m > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValidationError.single(
            f"summary.monetary_value[{summary.customer_ids[i]!r}]",
            float(m[i]),
            "must be > 0 for a customer with repeat purchases",
        )
    if not rep.any():
        raise ValidationError.single("summary.frequency", 0, "no customer has a repeat purchase")
    return x[rep], m[rep]


class GammaGammaModel(BaseEstimator):
    """The Gamma-Gamma model of the value of a customer's purchases.

    Each transaction value is ``Gamma(p, ν)`` with the customer's ``ν ~ Gamma(q, γ)``;
    the mean spend of ``x`` repeat purchases is a sufficient statistic. Fitted on the
    customers with ``frequency > 0``; it assumes spend is independent of frequency.

    Parameters
    ----------
    penalizer
        L2 penalty on the parameters; 0 is plain maximum likelihood.
    max_iter, tol
        L-BFGS-B iteration limit and relative tolerance on the objective.

    Examples
    --------
    >>> import numpy as np
    >>> from distcrm.data import CustomerSummary
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(1, 6, 3000).astype(float)
    >>> nu = rng.gamma(4.0, 1 / 15.0, 3000)
    >>> m_ = rng.gamma(6.0 * x, 1 / (nu * x))
    >>> s = CustomerSummary.from_arrays(frequency=x, recency=x, T=x + 10, monetary_value=m_)
    >>> m = GammaGammaModel().fit(s)
    >>> sorted(m.params_)
    ['gamma', 'p', 'q']
    """

    _names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")

    params_: dict[str, float]
    standard_errors_: dict[str, float]
    covariance_: FloatArray
    log_likelihood_: float
    n_customers_: int
    converged_: bool
    degenerate_: tuple[str, ...]

    def __init__(self, *, penalizer: float = 0.0, max_iter: int = 2000, tol: float = 1e-12) -> None:
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.tol = tol

    @staticmethod
    def _loglik(pr: FloatArray, x: FloatArray, m: FloatArray, w: FloatArray) -> tuple[float, FloatArray]:
        p, q, g = (float(v) for v in pr)
        px = p * x
        lgm = np.log(g + m * x)
        ll = sp.gammaln(px + q) - sp.gammaln(px) - sp.gammaln(q) + q * math.log(g) + (px - 1) * np.log(m)
        ll = ll + px * np.log(x) - (px + q) * lgm
        dpq = sp.digamma(px + q)
        d_p = x * (dpq - sp.digamma(px) + np.log(m) + np.log(x) - lgm)
        d_q = dpq - sp.digamma(q) + math.log(g) - lgm
        d_g = q / g - (px + q) / (g + m * x)
        return float(w @ ll), np.array([w @ d_p, w @ d_q, w @ d_g])

    def fit(self, summary: CustomerSummary) -> Self:
        """Fit on the repeat customers' frequency and mean spend (``summary.monetary_value``).

        Raises
        ------
        ValidationError
            No monetary value, a repeat customer with spend ``<= 0``, no repeat customer.
        """
        summary = check_summary(summary)
        pen = check_positive("penalizer", self.penalizer, allow_zero=True)
        x, m = _spend_rows(summary)
        uniq, inv, cnt = np.unique(np.stack([x, m], 1), axis=0, return_inverse=True, return_counts=True)
        ux, um, w = uniq[:, 0].copy(), uniq[:, 1].copy(), cnt.astype(np.float64)
        del inv
        n = float(w.sum())

        def objective(theta: FloatArray) -> tuple[float, FloatArray]:
            pr = np.exp(theta)
            ll, g = self._loglik(pr, ux, um, w)
            f = -ll / n + pen * float(pr @ pr)
            if not math.isfinite(f):
                return 1e300, np.zeros(3)
            return f, (-g / n + 2 * pen * pr) * pr

        mean, var = (
            float(np.average(um, weights=w)),
            float(np.average((um - np.average(um, weights=w)) ** 2, weights=w)),
        )
        x0 = np.log([max(mean**2 / max(var, 1e-12), 0.1), 2.0, max(mean, 1e-3)])
        theta, success, nit, msg = minimize(objective, x0, max_iter=int(self.max_iter), tol=float(self.tol))
        pr = np.exp(theta)
        self.params_ = dict(zip(self._names, (float(v) for v in pr), strict=True))
        self.log_likelihood_ = self._loglik(pr, ux, um, w)[0]
        self.n_customers_ = int(n)
        self.converged_ = success
        self.n_iter_ = nit

        def grad_total(q: FloatArray) -> FloatArray:
            return -self._loglik(q, ux, um, w)[1] + 2 * pen * n * q

        with np.errstate(all="ignore"):
            self.standard_errors_, self.covariance_ = standard_errors(grad_total, pr, self._names)
        extra = []
        if pr[1] <= 1.0:
            extra.append(
                f"q={pr[1]:.3g} <= 1: the population mean spend is infinite; expected spend falls back to the customer's own mean"
            )
        self.degenerate_ = tuple(warn_degenerate("Gamma-Gamma", self._names, theta, success, msg, extra))
        return self

    def expected_spend(self, summary: CustomerSummary) -> FloatArray:
        """Expected value of a customer's future transaction, ``E[Z | x, mean spend]``.

        ``(γ + m x) p / (p x + q - 1)``: a weighted average of the population mean
        ``p γ / (q - 1)`` and the customer's own mean ``m``. Customers without repeat
        purchases get the population mean.
        """
        check_is_fitted(self, "params_", "expected_spend")
        summary = check_summary(summary)
        p, q, g = (self.params_[k] for k in self._names)
        x = summary.frequency
        m = summary.monetary_value if summary.monetary_value is not None else np.full(x.shape, np.nan)
        m = np.where((x > 0) & np.isfinite(m), m, 0.0)
        xx = np.where(x > 0, x, 0.0)
        if q > 1.0:
            return (g + m * xx) * p / (p * xx + q - 1.0)
        own = np.where(xx > 0, m, np.nan)
        fallback = float(np.nanmean(own)) if np.isfinite(own).any() else 0.0
        return np.where(xx > 0, m, fallback)

    def population_mean_spend(self) -> float:
        """``p γ / (q - 1)``, the mean transaction value across customers (inf when ``q <= 1``)."""
        check_is_fitted(self, "params_", "population_mean_spend")
        p, q, g = (self.params_[k] for k in self._names)
        return p * g / (q - 1.0) if q > 1 else math.inf

    def _repr_html_(self) -> str:
        if not hasattr(self, "params_"):
            return f"<pre>{self!r} (not fitted)</pre>"
        extra: dict[str, Any] = {
            "log-likelihood": f"{self.log_likelihood_:.2f}",
            "customers": self.n_customers_,
        }
        return params_repr_html("Gamma-Gamma", self.params_, self.standard_errors_, extra)

    def to_frame(self) -> Any:
        """Parameters and standard errors as a pandas DataFrame."""
        from distcrm._optional import import_optional

        check_is_fitted(self, "params_", "to_frame")
        pd = import_optional("pandas", feature="GammaGammaModel.to_frame")
        return pd.DataFrame(
            {"estimate": self.params_, "std_error": self.standard_errors_},
            index=pd.Index(self._names, name="parameter"),
        )
