"""The common shape of the purchase models (BG/NBD, MBG/NBD, Pareto/NBD)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.data import CustomerSummary
from distcrm.errors import ValidationError
from distcrm.forecast._purchase._base import (
    as_horizon,
    check_positive,
    check_summary,
    minimize,
    month_in_units,
    newton,
    params_repr_html,
    standard_errors,
    standard_errors_from_hessian,
    warn_degenerate,
)
from distcrm.forecast._purchase._rows import Rows

if TYPE_CHECKING:
    from distcrm.forecast._purchase._results import HoldoutEvaluation, PurchaseForecast

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class PurchaseModelBase(BaseEstimator):
    """Fitting and the predictions every purchase model shares.

    Subclasses define ``_names``, ``_loglik`` (total weighted log-likelihood and its
    gradient in natural parameters), ``_initial``, ``_log_odds_dead``,
    ``_expected_alive`` and ``_pmf_alive``.
    """

    _names: ClassVar[tuple[str, ...]] = ()
    _model_name: ClassVar[str] = ""

    params_: dict[str, float]
    standard_errors_: dict[str, float]
    covariance_: FloatArray
    log_likelihood_: float
    n_customers_: int
    n_iter_: int
    converged_: bool
    degenerate_: tuple[str, ...]
    time_unit_: str

    def __init__(self, *, penalizer: float = 0.0, max_iter: int = 2000, tol: float = 1e-12) -> None:
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.tol = tol

    # -- fitting -----------------------------------------------------------------------
    #: Whether ``_loglik`` returns an analytic Hessian (``order == 2``): then the fit is a
    #: damped Newton iteration and the standard errors come with it.
    _hessian: ClassVar[bool] = False
    #: Above this many compressed rows, start from a fit on a random subset of them.
    _subsample_above: ClassVar[int] = 60_000
    _subsample_size: ClassVar[int] = 20_000

    def _loglik(self, p: FloatArray, rows: Rows, order: int) -> tuple[float, FloatArray, FloatArray]:
        raise NotImplementedError

    def _initial(self, rows: Rows) -> FloatArray:
        raise NotImplementedError

    def _degenerate(self, p: FloatArray) -> list[str]:
        return []

    def _objective(
        self, rows: Rows, pen: float, last: dict[str, Any] | None = None
    ) -> Callable[[FloatArray, int], tuple[float, FloatArray, FloatArray]]:
        """Mean negative log-likelihood plus the penalty, in log-parameters, with derivatives.

        ``last`` (if given) keeps the most recent second-order evaluation, so the fit can
        reuse the log-likelihood and Hessian at the optimum.
        """
        n = rows.n

        def fgh(theta: FloatArray, order: int) -> tuple[float, FloatArray, FloatArray]:
            p = np.exp(theta)
            with np.errstate(all="ignore"):
                ll, g, H = self._loglik(p, rows, order)
            if last is not None and order == 2:
                last.update(theta=theta.copy(), ll=ll, H=H)
            f = -ll / n + pen * float(p @ p)
            if not math.isfinite(f):
                return math.inf, np.zeros_like(theta), np.zeros((theta.size, theta.size))
            if order == 0:
                return f, g, H
            gp = -g / n + 2 * pen * p  # gradient in natural parameters
            gt = gp * p
            if order == 1:
                return f, gt, H
            Hp = -H / n + 2 * pen * np.eye(p.size)
            Ht = Hp * np.outer(p, p) + np.diag(gt)
            return f, gt, Ht

        return fgh

    def _optimise(
        self, rows: Rows, pen: float, x0: FloatArray, last: dict[str, Any]
    ) -> tuple[FloatArray, bool, int, str]:
        fgh = self._objective(rows, pen, last)
        if self._hessian:
            if rows.x.shape[0] > self._subsample_above:
                # a cheap start: the fit on a random subset is within sampling error of the
                # full-data optimum, so a few full-data Newton steps finish the job
                sub = self._objective(rows.subsample(self._subsample_size), pen)
                x_sub, ok, _, _ = newton(sub, x0, max_iter=self.max_iter, tol=max(self.tol, 1e-9))
                if ok:
                    x0 = x_sub
            res = newton(fgh, x0, max_iter=min(self.max_iter, 200), tol=self.tol)
            if res[1]:
                return res
            x0 = res[0] if math.isfinite(fgh(res[0], 0)[0]) else x0

        def objective(theta: FloatArray) -> tuple[float, FloatArray]:
            f, g, _ = fgh(theta, 1)
            return (1e300, np.zeros_like(theta)) if not math.isfinite(f) else (f, g)

        best = minimize(objective, x0, max_iter=self.max_iter, tol=self.tol)
        if not best[1]:  # a second start from a neutral point
            alt = minimize(objective, np.zeros_like(x0), max_iter=self.max_iter, tol=self.tol)
            if objective(alt[0])[0] < objective(best[0])[0]:
                best = alt
        return best

    def fit(self, summary: CustomerSummary) -> Self:
        """Fit by maximum likelihood on ``summary`` (frequency, recency, T).

        Identical ``(x, t_x, T)`` rows are evaluated once with a weight. The objective is
        the mean negative log-likelihood plus ``penalizer * sum(params ** 2)``, minimised
        over log-parameters by damped Newton with the analytic Hessian (on large data
        started from a fit on a random subset of 20,000 rows); L-BFGS-B with the
        analytic gradient is the fallback if Newton does not converge. Standard errors
        come from the same Hessian at the optimum.

        Raises
        ------
        ValidationError
            A bad hyper-parameter, or ``summary`` that is not a non-empty ``CustomerSummary``.
        """
        summary = check_summary(summary)
        pen = check_positive("penalizer", self.penalizer, allow_zero=True)
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, int) or self.max_iter < 1:
            raise ValidationError.single("max_iter", self.max_iter, "must be an integer >= 1")
        check_positive("tol", self.tol)
        rows = Rows.from_summary(summary)
        n = rows.n
        x0 = np.log(self._initial(rows))
        last: dict[str, Any] = {}
        theta, success, nit, message = self._optimise(rows, pen, x0, last)
        p = np.exp(theta)
        if self._hessian and "theta" in last and np.array_equal(last["theta"], theta):
            ll, H = last["ll"], last["H"]
        else:
            with np.errstate(all="ignore"):
                ll, _, H = self._loglik(p, rows, 2 if self._hessian else 0)
        self.params_ = dict(zip(self._names, (float(v) for v in p), strict=True))
        self.log_likelihood_ = float(ll)
        self.n_customers_ = len(summary)
        self.n_iter_ = nit
        self.converged_ = success
        self.time_unit_ = summary.time_unit

        if self._hessian:
            se, cov = standard_errors_from_hessian(-H + 2 * pen * n * np.eye(p.size), self._names)
        else:

            def grad_total(q: FloatArray) -> FloatArray:
                with np.errstate(all="ignore"):
                    _, g, _ = self._loglik(q, rows, 1)
                return -g + 2 * pen * n * q

            se, cov = standard_errors(grad_total, p, self._names)
        self.standard_errors_ = se
        self.covariance_ = cov
        extra = self._degenerate(p)
        if not all(math.isfinite(v) for v in se.values()):
            extra.append("the Hessian is singular (standard errors are NaN)")
        self.degenerate_ = tuple(
            warn_degenerate(self._model_name, self._names, theta, success, message, extra)
        )
        return self

    # -- model-specific predictive pieces ------------------------------------------------
    def _log_odds_dead(self, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _expected_alive(self, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _pmf_alive(self, k: int, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _p(self) -> FloatArray:
        return np.array([self.params_[k] for k in self._names])

    def _arrays(
        self, summary: CustomerSummary | None, method: str
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        check_is_fitted(self, "params_", method)
        if summary is None:
            z = np.zeros(1)
            return z, z, z
        summary = check_summary(summary)
        if summary.time_unit != self.time_unit_:
            raise ValidationError.single(
                "summary.time_unit",
                summary.time_unit,
                f"must match the unit the model was fitted in ({self.time_unit_!r})",
            )
        return summary.frequency, summary.recency, summary.T

    # -- public predictions --------------------------------------------------------------
    def p_alive(self, summary: CustomerSummary) -> FloatArray:
        """Probability that each customer is still active at the end of calibration (``T``)."""
        x, tx, T = self._arrays(summary, "p_alive")
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            lod = self._log_odds_dead(x, tx, T)
            out = 1.0 / (1.0 + np.exp(np.minimum(lod, 700.0)))
        return np.where(np.isnan(out), 0.0, out)

    def churn_risk(self, summary: CustomerSummary, threshold: float = 0.5) -> BoolArray:
        """``True`` for customers whose P(alive) is below ``threshold`` (at risk of having churned)."""
        thr = check_positive("threshold", threshold)
        if thr > 1:
            raise ValidationError.single("threshold", threshold, "must be in (0, 1]")
        return self.p_alive(summary) < thr

    def expected_purchases(self, t: Any, summary: CustomerSummary | None = None) -> FloatArray:
        """Expected number of repeat purchases in the next ``t`` time units.

        With ``summary``, conditional on each customer's history (``E[Y(t) | x, t_x, T]``);
        without, for a new customer (``E[X(t)]``), one value.
        """
        x, tx, T = self._arrays(summary, "expected_purchases")
        tt = as_horizon(t, x.shape[0])
        with np.errstate(all="ignore"):
            out = self.p_alive_arrays(x, tx, T) * self._expected_alive(tt, x, T)
        return out

    def p_alive_arrays(self, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
        """P(alive) on raw arrays (no validation)."""
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            lod = self._log_odds_dead(x, tx, T)
            out = 1.0 / (1.0 + np.exp(np.minimum(lod, 700.0)))
        return np.where(np.isnan(out), 0.0, out)

    def probability_of_purchases(self, k: int, t: Any, summary: CustomerSummary | None = None) -> FloatArray:
        """Probability of exactly ``k`` purchases in the next ``t`` time units.

        With ``summary`` conditional on each customer's history, otherwise for a new customer.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ValidationError.single("k", k, "must be an integer >= 0")
        x, tx, T = self._arrays(summary, "probability_of_purchases")
        tt = as_horizon(t, x.shape[0])
        pa = self.p_alive_arrays(x, tx, T)
        with np.errstate(all="ignore"):
            alive = self._pmf_alive(int(k), tt, x, T)
        out = pa * alive + (1.0 - pa) * (1.0 if k == 0 else 0.0)
        return np.clip(out, 0.0, 1.0)

    def clv(
        self,
        summary: CustomerSummary,
        *,
        spend: Any,
        horizon: int = 12,
        discount_rate: float = 0.01,
        margin: float = 1.0,
        period: float | None = None,
    ) -> FloatArray:
        """Customer lifetime value: discounted expected margin over ``horizon`` periods.

        ``CLV = sum_{i=1..horizon} (E[Y(i P)] - E[Y((i-1) P)]) * spend * margin / (1 + d)^i``
        with ``P = period`` time units (default one month in the summary's unit) and
        ``d = discount_rate`` per period. ``spend`` is the expected value per purchase:
        an array (one per customer), a number, or a fitted :class:`GammaGammaModel`.
        """
        x, tx, T = self._arrays(summary, "clv")
        n = x.shape[0]
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise ValidationError.single("horizon", horizon, "must be an integer >= 1")
        d = check_positive("discount_rate", discount_rate, allow_zero=True)
        mg = check_positive("margin", margin, allow_zero=True)
        per = month_in_units(self.time_unit_) if period is None else check_positive("period", period)
        if hasattr(spend, "expected_spend"):
            m = np.asarray(spend.expected_spend(summary), dtype=np.float64)
        else:
            m = np.broadcast_to(np.asarray(spend, dtype=np.float64), (n,))
            if m.shape != (n,) or not np.all(np.isfinite(m)) or np.any(m < 0):
                raise ValidationError.single(
                    "spend", "array", f"must be finite, >= 0, one value per customer ({n})"
                )
        pa = self.p_alive_arrays(x, tx, T)
        total = np.zeros(n)
        prev = np.zeros(n)
        with np.errstate(all="ignore"):
            for i in range(1, int(horizon) + 1):
                cur = pa * self._expected_alive(np.full(n, i * per), x, T)
                total += (cur - prev) / (1.0 + d) ** i
                prev = cur
        return total * m * mg

    def predict(
        self, summary: CustomerSummary, t: float, *, churn_threshold: float = 0.5
    ) -> PurchaseForecast:
        """Expected purchases in ``t``, P(alive) and the churn-risk flag, as one result."""
        from distcrm.forecast._purchase._results import PurchaseForecast

        e = self.expected_purchases(t, summary)
        pa = self.p_alive(summary)
        return PurchaseForecast(
            customer_ids=summary.customer_ids,
            horizon=float(t),
            expected_purchases=e,
            p_alive=pa,
            churn_risk=pa < check_positive("churn_threshold", churn_threshold),
            model=type(self).__name__,
            time_unit=self.time_unit_,
        )

    def evaluate(self, summary: CustomerSummary, *, max_bucket: int = 7) -> HoldoutEvaluation:
        """Compare predictions with the holdout period attached to ``summary``.

        Returns predicted vs actual repeat purchases per calibration-frequency bucket
        (``0 .. max_bucket`` with the last bucket open), the aggregate error and the
        mean absolute error per customer.
        """
        from distcrm.forecast._purchase._results import HoldoutEvaluation

        summary = check_summary(summary)
        if summary.frequency_holdout is None or summary.duration_holdout is None:
            raise ValidationError.single(
                "summary.frequency_holdout", None, "is needed to evaluate (a holdout period)"
            )
        pred = self.expected_purchases(summary.duration_holdout, summary)
        return HoldoutEvaluation.build(
            summary.frequency, summary.frequency_holdout, pred, max_bucket=max_bucket
        )

    def frequency_recency_matrix(
        self,
        *,
        kind: str = "expected",
        t: float = 1.0,
        max_frequency: int | None = None,
        max_T: float | None = None,
    ) -> FloatArray:
        """Matrix over frequency (rows) × recency (columns 0..T) of expected purchases or P(alive)."""
        check_is_fitted(self, "params_", "frequency_recency_matrix")
        if kind not in ("expected", "p_alive"):
            raise ValidationError.single("kind", kind, "must be 'expected' or 'p_alive'")
        fmax = int(max_frequency if max_frequency is not None else 30)
        Tm = float(max_T if max_T is not None else 52.0)
        xs = np.arange(fmax + 1, dtype=np.float64)
        rs = np.linspace(0.0, Tm, 60)
        X, R = np.meshgrid(xs, rs, indexing="ij")
        Tt = np.full(X.size, Tm)
        x, tx = X.ravel(), R.ravel()
        tx = np.where(x == 0, 0.0, tx)
        pa = self.p_alive_arrays(x, tx, Tt)
        if kind == "p_alive":
            return pa.reshape(X.shape)
        with np.errstate(all="ignore"):
            return (pa * self._expected_alive(np.full(X.size, t), x, Tt)).reshape(X.shape)

    def plot_frequency_recency(
        self,
        *,
        kind: str = "expected",
        t: float = 1.0,
        max_frequency: int | None = None,
        max_T: float | None = None,
        ax: Any = None,
    ) -> Any:
        """Heatmap of :meth:`frequency_recency_matrix` (needs the ``plot`` extra)."""
        from distcrm.forecast._purchase._results import plot_matrix

        fmax = int(max_frequency if max_frequency is not None else 30)
        Tm = float(max_T if max_T is not None else 52.0)
        mat = self.frequency_recency_matrix(kind=kind, t=t, max_frequency=fmax, max_T=Tm)
        title = f"Expected purchases in next {t:g} {self.time_unit_}" if kind == "expected" else "P(alive)"
        return plot_matrix(mat, Tm, title, ax)

    # -- display -------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        if not hasattr(self, "params_"):
            return f"<pre>{self!r} (not fitted)</pre>"
        extra: dict[str, Any] = {
            "log-likelihood": f"{self.log_likelihood_:.2f}",
            "customers": self.n_customers_,
            "converged": self.converged_,
        }
        if self.degenerate_:
            extra["warnings"] = "; ".join(self.degenerate_)
        return params_repr_html(self._model_name, self.params_, self.standard_errors_, extra)

    def to_frame(self) -> Any:
        """Parameters and standard errors as a pandas DataFrame."""
        from distcrm._optional import import_optional

        check_is_fitted(self, "params_", "to_frame")
        pd = import_optional("pandas", feature=f"{type(self).__name__}.to_frame")
        return pd.DataFrame(
            {"estimate": self.params_, "std_error": self.standard_errors_},
            index=pd.Index(self._names, name="parameter"),
        )


def warn_small(name: str, value: float, limit: float, what: str) -> list[str]:
    """A reason string when ``value < limit``."""
    if value < limit:
        return [f"{name}={value:.3g} is near 0 ({what})"]
    return []


__all__ = ["PurchaseModelBase", "warn_small"]
