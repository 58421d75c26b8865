"""A seasonal purchase-rate index for the stationary purchase models.

BG/NBD, MBG/NBD and Pareto/NBD assume each customer's purchase rate is constant in
calendar time. A business with a strong season (a gift wholesaler before Christmas)
breaks that: calibrated in spring and summer, the models under-predict the autumn.

:class:`SeasonalPurchaseModel` multiplies the rate by an index ``η(d)`` of the calendar
day, estimated from the customer base's own history. Each calendar week's repeat
purchases are compared with what the same customers would make at a constant rate:
each customer's posterior mean rate ``E[λ | x, t_x, T] = (r + x) / (α + T_eff)`` times
the days of that week they were under observation (after their first purchase; the
time after their last purchase counted with P(alive)). Using each customer's own rate
keeps the mix of customers out of the index: the growing base and the heavy buyers
who show up in the first weeks of a log do not pass for season. ``log η`` is an annual
Fourier series (``harmonics``) fitted by Poisson regression with the expected counts as
offset and recent weeks weighted more (``half_life``). Weeks with less than
``closure_threshold`` of the typical activity (a Christmas shutdown) are closures and
left out. A customer's forecast is the stationary forecast times
``mean η over the forecast window / mean η over the customer's own history``: the
model's rate is the customer's average over their own history, rescaled to the
season ahead.
"""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.data import CustomerSummary, TransactionLog
from distcrm.errors import ConvergenceWarning, ValidationError
from distcrm.forecast._purchase._base import as_horizon, check_positive, check_summary
from distcrm.forecast._purchase._model import PurchaseModelBase

__all__ = ["SeasonalPurchaseModel"]

FloatArray = npt.NDArray[np.float64]

_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25, "h": 1 / 24}
_OMEGA = 2 * math.pi / 365.25


def _design(day: FloatArray, harmonics: int) -> FloatArray:
    cols = [np.ones_like(day)]
    for h in range(1, harmonics + 1):
        cols += [np.cos(h * _OMEGA * day), np.sin(h * _OMEGA * day)]
    return np.stack(cols, axis=1)


