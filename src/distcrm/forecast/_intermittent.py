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

All series are processed at once. The panel's demands are packed once
(:func:`distcrm.forecast._sesops.pack_events`) into left-aligned ``(max demands x
series)`` matrices of sizes and intervals, columns sorted by number of demands, so
each smoothing step is a few in-place ufuncs over one contiguous row prefix and the
work is proportional to the number of demands, not of periods. The optimised
variants run every golden-section iteration for all series at once over those
packed arrays; ADIDA / IMAPA bucket sums come straight from the demand events.

Predictive variance (see :mod:`distcrm.forecast._base`): the mean squared deviation
of each period's demand from the forecast level over the fit window, i.e. the
per-period demand variance around the forecast (cheap, and it keeps the zeros).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm.forecast import _sesops as ops
from distcrm.forecast._base import BadValues, BaseForecaster, check_fraction, flat, values_ok
from distcrm.forecast._engine import check_engine, check_n_jobs, kernels, n_threads

__all__ = ["ADIDA", "IMAPA", "TSB", "Croston", "CrostonOptimized", "CrostonSBA"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


#: series per block: one block's packed arrays stay in cache
_BLOCK = 32768


class _IntermittentBase(BaseForecaster):
    """Fits block by block of series; each block's demands are packed once."""

    level_: FloatArray
    engine: str
    n_jobs: int | None
    # NaN and negative demand are found in the pass that takes the row statistics
    # (compiled) or by one minimum over the values (NumPy): see _fit
    _scans_values = True

    def _check_params(self) -> None:
        check_engine(self.engine)
        check_n_jobs(self.n_jobs)

    def _kernels(self) -> Any:
        """The compiled kernels (or None: NumPy); records the choice in ``engine_``."""
        kern = kernels(self.engine, type(self).__name__)
        self.engine_ = "numpy" if kern is None else "numba"
        return kern

    def _fit(self, y: FloatArray) -> None:
        kern = self._kernels()
        if kern is not None:
            self._fit_compiled(y, kern, n_threads(self.n_jobs))
            return
        if not values_ok(y):
            raise BadValues
        n = y.shape[0]
        parts: list[dict[str, npt.NDArray[Any]]] = []
        count = True
        s1 = np.empty(n)
        s2 = np.empty(n)
        for lo in range(0, n, _BLOCK):
            yb = y[lo : lo + _BLOCK]
            ev = ops.pack_events(yb)
            nb = yb.shape[0]
            s1[lo : lo + nb] = np.bincount(ev.rows, weights=ev.vals, minlength=nb)
            s2[lo : lo + nb] = np.bincount(ev.rows, weights=ev.vals * ev.vals, minlength=nb)
            count = count and bool(np.array_equal(ev.vals, np.floor(ev.vals)))
            parts.append(self._fit_block(yb, ev))
        for key in parts[0]:
            setattr(self, key, np.concatenate([p[key] for p in parts]))
        self._s1, self._s2, self._count_hint = s1, s2, count

    def _fit_block(self, y: FloatArray, ev: ops.Events) -> dict[str, npt.NDArray[Any]]:  # pragma: no cover
        raise NotImplementedError

    def _fit_compiled(self, y: FloatArray, kern: Any, threads: int) -> None:
        """The compiled path: per block, the row statistics and the method's own part."""
        n = y.shape[0]
        parts: list[dict[str, npt.NDArray[Any]]] = []
        stats: list[dict[str, Any]] = []
        for lo in range(0, n, _BLOCK):
            yb = np.ascontiguousarray(y[lo : lo + _BLOCK])
            st = _checked(kern.row_stats(yb, threads))  # before the method's kernels see the block
            stats.append(st)
            parts.append(self._compiled_block(yb, st, kern, threads))
        for key in parts[0]:
            setattr(self, key, np.concatenate([p[key] for p in parts]))
        self._s1 = np.concatenate([s["s1"] for s in stats])
        self._s2 = np.concatenate([s["s2"] for s in stats])
        self._count_hint = all(bool(s["isint"].all()) for s in stats)

    def _compiled_block(
        self, y: FloatArray, st: dict[str, Any], kern: Any, threads: int
    ) -> dict[str, npt.NDArray[Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _variance(self, y: FloatArray) -> FloatArray:
        """Mean squared deviation of each period's demand from the forecast level."""
        t = y.shape[1]
        lev = self.level_
        out: FloatArray = np.maximum(self._s2 / t - 2.0 * lev * self._s1 / t + lev * lev, 0.0)
        return out

    def _mean(self, h: int) -> FloatArray:
        return flat(self.level_, h)


class _FixedAlphaBase(_IntermittentBase):
    """Croston-type methods with fixed weights: a time loop over transposed blocks of series."""

    def _fit(self, y: FloatArray) -> None:
        kern = self._kernels()
        if kern is not None:
            self._fit_rows(np.ascontiguousarray(y), kern, n_threads(self.n_jobs))
            return
        if not values_ok(y):
            raise BadValues
        n = y.shape[0]
        parts: list[dict[str, npt.NDArray[Any]]] = []
        count = True
        s1 = np.empty(n)
        s2 = np.empty(n)
        self._buffers = ops.BlockBuffers(y.shape[1], min(n, ops._TBLOCK))
        for lo in range(0, n, ops._TBLOCK):
            yb = y[lo : lo + ops._TBLOCK]
            blk = self._fixed_block(yb, count)  # once a block is not counts, skip the check
            nb = yb.shape[0]
            s1[lo : lo + nb] = blk.s1
            s2[lo : lo + nb] = blk.s2
            count = count and blk.count
            parts.append(self._finish_block(yb, blk))
        for key in parts[0]:
            setattr(self, key, np.concatenate([p[key] for p in parts]))
        self._s1, self._s2, self._count_hint = s1, s2, count
        del self._buffers

    def _fixed_block(self, y: FloatArray, check_count: bool) -> ops.FixedBlock:  # pragma: no cover - abstract
        raise NotImplementedError

    def _finish_block(
        self, y: FloatArray, blk: ops.FixedBlock
    ) -> dict[str, npt.NDArray[Any]]:  # pragma: no cover
        raise NotImplementedError

    def _fit_rows(self, y: FloatArray, kern: Any, threads: int) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _set_stats(self, st: dict[str, Any]) -> None:
        self._s1, self._s2, self._count_hint = st["s1"], st["s2"], bool(st["isint"].all())


def _checked(st: dict[str, Any]) -> dict[str, Any]:
    """``st``, the row statistics of a compiled kernel, unless they count a NaN or negative value."""
    if st["bad"].any():
        raise BadValues
    return st


def _unsort(values: npt.NDArray[Any], order: IntArray) -> npt.NDArray[Any]:
    out = np.empty_like(values)
    out[order] = values
    return out


class _CrostonBase(_FixedAlphaBase):
    """Croston's decomposition into demand sizes and inter-demand intervals."""

    _factor = 1.0

    def _fixed_block(self, y: FloatArray, check_count: bool) -> ops.FixedBlock:
        return ops.croston_fixed(y, 0.1, buffers=self._buffers, check_count=check_count)

    def _finish_block(self, y: FloatArray, blk: ops.FixedBlock) -> dict[str, npt.NDArray[Any]]:
        return self._finish(y.shape[0], blk.sizes, blk.intervals, blk.k)

    def _finish(self, n: int, zd: FloatArray, zi: FloatArray, k: IntArray) -> dict[str, npt.NDArray[Any]]:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(zi != 0.0, zd / zi, zd)
        # no demand at all: statsforecast falls back to the naive forecast (the last value, 0)
        return {
            "level_": np.where(k > 0, mean, 0.0) * self._factor,
            "alpha_demand_": np.full(n, 0.1),
            "alpha_interval_": np.full(n, 0.1),
        }

    def _fit_rows(self, y: FloatArray, kern: Any, threads: int) -> None:
        st = _checked(kern.croston_rows(y, 0.1, threads))
        for key, value in self._finish(y.shape[0], st["sizes"], st["intervals"], st["k"]).items():
            setattr(self, key, value)
        self._set_stats(st)


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

    def __init__(self, *, engine: str = "auto", n_jobs: int | None = None) -> None:
        self.engine = engine
        self.n_jobs = n_jobs


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

    def __init__(self, *, engine: str = "auto", n_jobs: int | None = None) -> None:
        self.engine = engine
        self.n_jobs = n_jobs


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

    def __init__(self, *, engine: str = "auto", n_jobs: int | None = None) -> None:
        self.engine = engine
        self.n_jobs = n_jobs

    def _fit_block(self, y: FloatArray, ev: ops.Events) -> dict[str, npt.NDArray[Any]]:
        n = y.shape[0]
        k1 = np.maximum(ev.k, 1)
        # sizes and intervals side by side: one golden-section run over 2n columns;
        # interleaved so the columns stay sorted by length
        both = np.empty((ev.sizes.shape[0], 2 * n))
        both[:, 0::2] = ev.sizes
        both[:, 1::2] = ev.intervals
        kb = np.repeat(k1, 2)
        alpha = ops.golden_section_ses(both, kb)
        z = ops.ses_forecast(both, kb, alpha)
        zd, zi = z[0::2], z[1::2]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(zi != 0.0, zd / zi, zd)
        return {
            "level_": _unsort(np.where(ev.k > 0, mean, 0.0), ev.order),
            "alpha_demand_": _unsort(alpha[0::2].copy(), ev.order),
            "alpha_interval_": _unsort(alpha[1::2].copy(), ev.order),
        }

    def _compiled_block(
        self, y: FloatArray, st: dict[str, Any], kern: Any, threads: int
    ) -> dict[str, npt.NDArray[Any]]:
        res = kern.croston_optimized(y, st["k"], threads)
        order = res["order"]
        zd, zi = res["sizes"], res["intervals"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(zi != 0.0, zd / zi, zd)
        return {
            "level_": _unsort(np.where(st["k"][order] > 0, mean, 0.0), order),
            "alpha_demand_": _unsort(res["alpha_demand"].copy(), order),
            "alpha_interval_": _unsort(res["alpha_interval"].copy(), order),
        }


class TSB(_FixedAlphaBase):
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

    def __init__(
        self, alpha_d: float = 0.1, alpha_p: float = 0.1, *, engine: str = "auto", n_jobs: int | None = None
    ) -> None:
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p
        self.engine = engine
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        check_fraction("alpha_d", self.alpha_d)
        check_fraction("alpha_p", self.alpha_p)
        super()._check_params()

    def _fit_rows(self, y: FloatArray, kern: Any, threads: int) -> None:
        st = _checked(kern.tsb_rows(y, float(self.alpha_d), float(self.alpha_p), threads))
        has = st["k"] > 0
        self.probability_ = np.where(has, st["prob"], 0.0)
        self.level_ = np.where(has, st["prob"] * st["sizes"], 0.0)
        self._set_stats(st)

    def _fixed_block(self, y: FloatArray, check_count: bool) -> ops.FixedBlock:
        # probability: SES over every period, started at the first period's 0/1:
        # (1-a)**t * d_0 + a * sum_s (1-a)**(t-1-s) d_s, one matrix-vector product
        cp = 1.0 - float(self.alpha_p)
        wts = cp ** np.arange(y.shape[1] - 1, -1, -1, dtype=np.float64)
        return ops.croston_fixed(
            y, float(self.alpha_d), wts, intervals=False, buffers=self._buffers, check_count=check_count
        )

    def _finish_block(self, y: FloatArray, blk: ops.FixedBlock) -> dict[str, npt.NDArray[Any]]:
        t = y.shape[1]
        ap = float(self.alpha_p)
        prob = (1.0 - ap) ** t * blk.first + ap * blk.weights
        has = blk.k > 0
        return {"probability_": np.where(has, prob, 0.0), "level_": np.where(has, prob * blk.sizes, 0.0)}


def _aggregation_level(ev: ops.Events, n: int) -> IntArray:
    """``round(mean(_intervals(y)))`` per series: round((last demand index + 1) / demands); 0 if none."""
    k = np.bincount(ev.rows, minlength=n)
    last = np.zeros(n)
    last[ev.rows] = ev.tpos + 1.0  # events are in time order: the last write is the last demand
    out = np.zeros(n, dtype=np.int64)
    has = k > 0
    out[has] = np.round(last[has] / k[has]).astype(np.int64)
    return out


def _aggregation_from_stats(st: dict[str, Any]) -> IntArray:
    """:func:`_aggregation_level` from the compiled row statistics (``last`` demand period, ``k``)."""
    k = st["k"]
    out = np.zeros(k.size, dtype=np.int64)
    has = k > 0
    out[has] = np.round((st["last"][has] + 1.0) / k[has]).astype(np.int64)
    return out


def _bucket_sums(
    y: FloatArray, ev: ops.Events, series: IntArray, lv: IntArray, *, exact_order: bool
) -> FloatArray:
    """Packed ``(max buckets, len(series))`` sums of non-overlapping buckets of ``lv`` periods.

    Column ``j`` holds the ``t // lv[j]`` bucket sums of series ``series[j]`` (oldest
    remainder dropped), summed from the demand events in time order, i.e. with the
    rounding of sequential adds. ``exact_order=False`` (numpy's pairwise ``sum``, which
    IMAPA uses) switches to numpy's sum for buckets of 8 or more non-integer values.
    """
    n, t = y.shape
    m = series.size
    c = t // lv
    cmax = int(c.max(initial=1))
    if (
        not exact_order
        and not bool(np.array_equal(ev.vals, np.floor(ev.vals)))
        and int(lv.max(initial=1)) >= 8
    ):
        out = np.zeros((cmax, m))
        for level in np.unique(lv).tolist():
            cols = np.flatnonzero(lv == level)
            cl = t // level
            blocks = y[series[cols], t % level :].reshape(cols.size, cl, level)
            out[:cl, cols] = blocks.sum(axis=2).T
        return out
    colmap = np.full(n, -1, dtype=np.int64)
    colmap[series] = np.arange(m)
    col = colmap[ev.rows]
    sel = col >= 0
    col = col[sel]
    level = lv[col]
    tp = ev.tpos[sel] - t % level
    keep = tp >= 0
    dest = (tp[keep] // level[keep]) * m + col[keep]
    sums = np.bincount(dest, weights=ev.vals[sel][keep], minlength=cmax * m)
    out2: FloatArray = sums.reshape(cmax, m).astype(np.float64, copy=False)
    return out2


def _optimised_ses(xt: FloatArray, c: IntArray) -> FloatArray:
    """Forecast of optimised SES (alpha in [0.1, 0.3]) per packed column (``c`` sorted descending)."""
    alpha = ops.golden_section_ses(xt, c)
    return ops.ses_forecast(xt, c, alpha)


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

    def __init__(self, *, engine: str = "auto", n_jobs: int | None = None) -> None:
        self.engine = engine
        self.n_jobs = n_jobs

    def _fit_block(self, y: FloatArray, ev: ops.Events) -> dict[str, npt.NDArray[Any]]:
        n, t = y.shape
        agg = _aggregation_level(ev, n)
        level = np.zeros(n)
        series = np.flatnonzero(agg > 0)
        series = series[ops.stable_order(agg[series])]  # longest aggregated series first
        lv = agg[series]
        c = t // lv
        sums = _bucket_sums(y, ev, series, lv, exact_order=True)
        fc = _optimised_ses(sums, c)  # one bucket: ses_forecast returns its sum
        level[series] = fc / lv
        return {"level_": level, "aggregation_level_": agg}

    def _compiled_block(
        self, y: FloatArray, st: dict[str, Any], kern: Any, threads: int
    ) -> dict[str, npt.NDArray[Any]]:
        n = y.shape[0]
        agg = _aggregation_from_stats(st)
        level = np.zeros(n)
        series = np.flatnonzero(agg > 0)
        series = series[ops.stable_order(agg[series])]  # longest aggregated series first
        lv = agg[series]
        level[series] = kern.bucket_ses(y, series, lv, threads) / lv
        return {"level_": level, "aggregation_level_": agg}


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

    def __init__(self, *, engine: str = "auto", n_jobs: int | None = None) -> None:
        self.engine = engine
        self.n_jobs = n_jobs

    def _fit_block(self, y: FloatArray, ev: ops.Events) -> dict[str, npt.NDArray[Any]]:
        n, t = y.shape
        top = _aggregation_level(ev, n)
        # series by top level (descending): the series of level lv are a prefix, and so
        # are their demand events once sorted by series rank (time order kept)
        by_top = ops.stable_order(top, descending=True)
        top_sorted = top[by_top]
        rank = np.empty(n, dtype=np.int64)
        rank[by_top] = np.arange(n)
        ev_rank = rank[ev.rows]
        eo = np.argsort(ev_rank, kind="stable")
        ev_rank, tpos, vals = ev_rank[eo], ev.tpos[eo], ev.vals[eo]
        integer = bool(np.array_equal(vals, np.floor(vals)))
        levels = []  # (lv, number of series, bucket sums (c, m))
        for lv in range(1, int(top.max(initial=0)) + 1):
            m = int(np.searchsorted(-top_sorted, -lv, side="right"))
            c = t // lv
            if not integer and lv >= 8:  # numpy's pairwise sum rounds differently: use it
                sums = _pairwise_bucket_sums(y, by_top[:m], lv)
            else:
                e = int(np.searchsorted(ev_rank, m))
                tp = tpos[:e] - t % lv
                keep = tp >= 0
                dest = (tp[keep] // lv) * m + ev_rank[:e][keep]
                sums = (
                    np.bincount(dest, weights=vals[:e][keep], minlength=c * m)
                    .reshape(c, m)
                    .astype(np.float64, copy=False)
                )
            levels.append((lv, m, sums))
        return _imapa_levels(levels, top, by_top, n)

    def _compiled_block(
        self, y: FloatArray, st: dict[str, Any], kern: Any, threads: int
    ) -> dict[str, npt.NDArray[Any]]:
        n = y.shape[0]
        top = _aggregation_from_stats(st)
        by_top = ops.stable_order(top, descending=True)
        top_sorted = top[by_top]
        integer = bool(st["isint"].all())
        top_lv = int(top.max(initial=0))
        # numpy's pairwise sum rounds buckets of 8 or more periods differently: for
        # non-integer demand those levels are summed as statsforecast sums them
        fused = top_lv if integer else min(top_lv, 7)
        m1 = int(np.searchsorted(-top_sorted, -1, side="right"))
        done = dict(
            enumerate(kern.bucket_ses_levels(y, by_top[:m1], top_sorted[:m1], fused, threads), start=1)
        )
        for lv in range(fused + 1, top_lv + 1):
            m = int(np.searchsorted(-top_sorted, -lv, side="right"))
            sums = _pairwise_bucket_sums(y, by_top[:m], lv)
            c = np.full(m, sums.shape[0], dtype=np.int64)
            done[lv] = kern.ses_forecast(sums, c, kern.golden_section_ses(sums, c, n_threads=threads))
        total = np.zeros(n)
        for lv in sorted(done):  # added in level order, as the NumPy path does
            fc = done[lv]
            total[by_top[: fc.size]] += fc / lv
        return _imapa_result(total, top)


def _pairwise_bucket_sums(y: FloatArray, series: IntArray, lv: int) -> FloatArray:
    """Bucket sums with numpy's (pairwise) ``sum``, as statsforecast's IMAPA adds them."""
    t = y.shape[1]
    c = t // lv
    blocks = y[series, t % lv :].reshape(series.size, c, lv)
    return np.ascontiguousarray(blocks.sum(axis=2).T)


def _imapa_levels(
    levels: list[tuple[int, int, FloatArray]], top: IntArray, by_top: IntArray, n: int
) -> dict[str, npt.NDArray[Any]]:
    """The NumPy path's average of the per-period optimised-SES forecasts of every level.

    One golden-section run per group of consecutive levels of at least one chunk of
    columns: longer buckets come later, so the columns stay sorted by length.
    """
    total = np.zeros(n)
    start = 0
    while start < len(levels):
        stop, cols = start, 0
        while stop < len(levels) and cols < ops._CHUNK:
            cols += levels[stop][1]
            stop += 1
        group = levels[start:stop]
        cmax = group[0][2].shape[0]
        packed = np.zeros((cmax, cols))
        lengths = np.empty(cols, dtype=np.int64)
        off = 0
        for _, m, sums in group:
            packed[: sums.shape[0], off : off + m] = sums
            lengths[off : off + m] = sums.shape[0]
            off += m
        fc = _optimised_ses(packed, lengths)
        off = 0
        for lv, m, _ in group:
            total[by_top[:m]] += fc[off : off + m] / lv
            off += m
        start = stop
    return _imapa_result(total, top)


def _imapa_result(total: FloatArray, top: IntArray) -> dict[str, npt.NDArray[Any]]:
    """Per-period level: the sum of the levels' per-period forecasts over the number of levels."""
    has = top > 0
    level = np.zeros(top.size)
    level[has] = total[has] / top[has]
    return {"level_": level, "max_aggregation_level_": top}
