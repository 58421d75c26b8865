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
arrays over series. Croston, SBA and TSB use a closed form over the demand events
(a table of powers of ``1 - alpha``), which agrees with the recursion to rounding.

Predictive variance (see :mod:`distcrm.forecast._base`): the mean squared deviation
of each period's demand from the forecast level over the fit window, i.e. the
per-period demand variance around the forecast (cheap, and it keeps the zeros).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from distcrm.forecast import _sesops as ops
from distcrm.forecast._base import BaseForecaster, check_fraction, flat

__all__ = ["ADIDA", "IMAPA", "TSB", "Croston", "CrostonOptimized", "CrostonSBA"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _around_level(y: FloatArray, level: FloatArray) -> FloatArray:
    """Mean squared deviation of each period's demand from the forecast level."""
    t = y.shape[1]
    s1 = y.sum(axis=1)
    s2 = np.einsum("ij,ij->i", y, y)
    out: FloatArray = np.maximum(s2 / t - 2.0 * level * s1 / t + level * level, 0.0)
    return out


_BLOCK = 16384


def _event_sums(
    y: FloatArray, c: float
) -> tuple[FloatArray, FloatArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """Per row, over the demand periods ``j = 0..k-1`` (1-based times ``t_j``).

    Returns ``S_y = sum c**(k-1-j) y_j``, ``S_t = sum c**(k-1-j) t_j``, ``k``, the
    first demand ``y_0``, its time ``t_0`` and the last time ``t_{k-1}``. Computed in
    blocks of rows with a table of powers (no loop over series or time).
    """
    n, t = y.shape
    pw = c ** np.arange(t + 1, dtype=np.float64)
    tvec = np.arange(1, t + 1, dtype=np.float64)
    sy = np.empty(n)
    stt = np.empty(n)
    k = np.empty(n, dtype=np.int64)
    x0 = np.empty(n)
    t0 = np.empty(n)
    tl = np.empty(n)
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        blk = y[lo:hi]
        d = blk > 0
        cnt = np.cumsum(d, axis=1, dtype=np.int32)
        kb = cnt[:, -1]
        w = pw[kb[:, None] - cnt]
        w *= d
        sy[lo:hi] = np.einsum("ij,ij->i", w, blk)
        stt[lo:hi] = w @ tvec
        first = d.argmax(axis=1)
        x0[lo:hi] = blk[np.arange(hi - lo), first]
        t0[lo:hi] = first + 1
        tl[lo:hi] = t - d[:, ::-1].argmax(axis=1)
        k[lo:hi] = kb
    return sy, stt, k, x0, t0, tl


def _ses_events(y: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray, IntArray]:
    """SES (started at the first value) of the demand sizes and of the intervals, closed form.

    ``c**k x_0 + alpha * sum c**(k-1-j) x_j`` with ``c = 1 - alpha``; for the
    intervals ``t_j - t_{j-1}`` the sum telescopes to ``S_t - (S_t - t_{k-1}) / c``.
    """
    c = 1.0 - alpha
    sy, stt, k, x0, t0, tl = _event_sums(y, c)
    ck = c ** k.astype(np.float64)
    fd = ck * x0 + alpha * sy
    fi = ck * t0 + alpha * (stt - (stt - tl) / c)
    return fd, fi, k


class _IntermittentBase(BaseForecaster):
    level_: FloatArray

    def _variance(self, y: FloatArray) -> FloatArray:
        return _around_level(y, self.level_)

    def _mean(self, h: int) -> FloatArray:
        return flat(self.level_, h)


class _CrostonBase(_IntermittentBase):
    """Croston's decomposition into demand sizes and inter-demand intervals."""

    _factor = 1.0

    def _fit(self, y: FloatArray) -> None:
        fd, fi, k = _ses_events(y, 0.1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(fi != 0.0, fd / fi, fd)
        # no demand at all: statsforecast falls back to the naive forecast (the last value, 0)
        self.level_ = np.where(k > 0, mean, y[:, -1]) * self._factor
        self.alpha_demand_ = np.full(y.shape[0], 0.1)
        self.alpha_interval_ = np.full(y.shape[0], 0.1)


class Croston(_CrostonBase):
    """Croston's method (classic): SES with alpha = 0.1 of demand sizes and intervals.

    Matches statsforecast ``CrostonClassic``.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> p = DemandPanel.from_array([[0, 0, 3, 0, 0, 0, 2, 0, 4, 0]])
    >>> Croston().fit(p).predict(2).mean.round(4).tolist()
    [[1.0067, 1.0067]]
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
    [[0.9564]]
    """

    _factor = 0.95

    def __init__(self) -> None:
        pass


class CrostonOptimized(_IntermittentBase):
    """Croston with alpha in [0.1, 0.3] chosen per series and per component by golden-section search.

    Matches statsforecast ``CrostonOptimized`` (the same golden-section path, step for
    step); the chosen weights are ``alpha_demand_`` and ``alpha_interval_``.

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

    def _fit(self, y: FloatArray) -> None:
        nz = y > 0
        dt, kd = ops.compact(y, nz)
        it, ki = ops.intervals(y)
        has = kd > 0
        kd1 = np.maximum(kd, 1)
        ki1 = np.maximum(ki, 1)
        ad = ops.golden_section_ses(dt, kd1)
        ai = ops.golden_section_ses(it, ki1)
        zd = ops.ses_forecast(dt, kd1, ad)
        zi = ops.ses_forecast(it, ki1, ai)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(zi != 0.0, zd / zi, zd)
        self.level_ = np.where(has, mean, y[:, -1])
        self.alpha_demand_ = ad
        self.alpha_interval_ = ai


class TSB(_IntermittentBase):
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
    [[0.6406]]
    """

    def __init__(self, alpha_d: float = 0.1, alpha_p: float = 0.1) -> None:
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p

    def _check_params(self) -> None:
        check_fraction("alpha_d", self.alpha_d)
        check_fraction("alpha_p", self.alpha_p)

    def _fit(self, y: FloatArray) -> None:
        t = y.shape[1]
        ad = float(self.alpha_d)
        ap = float(self.alpha_p)
        fd, _, k = _ses_events(y, ad)
        # probability: SES over every period, started at the first period's 0/1
        cp = 1.0 - ap
        wts = cp ** np.arange(t - 1, -1, -1, dtype=np.float64)
        prob = cp**t * (y[:, 0] > 0) + ap * ((y > 0) @ wts)
        self.probability_ = np.where(k > 0, prob, 0.0)
        self.level_ = np.where(k > 0, prob * fd, 0.0)


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


def _aggregate_forecast(y: FloatArray, level: int, *, numpy_sum: bool) -> FloatArray:
    """Optimised-SES forecast of the sums of buckets of ``level`` periods (oldest remainder dropped)."""
    n, t = y.shape
    lost = t % level
    c = (t - lost) // level
    if numpy_sum:  # IMAPA sums with numpy, ADIDA adds sequentially: keep each one's rounding
        sums = y[:, lost:].reshape(n, c, level).sum(axis=2)
    else:
        sums = _chunk_sums_seq(y, level)
    st = np.ascontiguousarray(sums.T)
    k = np.full(n, c, dtype=np.int64)
    alpha = ops.golden_section_ses(st, k)
    return ops.ses_forecast(st, k, alpha)


class ADIDA(_IntermittentBase):
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
        for lv in np.unique(agg[has]).tolist():
            rows = np.flatnonzero(agg == lv)
            sub = y[rows]
            c = t // lv
            if c <= 1:  # one bucket: its sum is the forecast
                level[rows] = _chunk_sums_seq(sub, lv)[:, 0] / lv
                continue
            level[rows] = _aggregate_forecast(sub, lv, numpy_sum=False) / lv
        self.level_ = level
        self.aggregation_level_ = agg


class IMAPA(_IntermittentBase):
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
        n, _ = y.shape
        has = (y != 0).any(axis=1)
        top = np.zeros(n, dtype=np.int64)
        top[has] = np.round(_mean_interval(y[has])).astype(np.int64)
        lmax = int(top.max(initial=0))
        per_level = np.zeros((n, max(lmax, 1)))
        for lv in range(1, lmax + 1):
            rows = np.flatnonzero(top >= lv)
            per_level[rows, lv - 1] = _aggregate_forecast(y[rows], lv, numpy_sum=True) / lv
        level = np.zeros(n)
        for m in np.unique(top[has]).tolist():
            rows = np.flatnonzero(top == m)
            level[rows] = per_level[rows, :m].mean(axis=1)
        self.level_ = level
        self.max_aggregation_level_ = top
