"""Intermittent-demand methods: Croston, SBA, optimised Croston, TSB, ADIDA, IMAPA.

Point forecasts reproduce statsforecast 2.x (``_croston_classic``, ``_croston_sba``,
``_croston_optimized``, ``_tsb``, ``_adida``, ``_imapa``) to rounding:

* simple exponential smoothing starts at the first value of what it smooths;
* the first inter-demand interval is counted from the start of the series
  (a first demand in period 3 is an interval of 3);
* SBA is 0.95 x Croston with alpha = 0.1;
* the optimised variants pick alpha in [0.1, 0.3] by golden-section search of the
  in-sample squared error, exactly as statsforecast does;
* TSB smooths the demand probability every period and the size only in demand periods;
* ADIDA aggregates into non-overlapping buckets of ``round(mean interval)`` periods
  (dropping the oldest remainder), IMAPA averages the levels ``1..round(mean interval)``;
* an all-zero series forecasts 0.

All series are processed at once: loops run over time (or aggregation level), with
arrays over series.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from distcrm.forecast import _sesops as ops
from distcrm.forecast._base import BaseForecaster, check_fraction, flat

__all__ = ["ADIDA", "IMAPA", "TSB", "Croston", "CrostonOptimized", "CrostonSBA"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _demands_before(y: FloatArray) -> IntArray:
    """Number of demand periods strictly before each period."""
    nz = (y > 0).astype(np.int64)
    c = np.cumsum(nz, axis=1)
    out: IntArray = c - nz
    return out


def _gather(lev: FloatArray, nb: IntArray) -> FloatArray:
    """``lev[nb[i, t], i]``, NaN where ``nb == 0``."""
    cols = np.arange(lev.shape[1])[:, None]
    out: FloatArray = lev[np.minimum(nb, lev.shape[0] - 1), cols]
    out[nb == 0] = np.nan
    return out


class _CrostonBase(BaseForecaster):
    """Croston's decomposition into demand sizes and inter-demand intervals."""

    _factor = 1.0

    def _alphas(self, dt: FloatArray, kd: IntArray, it: FloatArray, ki: IntArray) -> tuple[FloatArray, FloatArray]:
        a = np.full(dt.shape[1], 0.1)
        return a, a

    def _fit(self, y: FloatArray) -> None:
        n = y.shape[0]
        nz = y > 0
        dt, kd = ops.compact(y, nz)
        it, ki = ops.intervals(y)
        has = kd > 0
        kd1 = np.maximum(kd, 1)
        ki1 = np.maximum(ki, 1)
        ad, ai = self._alphas(dt, kd1, it, ki1)
        zd = ops.ses_forecast(dt, kd1, ad)
        zi = ops.ses_forecast(it, ki1, ai)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(zi != 0.0, zd / zi, zd)
        # no demand at all: statsforecast falls back to the naive forecast (the last value, 0)
        self.level_ = np.where(has, mean, y[:, -1]) * self._factor
        self.alpha_demand_ = ad
        self.alpha_interval_ = ai
        levd = ops.ses_levels(dt, kd1, ad)
        levi = ops.ses_levels(it, ki1, ai)
        nb = _demands_before(y)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.fitted_ = _gather(levd, nb) / _gather(levi, nb) * self._factor
        self.fitted_[~has] = np.nan
        del n

    def _mean(self, h: int) -> FloatArray:
        return flat(self.level_, h)


class Croston(_CrostonBase):
    """Croston's method (classic): SES with alpha = 0.1 of demand sizes and intervals.

    Matches statsforecast ``CrostonClassic``.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> p = DemandPanel.from_array([[0, 0, 3, 0, 0, 0, 2, 0, 4, 0]])
    >>> Croston().fit(p).predict(2).mean.round(4).tolist()
    [[0.8627, 0.8627]]
    """

    def __init__(self) -> None:
        pass


class CrostonSBA(_CrostonBase):
    """Syntetos–Boylan approximation: 0.95 x Croston (alpha = 0.1), as statsforecast ``CrostonSBA``.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> p = DemandPanel.from_array([[0, 0, 3, 0, 0, 0, 2, 0, 4, 0]])
    >>> CrostonSBA().fit(p).predict(1).mean.round(4).tolist()
    [[0.8196]]
    """

    _factor = 0.95

    def __init__(self) -> None:
        pass