class SeasonalPurchaseModel(BaseEstimator):
    """A purchase model with a calendar purchase-rate index estimated from the log.

    Parameters
    ----------
    model
        An unfitted purchase model (``BetaGeoModel()`` by default).
    harmonics
        Number of annual Fourier terms in ``log η`` (2 = a yearly wave and its half-year
        overtone, enough for a peak before Christmas).
    half_life
        Weeks after which a calibration week counts half in the index fit (recent
        weeks weigh more); ``None`` weighs every week equally.
    closure_threshold
        Weeks whose activity is below this fraction of the typical week are closures.

    Examples
    --------
    >>> from distcrm.data import TransactionLog
    >>> log = TransactionLog.from_arrays(customer=["a", "a", "b", "b", "a", "c"],
    ...     timestamp=["2024-01-02", "2024-02-10", "2024-01-05", "2024-03-01", "2024-04-01", "2024-02-01"])
    >>> s = log.summary(unit="D", calibration_end="2024-03-15", monetary=None)
    >>> s.first_purchase is not None
    True

    See ``examples/online_retail_seasonality.py`` for a full evaluation.
    """

    coef_: FloatArray
    closures_: npt.NDArray[np.datetime64]
    weekly_: dict[str, Any]
    model_: PurchaseModelBase

    def __init__(
        self,
        model: PurchaseModelBase | None = None,
        *,
        harmonics: int = 2,
        half_life: float | None = 26.0,
        closure_threshold: float = 0.25,
    ) -> None:
        self.model = model
        self.harmonics = harmonics
        self.half_life = half_life
        self.closure_threshold = closure_threshold

    def fit(self, summary: CustomerSummary, log: TransactionLog) -> Self:
        """Fit the stationary model on ``summary`` and the index on the calibration part of ``log``.

        ``summary`` must come from ``log.summary(..., calibration_end=...)`` (it needs
        ``first_purchase`` and ``calibration_end``); purchases are counted as distinct
        days.
        """
        from distcrm._estimator import clone
        from distcrm.forecast._purchase._betageo import BetaGeoModel

        summary = check_summary(summary)
        if (
            isinstance(self.harmonics, bool)
            or not isinstance(self.harmonics, int)
            or not 0 <= self.harmonics <= 6
        ):
            raise ValidationError.single("harmonics", self.harmonics, "must be an integer in 0..6")
        thr = check_positive("closure_threshold", self.closure_threshold, allow_zero=True)
        half_life = None if self.half_life is None else check_positive("half_life", self.half_life)
        if summary.first_purchase is None or summary.calibration_end is None:
            raise ValidationError.single(
                "summary.first_purchase",
                None,
                "is needed: build the summary with TransactionLog.summary(calibration_end=...)",
            )
        if not isinstance(log, TransactionLog):
            raise ValidationError.single("log", type(log).__name__, "must be a distcrm.data.TransactionLog")
        base = BetaGeoModel() if self.model is None else clone(self.model)
        assert isinstance(base, PurchaseModelBase)
        self.model_ = base.fit(summary)

        cal_end = int(summary.calibration_end.astype("datetime64[D]").astype(np.int64))
        first = summary.first_purchase.astype("datetime64[D]").astype(np.int64)
        start = int(first.min())
        n_weeks = (cal_end - start) // 7 + 1
        edges = np.minimum(start + 7 * np.arange(n_weeks + 1), cal_end + 1).astype(np.float64)

        # actual repeat purchase days per week, of the summary's customers
        codes = log.customer_index(summary.customer_ids)
        day = log.timestamp.astype("datetime64[D]").astype(np.int64)
        keep_rows = day <= cal_end
        pos = np.full(log.customer_ids.shape[0], -1, dtype=np.int64)
        pos[codes] = np.arange(codes.shape[0])
        cust = pos[log.customer[keep_rows]]
        d = day[keep_rows]
        ok = cust >= 0
        key = np.unique(cust[ok] * 1_000_000 + (d[ok] - start))
        kc, kd = key // 1_000_000, key % 1_000_000 + start
        repeat = kd > first[kc]
        actual = np.bincount(((kd[repeat] - start) // 7).astype(np.intp), minlength=n_weeks)[:n_weeks].astype(
            float
        )

        expected = self._expected_weekly(summary, first, edges)
        mid = 0.5 * (edges[:-1] + edges[1:])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = actual / expected
        typical = float(np.nanmedian(ratio[expected > 0])) if (expected > 0).any() else 1.0
        open_week = (expected > 0) & (ratio >= thr * typical)
        X = _design(mid, self.harmonics)
        age = (n_weeks - 1 - np.arange(n_weeks)).astype(np.float64)
        wts = open_week * (1.0 if half_life is None else 0.5 ** (age / half_life))
        beta = np.zeros(X.shape[1])
        beta[0] = math.log(max(actual[open_week].sum(), 1e-9) / max(expected[open_week].sum(), 1e-9))
        converged = False
        for _ in range(50):  # weighted Poisson regression with offset log(expected): Newton steps
            mu = expected * np.exp(X @ beta) * wts
            g = X.T @ (actual * wts - mu)
            H = (X * mu[:, None]).T @ X + 1e-9 * np.eye(X.shape[1])
            step = np.linalg.solve(H, g)
            beta = beta + step
            if np.abs(step).max() < 1e-10:
                converged = True
                break
        if not converged or not np.all(np.isfinite(beta)) or open_week.sum() < 2 * X.shape[1] + 2:
            import warnings

            warnings.warn(
                "SeasonalPurchaseModel: too little history for the seasonal index; using a flat index",
                ConvergenceWarning,
                stacklevel=2,
            )
            beta = np.zeros(X.shape[1])
        self.coef_ = beta
        self.closures_ = (start + 7 * np.flatnonzero(~open_week & (expected > 0))).astype("datetime64[D]")
        self.weekly_ = {
            "week_start": (start + 7 * np.arange(n_weeks)).astype("datetime64[D]"),
            "actual": actual,
            "expected": expected,
            "index": np.exp(_design(mid, self.harmonics) @ beta),
        }
        self._start = start
        self._cal_end = cal_end
        return self

    def _expected_weekly(
        self, summary: CustomerSummary, first: npt.NDArray[np.int64], edges: FloatArray
    ) -> FloatArray:
        """Repeat purchases per week the customers would make at their own constant rate.

        Per customer: posterior mean rate ``(r + x) / (α + T_eff)`` with
        ``T_eff = t_x + P(alive) (T - t_x)``, times the days of each week between the day
        after the first purchase and the end of calibration, the days after the last
        purchase weighted by P(alive). Customers are pooled by start day, so the cost is
        (days × weeks), not (customers × weeks).
        """
        per_day = _DAYS[summary.time_unit]
        x, tx, T = summary.frequency, summary.recency, summary.T
        pa = self.model_.p_alive_arrays(x, tx, T)
        params = self.model_.params_
        t_eff = tx + pa * (T - tx)
        if "r" in params and "alpha" in params:
            rate = (params["r"] + x) / (params["alpha"] + t_eff)
        else:
            rate = x / np.maximum(t_eff, 1e-9)
        rate = rate / per_day  # per day
        start = first.astype(np.float64) + 1.0
        last = start + np.rint(tx * per_day)
        end = edges[-1]

        def pooled(day: FloatArray, weight: FloatArray) -> FloatArray:
            # sum_i weight_i * |[day_i, end) ∩ week|, pooled by day
            ud, inv = np.unique(day, return_inverse=True)
            wsum = np.bincount(inv.reshape(-1), weights=weight, minlength=ud.shape[0])
            lo = np.maximum(edges[None, :-1], ud[:, None])
            hi = np.minimum(edges[None, 1:], end)
            return np.asarray(wsum @ np.clip(hi - lo, 0.0, None), dtype=np.float64)

        # alive for sure until the last purchase, then with probability P(alive)
        return pooled(start, rate) - pooled(last, rate * (1.0 - pa))

    def index(self, dates: Any) -> FloatArray:
        """The purchase-rate index ``η`` on the given dates (1 = the calibration-period level)."""
        check_is_fitted(self, "coef_", "index")
        d = np.asarray(dates, dtype="datetime64[D]").astype(np.int64).astype(np.float64)
        return np.asarray(
            np.exp(_design(np.atleast_1d(d), self.harmonics) @ self.coef_) / math.exp(self.coef_[0])
        )

    def _mean_index(self, lo: FloatArray, hi: FloatArray) -> FloatArray:
        """Mean of ``η`` over ``[lo, hi]`` (days), in closed form for the Fourier series."""
        b = self.coef_
        grid = np.linspace(0.0, 1.0, 65)
        span = np.maximum(hi - lo, 0.0)
        days = lo[:, None] + span[:, None] * grid[None, :]
        vals = np.exp(_design(days.ravel(), self.harmonics) @ b).reshape(days.shape)
        w = np.full(65, 1.0)
        w[0] = w[-1] = 0.5
        out: FloatArray = (vals @ w) / w.sum()
        return out

    def adjustment(self, t: Any, summary: CustomerSummary) -> FloatArray:
        """Per-customer factor applied to the stationary forecast over the next ``t`` units."""
        check_is_fitted(self, "coef_", "adjustment")
        summary = check_summary(summary)
        if summary.first_purchase is None:
            raise ValidationError.single(
                "summary.first_purchase", None, "is needed for the seasonal adjustment"
            )
        n = len(summary)
        tt = as_horizon(t, n) * _DAYS[summary.time_unit]
        end = (
            float(
                self._cal_end
                if summary.calibration_end is None
                else summary.calibration_end.astype("datetime64[D]").astype(np.int64)
            )
            + 1.0
        )
        first = summary.first_purchase.astype("datetime64[D]").astype(np.int64).astype(np.float64)
        future = self._mean_index(np.full(n, end), end + tt)
        past = self._mean_index(first, np.full(n, end))
        return future / past

    def expected_purchases(self, t: Any, summary: CustomerSummary) -> FloatArray:
        """Seasonally adjusted expected repeat purchases in the next ``t`` units."""
        check_is_fitted(self, "coef_", "expected_purchases")
        return self.model_.expected_purchases(t, summary) * self.adjustment(t, summary)

    def evaluate(self, summary: CustomerSummary, *, max_bucket: int = 7) -> Any:
        """Predicted vs actual holdout purchases, as :meth:`BetaGeoModel.evaluate`."""
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

    def plot(self, ax: Any = None) -> Any:
        """Weekly actual/expected repeat purchases of the calibration period and the fitted index."""
        from distcrm.forecast._purchase._results import _axes

        check_is_fitted(self, "coef_", "plot")
        ax = _axes(ax, "SeasonalPurchaseModel.plot")
        wk = self.weekly_
        with np.errstate(divide="ignore", invalid="ignore"):
            ax.plot(
                wk["week_start"],
                wk["actual"] / wk["expected"],
                marker=".",
                linestyle="",
                label="actual / expected",
            )
        ahead = np.arange(self._start, self._cal_end + 120, 3).astype("datetime64[D]")
        ax.plot(ahead, self.index(ahead) * math.exp(self.coef_[0]), label="fitted index")
        ax.axvline(np.datetime64(self._cal_end, "D"), color="grey", linestyle=":")
        ax.set_ylabel("purchase-rate index")
        ax.legend()
        return ax
