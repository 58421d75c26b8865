"""The shared forecaster base, the ``Forecast`` result and the demand-distribution model.

Probabilistic forecasts
-----------------------
Every forecaster turns its point forecast ``mu`` into a predictive distribution per
series and horizon step. The variance ``v`` comes from the method's own one-step
in-sample errors (mean squared error of the fitted values, parameters at their final
values), times a horizon factor for methods whose uncertainty grows with the horizon
(random walks, trends).

* Panels of whole numbers (counts of units, the distributor's case) get a **negative
  binomial** with mean ``mu`` and variance ``max(v, mu)`` (Poisson when the in-sample
  errors show no over-dispersion). A count model puts a point mass at zero, so an
  intermittent series gets a lower bound of 0 and an honest upper bound; it never
  predicts negative or fractional demand. Negative binomial demand has been shown to
  fit car-part demand better than Croston's normal errors (Snyder, Ord & Beaumont
  2012, "Forecasting the intermittent demand for slow-moving inventories").
* Other panels get a normal distribution truncated at zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Self

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.data import DemandPanel
from distcrm.errors import FieldError, ValidationError

__all__ = ["BaseForecaster", "Forecast", "complete_series"]

FloatArray = npt.NDArray[np.float64]
Family = Literal["negbin", "normal"]


def complete_series(panel: DemandPanel) -> DemandPanel:
    """The series of ``panel`` that have no missing value.

    Forecasters reject NaN (see :class:`BaseForecaster`); this is the explicit way to
    set incomplete series aside (carparts has 81 series that stop early).

    Examples
    --------
    >>> p = DemandPanel.from_array([[0, 1, 2], [1, float("nan"), 1]])
    >>> complete_series(p).series_ids.tolist()
    ['0']
    """
    keep = ~np.isnan(panel.values).any(axis=1)
    return panel.take(np.flatnonzero(keep))


class BadValues(Exception):  # noqa: N818 - a signal inside fit, never seen by users
    """Raised by a forecaster's ``_fit`` that checks the values in its own pass over them
    (``_scans_values``) when it meets NaN or negative demand; ``fit`` then raises the
    :class:`ValidationError` of :func:`check_panel`, which names them."""


def values_ok(y: FloatArray) -> bool:
    """Whether ``y`` holds no NaN and no negative demand, in one pass: NaN propagates into
    the minimum, and the minimum shows negative demand."""
    return bool(float(y.min()) >= 0.0)


def check_panel(panel: Any, *, field: str = "panel", scan: bool = True) -> FloatArray:
    """The validated values of ``panel``: a DemandPanel with no NaN and no negative demand.

    ``scan=False`` checks the type only, for a caller that checks the values in a pass of
    its own (a forecaster whose ``_fit`` raises :class:`BadValues`).
    """
    if not isinstance(panel, DemandPanel):
        raise ValidationError.single(field, type(panel).__name__, "must be a distcrm.data.DemandPanel")
    y = panel.values
    if y.ndim != 2 or y.size == 0:  # DemandPanel.from_array rejects these; a hand-built panel may not
        raise ValidationError.single(
            f"{field}.values", y.shape, "must be a non-empty (series x periods) array"
        )
    if not scan:
        return y
    if values_ok(y):
        return y
    nan = np.isnan(y)
    if nan.any():
        rows, cols = np.nonzero(nan)
        errors = [
            FieldError(
                f"$.{field}.values[{panel.series_ids[i]!r}][{int(j)}]",
                "missing value (NaN): forecasters need complete series; "
                "use distcrm.forecast.complete_series(panel) or fill it explicitly",
                None,
            )
            for i, j in zip(rows[:10].tolist(), cols[:10].tolist(), strict=True)
        ]
        title = f"{int(nan.sum())} missing values in {int(nan.any(axis=1).sum())} series"
        raise ValidationError(errors, title=title)
    with np.errstate(invalid="ignore"):
        neg = y < 0
    if neg.any():  # DemandPanel.from_array rejects this; a hand-built panel may not have
        rows, cols = np.nonzero(neg)
        raise ValidationError(
            [
                FieldError(
                    f"$.{field}.values[{panel.series_ids[i]!r}][{int(j)}]",
                    "demand must be >= 0",
                    float(y[i, j]),
                )
                for i, j in zip(rows[:10].tolist(), cols[:10].tolist(), strict=True)
            ]
        )
    return y


def check_horizon(h: Any) -> int:
    """``h`` as a positive int, or a ValidationError naming ``h``."""
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h <= 0:
        raise ValidationError.single("h", h, "must be a positive integer")
    return int(h)


def check_fraction(name: str, value: Any, *, low: float = 0.0, high: float = 1.0) -> float:
    """A smoothing weight in ``(low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValidationError.single(name, value, "must be a number")
    v = float(value)
    if not (low < v <= high):
        raise ValidationError.single(name, value, f"must be in ({low}, {high}]")
    return v


def check_int(name: str, value: Any, *, low: int = 1) -> int:
    """An integer hyper-parameter ``>= low``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValidationError.single(name, value, f"must be an integer >= {low}")
    return int(value)


def residual_variance(y: FloatArray, fitted: FloatArray) -> FloatArray:
    """Per-series mean squared one-step error over the periods with a fitted value.

    Series with fewer than two fitted periods fall back to the variance of their
    history (0 for a constant history).
    """
    err = y - fitted
    ok = np.isfinite(err)
    cnt = ok.sum(axis=1)
    sq = np.where(ok, err * err, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mse = sq / cnt
    fallback = y.var(axis=1)
    out: FloatArray = np.where(cnt >= 2, mse, fallback)
    return out


def _is_count(y: FloatArray) -> bool:
    """Whether every value is a whole number (checked in blocks, stopping at the first fraction)."""
    step = 4096
    buf = np.empty((min(step, y.shape[0]), y.shape[1]))
    for lo in range(0, y.shape[0], step):
        blk = y[lo : lo + step]
        out = buf[: blk.shape[0]]
        np.floor(blk, out=out)
        np.subtract(blk, out, out=out)
        if out.any():
            return False
    return True


@attrs.frozen(eq=False, kw_only=True)
class Forecast:
    """Point and probabilistic forecasts of many series, ``h`` periods ahead.

    Attributes
    ----------
    mean
        ``(n_series, h)`` expected demand.
    variance
        ``(n_series, h)`` predictive variance per period.
    family
        ``"negbin"`` (count data: negative binomial, Poisson when not over-dispersed)
        or ``"normal"`` (normal truncated at 0).
    series_ids
        One key per row.
    periods
        The dates of the ``h`` future periods, or ``None``.
    method
        The method that produced each row (one name, or one per series for
        :class:`AutoForecaster`).

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> from distcrm.forecast import Croston
    >>> p = DemandPanel.from_array([[0, 2, 0, 0, 3, 0, 1, 0]])
    >>> fc = Croston().fit(p).predict(3)
    >>> fc.mean.shape
    (1, 3)
    >>> lo, hi = fc.interval(0.9)
    >>> bool((lo <= fc.mean).all() and (fc.mean <= hi).all())
    True
    """

    mean: FloatArray
    variance: FloatArray
    family: Family
    series_ids: npt.NDArray[np.object_]
    periods: npt.NDArray[np.datetime64] | None = None
    method: npt.NDArray[np.object_] = attrs.field(factory=lambda: np.array([], dtype=object))

    @property
    def h(self) -> int:
        """The horizon."""
        return int(self.mean.shape[1])

    @property
    def n_series(self) -> int:
        """The number of series."""
        return int(self.mean.shape[0])

    def quantiles(self, levels: Sequence[float] | FloatArray | float) -> FloatArray:
        """Quantiles of the predictive distribution, shape ``(n_series, h, len(levels))``.

        For count data the quantile is the smallest whole number ``q`` with
        ``P(Y <= q) >= level``.
        """
        lv = np.atleast_1d(np.asarray(levels, dtype=np.float64))
        if lv.ndim != 1 or lv.size == 0 or not np.all((lv > 0) & (lv < 1)):
            raise ValidationError.single("levels", np.asarray(levels).tolist(), "must be numbers in (0, 1)")
        return demand_quantiles(self.mean, self.variance, self.family, lv)

    def interval(self, level: float = 0.9) -> tuple[FloatArray, FloatArray]:
        """The prediction interval ``(lower, upper)``, each ``(n_series, h)``.

        Central for continuous demand; for counts see :func:`demand_interval` (the
        lower tail that a point mass at zero cannot use moves to the top).
        """
        if not isinstance(level, (int, float, np.floating)) or not 0 < float(level) < 1:
            raise ValidationError.single("level", level, "must be in (0, 1)")
        return demand_interval(self.mean, self.variance, self.family, float(level))

    def total(self, periods: int | None = None) -> Forecast:
        """The forecast of the demand summed over the first ``periods`` steps (lead-time demand).

        Per-period demands are treated as independent, so means and variances add.
        """
        k = self.h if periods is None else check_horizon(periods)
        if k > self.h:
            raise ValidationError.single("periods", k, f"must be <= the horizon {self.h}")
        return attrs.evolve(
            self,
            mean=self.mean[:, :k].sum(axis=1, keepdims=True),
            variance=self.variance[:, :k].sum(axis=1, keepdims=True),
            periods=None if self.periods is None else self.periods[:1],
        )

    def to_frame(self, levels: Sequence[float] = (0.05, 0.95)) -> Any:
        """A long pandas DataFrame: series_id, step, period, mean and the quantile columns."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="Forecast.to_frame")
        n, h = self.mean.shape
        data: dict[str, Any] = {
            "series_id": np.repeat(self.series_ids, h),
            "step": np.tile(np.arange(1, h + 1), n),
        }
        if self.periods is not None:
            data["period"] = np.tile(self.periods, n)
        data["mean"] = self.mean.ravel()
        if len(levels):
            q = self.quantiles(levels)
            for j, lv in enumerate(levels):
                data[f"q{lv:g}"] = q[..., j].ravel()
        if self.method.size == n:
            data["method"] = np.repeat(self.method, h)
        return pd.DataFrame(data)

    def _repr_html_(self) -> str:
        n, h = self.mean.shape
        rows = min(n, 8)
        lo, hi = self.interval(0.9)
        head = "".join(f"<th>{j + 1}</th>" for j in range(min(h, 12)))
        body = []
        for i in range(rows):
            cells = "".join(
                f"<td>{self.mean[i, j]:.3g} [{lo[i, j]:.3g}, {hi[i, j]:.3g}]</td>" for j in range(min(h, 12))
            )
            body.append(f"<tr><th>{self.series_ids[i]}</th>{cells}</tr>")
        more = f"<p>... {n - rows} more series</p>" if n > rows else ""
        methods = ", ".join(sorted({str(m) for m in self.method.tolist()})) if self.method.size else "?"
        return (
            f"<div><b>Forecast</b>: {n} series x {h} periods ({methods}); "
            f"mean [90% interval], {self.family}<table><tr><th>series</th>{head}</tr>"
            + "".join(body)
            + f"</table>{more}</div>"
        )

    def __repr__(self) -> str:
        return f"<Forecast: {self.n_series} series x {self.h} periods, {self.family}>"

    def plot(
        self,
        series: Any = None,
        ax: Any = None,
        *,
        history: DemandPanel | None = None,
        actual: DemandPanel | None = None,
        level: float = 0.9,
    ) -> Any:
        """Plot the forecasts with their interval for a few series (the first 4 by default).

        ``series`` is a series id, or a list of ids; ``history`` and ``actual`` add the
        observed demand before and during the horizon. Returns the matplotlib axes.
        """
        from distcrm.forecast._plot import plot_forecast

        return plot_forecast(self, series, ax, history=history, actual=actual, level=level)


def _count_params(
    mean: FloatArray, variance: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    mu = np.maximum(mean, 0.0)
    var = np.maximum(np.maximum(variance, 0.0), mu)
    over = (var > mu * (1.0 + 1e-9)) & (mu > 0)
    poi = (mu > 0) & ~over
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(over, mu / np.where(over, var, 1.0), 0.5)
        r = np.where(over, mu * p / (1.0 - p), 1.0)
    return mu, r, p, over, poi


def count_ppf(mean: FloatArray, variance: FloatArray, q: FloatArray) -> FloatArray:
    """Elementwise negative-binomial (Poisson when not over-dispersed) quantile; 0 where mean is 0."""
    from scipy import stats

    mean, variance, q = np.broadcast_arrays(mean, variance, q)
    mu, r, p, over, poi = _count_params(mean, variance)
    out = np.zeros(mu.shape)
    if poi.any():
        out[poi] = stats.poisson.ppf(q[poi], mu[poi])
    if over.any():
        out[over] = stats.nbinom.ppf(q[over], r[over], p[over])
    return out


def count_cdf(mean: FloatArray, variance: FloatArray, x: FloatArray) -> FloatArray:
    """Elementwise ``P(Y <= x)`` of the count model (1 for ``x >= 0`` where mean is 0)."""
    from scipy import stats

    mean, variance, x = np.broadcast_arrays(mean, variance, x)
    mu, r, p, over, poi = _count_params(mean, variance)
    out = np.where(x >= 0, 1.0, 0.0)
    if poi.any():
        out[poi] = stats.poisson.cdf(x[poi], mu[poi])
    if over.any():
        out[over] = stats.nbinom.cdf(x[over], r[over], p[over])
    return out


def demand_quantiles(
    mean: FloatArray, variance: FloatArray, family: Family, levels: FloatArray
) -> FloatArray:
    """Quantiles ``(…, len(levels))`` of the demand distribution with ``mean`` and ``variance``."""
    from scipy import special

    mu = np.maximum(mean, 0.0)[..., None]
    var = np.maximum(variance, 0.0)[..., None]
    lv = levels.reshape((1,) * mean.ndim + (-1,))
    if family == "normal":
        q = mu + np.sqrt(var) * special.ndtri(lv)
        out: FloatArray = np.maximum(q, 0.0)
        return out
    return count_ppf(mu, var, lv)


def demand_interval(
    mean: FloatArray, variance: FloatArray, family: Family, level: float
) -> tuple[FloatArray, FloatArray]:
    """The prediction interval holding at least ``level`` probability.

    Normal: the central interval. Counts: the lower end is the ``(1-level)/2``
    quantile; the upper end is the smallest count with ``P(lower <= Y <= upper) >=
    level``. When the lower end is 0 (the usual case for intermittent demand, where
    ``P(Y = 0)`` exceeds the lower tail) the unused lower tail moves to the top, so the
    interval is ``[0, q_level]`` instead of an equal-tailed ``[0, q_(1+level)/2]`` that
    would cover far more than ``level``.
    """
    a = (1.0 - level) / 2.0
    if family == "normal":
        q = demand_quantiles(mean, variance, family, np.array([a, 1.0 - a]))
        return q[..., 0], q[..., 1]
    lo = count_ppf(mean, variance, np.full(mean.shape, a))
    below = np.where(lo > 0, count_cdf(mean, variance, lo - 1.0), 0.0)
    hi = count_ppf(mean, variance, np.minimum(below + level, 1.0 - 1e-12))
    return lo, np.maximum(hi, lo)


class BaseForecaster(BaseEstimator):
    """The forecaster contract: ``fit(panel)`` returns ``self``; ``predict(h)`` a :class:`Forecast`.

    Subclasses implement ``_fit(y)`` (``y`` is the validated ``(n_series, n_periods)``
    array; a subclass that sets ``_scans_values`` checks it for NaN and negative demand
    in its own pass and raises :class:`BadValues`) setting learned ``*_`` attributes and
    ``fitted_`` (one-step in-sample fitted values, NaN where there is none) or overriding
    ``_variance(y)``, and ``_mean(h)`` (a new array); ``_horizon_factor(h)`` scales the
    one-step variance by step.

    NaN policy: a panel with any missing value is rejected with a ``ValidationError``
    naming each series and period; set such series aside with
    :func:`complete_series` or fill them explicitly.
    """

    #: minimum number of periods ``fit`` needs
    _min_periods: int = 1
    #: ``_fit`` checks for NaN and negative demand in its own pass over the values and
    #: raises :class:`BadValues` on meeting them (``fit`` then skips its separate scan)
    _scans_values: bool = False

    def fit(self, panel: DemandPanel) -> Self:
        """Learn from ``panel`` (a :class:`~distcrm.data.DemandPanel` with no NaN)."""
        y = check_panel(panel, scan=not self._scans_values)
        self._check_params()
        need = self._needed_periods()
        if y.shape[1] < need:
            raise ValidationError.single(
                "panel.n_periods",
                y.shape[1],
                f"{type(self).__name__} needs at least {need} periods of history",
            )
        try:
            self._fit(y)
        except BadValues:
            check_panel(panel)  # raises the error that names each value
            raise AssertionError("BadValues raised on values that check_panel accepts") from None
        self.series_ids_ = panel.series_ids
        self.n_periods_ = y.shape[1]
        self._panel_ = panel
        hint = getattr(self, "_count_hint", None)  # set by _fit when it has already looked
        self.count_data_ = _is_count(y) if hint is None else bool(hint)
        self.sigma2_ = self._variance(y)
        return self

    def predict(self, h: int) -> Forecast:
        """Forecast ``h`` periods ahead."""
        check_is_fitted(self, "series_ids_", "predict")
        h = check_horizon(h)
        mean = self._mean(h)  # a new array (see _mean): clipped in place
        np.maximum(mean, 0.0, out=mean)
        # the variance grows with the step only for some methods; a (series x h) broadcast
        # product costs four times a repeat (a pass per series of h values)
        factor = self._horizon_factor(h)
        var = np.repeat(self.sigma2_[:, None], h, axis=1)
        if factor.shape != (1, h) or not bool((factor == 1.0).all()):
            var *= factor
        family: Family = "negbin" if self.count_data_ else "normal"
        method = np.empty(mean.shape[0], dtype=object)
        method.fill(type(self).__name__)  # np.full converts the string once per element: 20x slower
        return Forecast(
            mean=mean,
            variance=var,
            family=family,
            series_ids=self.series_ids_,
            periods=self._panel_.future_periods(h),
            method=method,
        )

    def fit_predict(self, panel: DemandPanel, h: int) -> Forecast:
        """``fit(panel).predict(h)``."""
        return self.fit(panel).predict(h)

    # -- hooks -------------------------------------------------------------------------
    def _check_params(self) -> None:
        """Validate the hyper-parameters (raise ValidationError naming them)."""

    def _needed_periods(self) -> int:
        return self._min_periods

    def _fit(self, y: FloatArray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _mean(self, h: int) -> FloatArray:  # pragma: no cover - abstract
        """The ``(n_series, h)`` point forecasts, in a new array (``predict`` clips it in place)."""
        raise NotImplementedError

    def _variance(self, y: FloatArray) -> FloatArray:
        """One-step predictive variance per series: the mean squared in-sample error."""
        fitted = getattr(self, "fitted_", None)
        return residual_variance(y, fitted) if fitted is not None else y.var(axis=1)

    def _horizon_factor(self, h: int) -> FloatArray:
        return np.ones((1, h))


def flat(level: FloatArray, h: int) -> FloatArray:
    """Repeat one value per series over ``h`` steps."""
    return np.repeat(level[:, None], h, axis=1)