class CrostonOptimized(_CrostonBase):
    """Croston with alpha in [0.1, 0.3] chosen per series and per component by golden-section search.

    Matches statsforecast ``CrostonOptimized``; the chosen weights are ``alpha_demand_``
    and ``alpha_interval_``.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> p = DemandPanel.from_array([[0, 0, 3, 0, 0, 0, 2, 0, 4, 0]])
    >>> m = CrostonOptimized().fit(p)
    >>> bool(0.1 <= m.alpha_demand_[0] <= 0.3)
    True
    """

    def __init__(self) -> None:
        pass

    def _alphas(self, dt: FloatArray, kd: IntArray, it: FloatArray, ki: IntArray) -> tuple[FloatArray, FloatArray]:
        return ops.golden_section_ses(dt, kd), ops.golden_section_ses(it, ki)


class TSB(BaseForecaster):
    """Teunter–Syntetos–Babai: SES of the demand probability (every period) times SES of the size.

    The size is updated only in demand periods; both smoothers start at the first
    value they see. Matches statsforecast ``TSB(alpha_d, alpha_p)``.

    Parameters
    ----------
    alpha_d
        Smoothing weight of the demand size, in (0, 1].
    alpha_p
        Smoothing weight of the demand probability, in (0, 1].

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> p = DemandPanel.from_array([[0, 0, 3, 0, 0, 0, 2, 0, 4, 0]])
    >>> TSB(alpha_d=0.2, alpha_p=0.1).fit(p).predict(1).mean.round(4).tolist()
    [[0.7962]]
    """

    def __init__(self, alpha_d: float = 0.1, alpha_p: float = 0.1) -> None:
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p

    def _check_params(self) -> None:
        check_fraction("alpha_d", self.alpha_d)
        check_fraction("alpha_p", self.alpha_p)

    def _fit(self, y: FloatArray) -> None:
        n, t = y.shape
        nz = y > 0
        dt, kd = ops.compact(y, nz)
        has = kd > 0
        kd1 = np.maximum(kd, 1)
        ad = float(self.alpha_d)
        ap = float(self.alpha_p)
        prob = nz.astype(np.float64)
        pt = np.ascontiguousarray(prob.T)
        kp = np.full(n, t, dtype=np.int64)
        zp = ops.ses_forecast(pt, kp, ap)
        zd = ops.ses_forecast(dt, kd1, ad)
        self.level_ = np.where(has, zp * zd, 0.0)
        self.probability_ = np.where(has, zp, 0.0)
        levp = ops.ses_levels(pt, kp, ap)  # levp[j] = forecast after j periods
        levd = ops.ses_levels(dt, kd1, ad)
        nb = _demands_before(y)
        fp = levp[:t].T.copy()
        fp[:, 0] = np.nan
        self.fitted_ = fp * _gather(levd, nb)
        self.fitted_[~has] = np.nan

    def _mean(self, h: int) -> FloatArray:
        return flat(self.level_, h)


def _mean_interval(y: FloatArray) -> FloatArray:
    """``mean(_intervals(y))`` = (index of the last demand + 1) / number of demands."""
    nz = y != 0
    k = nz.sum(axis=1)
    t = np.arange(1, y.shape[1] + 1)
    last = np.where(nz, t[None, :], 0).max(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = last / k
    return out


def _chunk_sums_seq(y: FloatArray, level: int) -> FloatArray:
    """Sums of non-overlapping buckets of ``level`` periods, oldest remainder dropped (sequential adds)."""
    n, t = y.shape
    lost = t % level
    c = (t - lost) // level
    blocks = y[:, lost:].reshape(n, c, level)
    s = np.zeros((n, c))
    for j in range(level):
        s = s + blocks[:, :, j]
    return s


def _aggregate_forecast(y: FloatArray, level: int, *, numpy_sum: bool) -> tuple[FloatArray, FloatArray]:
    """Optimised-SES forecast of the bucket sums and the per-period fitted values (``/ level``)."""
    n, t = y.shape
    lost = t % level
    c = (t - lost) // level
    if numpy_sum:
        sums = y[:, lost:].reshape(n, c, level).sum(axis=2)
    else:
        sums = _chunk_sums_seq(y, level)
    st = np.ascontiguousarray(sums.T)
    k = np.full(n, c, dtype=np.int64)
    alpha = ops.golden_section_ses(st, k)
    fc = ops.ses_forecast(st, k, alpha)
    lev = ops.ses_levels(st, k, alpha)  # (c+1, n): lev[j] forecasts bucket j
    fitted = np.full((n, t), np.nan)
    if c > 1:
        per = np.repeat(lev[1:c].T / level, level, axis=1)  # buckets 1..c-1
        fitted[:, lost + level :] = per
    return fc, fitted


class ADIDA(BaseForecaster):
    """Aggregate–disaggregate intermittent demand approach (Nikolopoulos et al. 2011).

    Sums demand into buckets of ``round(mean inter-demand interval)`` periods, forecasts
    the bucket sums with optimised SES (alpha in [0.1, 0.3]) and spreads the forecast
    evenly. Matches statsforecast ``ADIDA``.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> p = DemandPanel.from_array([[0, 0, 3, 0, 0, 0, 2, 0, 4, 0, 0, 1]])
    >>> float(ADIDA().fit(p).predict(1).mean[0, 0]) > 0
    True
    """

    def __init__(self) -> None:
        pass

    def _fit(self, y: FloatArray) -> None:
        n, t = y.shape
        has = (y != 0).any(axis=1)
        agg = np.zeros(n, dtype=np.int64)
        agg[has] = np.round(_mean_interval(y[has])).astype(np.int64)
        level = np.zeros(n)
        fitted = np.full((n, t), np.nan)
        for lv in np.unique(agg[has]).tolist():
            rows = np.flatnonzero(agg == lv)
            sub = y[rows]
            c = t // lv
            if c <= 1:
                lost = t % lv
                level[rows] = _chunk_sums_seq(sub, lv)[:, 0] / lv if c == 1 else sub[:, -1] / lv
                del lost
                continue
            fc, fit = _aggregate_forecast(sub, lv, numpy_sum=False)
            level[rows] = fc / lv
            fitted[rows] = fit
        self.level_ = level
        self.aggregation_level_ = agg
        self.fitted_ = fitted

    def _mean(self, h: int) -> FloatArray:
        return flat(self.level_, h)


class IMAPA(BaseForecaster):
    """Intermittent multiple aggregation prediction algorithm (Petropoulos & Kourentzes 2015).

    Averages the per-period forecasts of optimised SES on buckets of 1, 2, …,
    ``round(mean inter-demand interval)`` periods. Matches statsforecast ``IMAPA``.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> p = DemandPanel.from_array([[0, 0, 3, 0, 0, 0, 2, 0, 4, 0, 0, 1]])
    >>> float(IMAPA().fit(p).predict(1).mean[0, 0]) > 0
    True
    """

    def __init__(self) -> None:
        pass

    def _fit(self, y: FloatArray) -> None:
        n, t = y.shape
        has = (y != 0).any(axis=1)
        top = np.zeros(n, dtype=np.int64)
        top[has] = np.round(_mean_interval(y[has])).astype(np.int64)
        lmax = int(top.max(initial=0))
        per_level = np.zeros((n, max(lmax, 1)))
        fsum = np.zeros((n, t))
        fcnt = np.zeros((n, t))
        for lv in range(1, lmax + 1):
            rows = np.flatnonzero(top >= lv)
            fc, fit = _aggregate_forecast(y[rows], lv, numpy_sum=True)
            per_level[rows, lv - 1] = fc / lv
            ok = np.isfinite(fit)
            fsum[rows] += np.where(ok, fit, 0.0)
            fcnt[rows] += ok
        level = np.zeros(n)
        for m in np.unique(top[has]).tolist():
            rows = np.flatnonzero(top == m)
            level[rows] = per_level[rows, :m].mean(axis=1)
        self.level_ = level
        self.max_aggregation_level_ = top
        with np.errstate(invalid="ignore", divide="ignore"):
            self.fitted_ = np.where(fcnt > 0, fsum / np.maximum(fcnt, 1), np.nan)

    def _mean(self, h: int) -> FloatArray:
        return flat(self.level_, h)
