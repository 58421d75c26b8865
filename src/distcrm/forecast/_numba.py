"""Compiled kernels for the intermittent methods (the optional ``speed`` extra: numba).

Imported only when a forecaster runs with ``engine="numba"`` (or ``"auto"`` with numba
installed). Every kernel repeats the arithmetic of the NumPy path in
:mod:`distcrm.forecast._sesops` (and so of statsforecast) operation by operation: no
fused multiply-add, no reassociation (numba's default, ``fastmath=False``), so both
engines give bit-identical smoothing weights and forecasts.

Layout and parallelism
----------------------
The golden-section search works on the same packed, transposed matrices as the NumPy
path (columns sorted by length, longest first) in chunks of :data:`CHUNK` columns: the
lanes of a chunk step through the golden-section iterations together, and each SSE
evaluation is a loop over time whose inner loop runs over the chunk's contiguous
columns (vectorised by LLVM). Chunks are independent; ``n_threads > 1`` runs them on
threads (the kernels release the GIL). The fixed-weight methods (Croston, SBA, TSB)
run the recursion of each series straight over the row layout of the panel.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "CHUNK",
    "bucket_sums",
    "croston_rows",
    "golden_section_ses",
    "pack_pairs",
    "row_stats",
    "ses_forecast",
    "tsb_rows",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: columns per golden-section chunk (its packed rows stay in L2 cache)
CHUNK = 512
_GR = (math.sqrt(5.0) + 1.0) / 2.0

_jit = numba.njit(nogil=True, cache=True, boundscheck=False, error_model="numpy")


@_jit
def _sse(
    xt: Any, lo: int, w: Any, alpha: Any, comp: Any, f: Any, sse: Any
) -> None:  # pragma: no cover - compiled
    """statsforecast ``ses_sse(alpha, x)`` for the chunk's columns ``lo..lo+len(alpha)``."""
    m = alpha.shape[0]
    for j in range(m):
        f[j] = xt[0, lo + j]
        sse[j] = 0.0
    for i in range(1, w.shape[0]):
        wi = w[i]
        if wi == 0:
            break
        for j in range(wi):
            fj = alpha[j] * xt[i - 1, lo + j] + comp[j] * f[j]
            f[j] = fj
            e = xt[i, lo + j] - fj
            sse[j] += e * e


@_jit
def _golden_chunk(
    xt: Any, k: Any, lo: int, hi: int, lower: float, upper: float, out: Any
) -> None:  # pragma: no cover - compiled
    """statsforecast's golden-section loop for columns ``lo..hi`` in lock step (see _sesops)."""
    m = hi - lo
    w = _widths(k, lo, hi)
    a = np.empty(m)
    b = np.empty(m)
    c = np.empty(m)
    d = np.empty(m)
    fc = np.empty(m)
    fd = np.empty(m)
    pt = np.empty(m)
    comp = np.empty(m)
    f = np.empty(m)
    val = np.empty(m)
    left = np.empty(m, dtype=np.bool_)
    active = np.ones(m, dtype=np.bool_)
    for j in range(m):
        a[j] = lower
        b[j] = upper
        c[j] = b[j] - (b[j] - a[j]) / _GR
        d[j] = a[j] + (b[j] - a[j]) / _GR
        comp[j] = 1.0 - c[j]
    _sse(xt, lo, w, c, comp, f, fc)
    for j in range(m):
        comp[j] = 1.0 - d[j]
    _sse(xt, lo, w, d, comp, f, fd)
    nactive = m
    while True:
        for j in range(m):
            lft = fc[j] < fd[j]
            left[j] = lft
            if active[j] and not (abs(b[j] - a[j]) >= 1e-12 and (lft or fd[j] < fc[j])):
                out[lo + j] = (b[j] + a[j]) / 2.0
                active[j] = False
                nactive -= 1
        if nactive == 0:
            break
        for j in range(m):
            if left[j]:
                b[j] = d[j]
                d[j] = c[j]
                fd[j] = fc[j]
                p = b[j] - (b[j] - a[j]) / _GR
                c[j] = p
            else:
                a[j] = c[j]
                c[j] = d[j]
                fc[j] = fd[j]
                p = a[j] + (b[j] - a[j]) / _GR
                d[j] = p
            pt[j] = p
            comp[j] = 1.0 - p
        _sse(xt, lo, w, pt, comp, f, val)
        for j in range(m):
            if left[j]:
                fc[j] = val[j]
            else:
                fd[j] = val[j]


@_jit
def _golden_range(
    xt: Any, k: Any, first: int, last: int, chunk: int, lower: float, upper: float, out: Any
) -> None:  # pragma: no cover - compiled
    for lo in range(first, last, chunk):
        _golden_chunk(xt, k, lo, min(lo + chunk, last), lower, upper, out)


def _spans(m: int, chunk: int) -> list[tuple[int, int]]:
    """One task per chunk: the pool hands them out as threads come free (the columns are
    sorted longest first, so equal column counts are not equal work)."""
    return [(lo, min(lo + chunk, m)) for lo in range(0, m, chunk)]


def golden_section_ses(
    xt: FloatArray, k: IntArray, lower: float = 0.1, upper: float = 0.3, n_threads: int = 1
) -> FloatArray:
    """:func:`distcrm.forecast._sesops.golden_section_ses`, compiled (bit-identical)."""
    xt = np.ascontiguousarray(xt, dtype=np.float64)
    k = np.ascontiguousarray(k, dtype=np.int64)
    m = xt.shape[1]
    out = np.empty(m)
    if m == 0:
        return out
    if n_threads <= 1 or m <= CHUNK:
        _golden_range(xt, k, 0, m, CHUNK, lower, upper, out)
        return out
    spans = _spans(m, CHUNK)
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        list(pool.map(lambda s: _golden_range(xt, k, s[0], s[1], CHUNK, lower, upper, out), spans))
    return out


@_jit
def _widths(k: Any, lo: int, hi: int) -> Any:  # pragma: no cover - compiled
    """``w[i]``: columns ``lo..hi`` longer than ``i`` (``k`` sorted descending)."""
    w = np.zeros(max(k[lo], 1), dtype=np.int64)
    for j in range(lo, hi):
        for i in range(k[j]):
            w[i] += 1
    return w


@_jit
def _ses_forecast(xt: Any, k: Any, alpha: Any, out: Any) -> None:  # pragma: no cover - compiled
    m = xt.shape[1]
    if m == 0:
        return
    w = _widths(k, 0, m)
    f = np.empty(m)
    comp = np.empty(m)
    for j in range(m):
        f[j] = xt[0, j]
        comp[j] = 1.0 - alpha[j]
    for i in range(1, w.shape[0]):
        for j in range(w[i]):
            f[j] = alpha[j] * xt[i - 1, j] + comp[j] * f[j]
    for j in range(m):
        if k[j] <= 1:
            out[j] = xt[0, j]
        else:
            out[j] = alpha[j] * xt[k[j] - 1, j] + comp[j] * f[j]


def ses_forecast(xt: FloatArray, k: IntArray, alpha: FloatArray | float) -> FloatArray:
    """:func:`distcrm.forecast._sesops.ses_forecast`, compiled (bit-identical)."""
    m = xt.shape[1]
    a = np.ascontiguousarray(np.broadcast_to(np.asarray(alpha, dtype=np.float64), (m,)))
    out = np.empty(m)
    _ses_forecast(np.ascontiguousarray(xt, dtype=np.float64), np.ascontiguousarray(k, dtype=np.int64), a, out)
    return out


@_jit
def _row_stats(
    y: Any, k: Any, s1: Any, s2: Any, isint: Any, last: Any
) -> None:  # pragma: no cover - compiled
    for r in range(y.shape[0]):
        n = 0
        pos = -1
        tot = 0.0
        sq = 0.0
        whole = True
        for s in range(y.shape[1]):
            v = y[r, s]
            tot += v
            sq += v * v
            if v != 0.0:
                n += 1
                pos = s
                if whole and math.floor(v) != v:
                    whole = False
        k[r] = n
        s1[r] = tot
        s2[r] = sq
        isint[r] = whole
        last[r] = pos


@_jit
def _pack_pairs(y: Any, order: Any, out: Any) -> None:  # pragma: no cover - compiled
    """Column ``2j`` / ``2j + 1`` of ``out``: demand sizes / intervals of series ``order[j]``."""
    for j in range(order.shape[0]):
        r = order[j]
        n = 0
        last_t = 0
        for s in range(y.shape[1]):
            v = y[r, s]
            if v != 0.0:
                out[n, 2 * j] = v
                out[n, 2 * j + 1] = float(s + 1 - last_t)
                last_t = s + 1
                n += 1
        if n == 0:
            out[0, 2 * j] = 0.0
            out[0, 2 * j + 1] = 0.0


def row_stats(y: FloatArray) -> dict[str, Any]:
    """Per series: demands ``k``, sum ``s1``, sum of squares ``s2``, all-integer ``isint``, last demand period ``last`` (-1: none)."""
    n = y.shape[0]
    out = {
        "k": np.empty(n, dtype=np.int64),
        "s1": np.empty(n),
        "s2": np.empty(n),
        "isint": np.empty(n, dtype=np.bool_),
        "last": np.empty(n, dtype=np.int64),
    }
    _row_stats(
        np.ascontiguousarray(y, dtype=np.float64), out["k"], out["s1"], out["s2"], out["isint"], out["last"]
    )
    return out


@_jit
def _bucket_sums(y: Any, series: Any, lv: Any, out: Any) -> None:  # pragma: no cover - compiled
    t = y.shape[1]
    for j in range(series.shape[0]):
        r = series[j]
        size = lv[j]
        off = t % size
        for b in range(t // size):
            acc = 0.0
            base = off + b * size
            for q in range(size):
                acc += y[r, base + q]
            out[b, j] = acc


def bucket_sums(y: FloatArray, series: IntArray, lv: IntArray) -> FloatArray:
    """Packed ``(max buckets, len(series))``: column ``j`` holds the sums of non-overlapping buckets
    of ``lv[j]`` periods of series ``series[j]``, oldest remainder dropped, added in time order."""
    t = y.shape[1]
    cmax = max(int((t // lv).max(initial=1)), 1) if lv.size else 1
    out = np.empty((cmax, series.size))
    _bucket_sums(
        y, np.ascontiguousarray(series, dtype=np.int64), np.ascontiguousarray(lv, dtype=np.int64), out
    )
    return out


def pack_pairs(y: FloatArray, k: IntArray) -> tuple[FloatArray, IntArray, IntArray]:
    """Demand sizes and intervals side by side, series sorted by demands (longest first).

    Returns ``(xt, kb, order)``: ``xt[:, 2j]`` / ``xt[:, 2j + 1]`` are the sizes /
    intervals of series ``order[j]`` (an all-zero series gets one 0), ``kb`` their
    lengths (at least 1). The padding below each column is never read.
    """
    order = np.argsort(-k, kind="stable")
    kmax = max(int(k.max(initial=0)), 1)
    xt = np.empty((kmax, 2 * y.shape[0]))
    _pack_pairs(y, order, xt)
    kb = np.repeat(np.maximum(k[order], 1), 2)
    return xt, kb, order


@_jit
def _croston_rows(
    y: Any, lo: int, hi: int, alpha: float, sizes: Any, intervals: Any, k: Any, s1: Any, s2: Any, isint: Any
) -> None:  # pragma: no cover - compiled
    """Croston's SES of the demand sizes and intervals of rows ``lo..hi``, as statsforecast.

    ``ses_forecast(x, alpha)``: ``f = x[0]``; ``f = alpha * x[i-1] + (1 - alpha) * f``
    for ``i = 1..n-1``; forecast ``alpha * x[n-1] + (1 - alpha) * f`` (``x[0]`` when
    ``n == 1``). Each new demand is one step of both recursions, delayed by one value.
    """
    c = 1.0 - alpha
    t = y.shape[1]
    for r in range(lo, hi):
        n = 0
        fd = 0.0
        fi = 0.0
        prev_d = 0.0
        prev_i = 0.0
        last_t = 0
        tot = 0.0
        sq = 0.0
        whole = True
        for s in range(t):
            v = y[r, s]
            tot += v
            sq += v * v
            if v != 0.0:
                if whole and math.floor(v) != v:
                    whole = False
                iv = float(s + 1 - last_t)
                last_t = s + 1
                if n == 0:
                    fd = v
                    fi = iv
                else:
                    fd = alpha * prev_d + c * fd
                    fi = alpha * prev_i + c * fi
                prev_d = v
                prev_i = iv
                n += 1
        k[r] = n
        s1[r] = tot
        s2[r] = sq
        isint[r] = whole
        if n <= 1:
            sizes[r] = prev_d
            intervals[r] = prev_i
        else:
            sizes[r] = alpha * prev_d + c * fd
            intervals[r] = alpha * prev_i + c * fi


@_jit
def _tsb_rows(
    y: Any,
    lo: int,
    hi: int,
    alpha_d: float,
    alpha_p: float,
    sizes: Any,
    prob: Any,
    k: Any,
    s1: Any,
    s2: Any,
    isint: Any,
) -> None:  # pragma: no cover - compiled
    """TSB: SES of the demand sizes (``alpha_d``) and of the 0/1 demand indicator over every period."""
    cd = 1.0 - alpha_d
    cp = 1.0 - alpha_p
    t = y.shape[1]
    for r in range(lo, hi):
        n = 0
        fd = 0.0
        prev_d = 0.0
        tot = 0.0
        sq = 0.0
        whole = True
        fp = 1.0 if y[r, 0] != 0.0 else 0.0
        prev_p = fp
        for s in range(t):
            v = y[r, s]
            tot += v
            sq += v * v
            p = 1.0 if v != 0.0 else 0.0
            if s > 0:
                fp = alpha_p * prev_p + cp * fp
                prev_p = p
            if v != 0.0:
                if whole and math.floor(v) != v:
                    whole = False
                if n == 0:
                    fd = v
                else:
                    fd = alpha_d * prev_d + cd * fd
                prev_d = v
                n += 1
        k[r] = n
        s1[r] = tot
        s2[r] = sq
        isint[r] = whole
        sizes[r] = prev_d if n <= 1 else alpha_d * prev_d + cd * fd
        prob[r] = fp if t <= 1 else alpha_p * prev_p + cp * fp


def _row_spans(n: int, n_threads: int) -> list[tuple[int, int]]:
    step = max(1, -(-n // max(n_threads, 1)))
    return [(lo, min(lo + step, n)) for lo in range(0, n, step)]


def _run_rows(fn: Any, n: int, n_threads: int, *args: Any) -> None:
    if n_threads <= 1 or n < 2 * 4096:
        fn(args[0], 0, n, *args[1:])
        return
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        list(pool.map(lambda s: fn(args[0], s[0], s[1], *args[1:]), _row_spans(n, n_threads)))


def croston_rows(y: FloatArray, alpha: float, n_threads: int = 1) -> dict[str, Any]:
    """Per series: SES forecasts of the sizes and intervals, demand count, sum, sum of squares, integrality."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = y.shape[0]
    out = {
        "sizes": np.empty(n),
        "intervals": np.empty(n),
        "k": np.empty(n, dtype=np.int64),
        "s1": np.empty(n),
        "s2": np.empty(n),
        "isint": np.empty(n, dtype=np.bool_),
    }
    _run_rows(
        _croston_rows,
        n,
        n_threads,
        y,
        float(alpha),
        out["sizes"],
        out["intervals"],
        out["k"],
        out["s1"],
        out["s2"],
        out["isint"],
    )
    return out


def tsb_rows(y: FloatArray, alpha_d: float, alpha_p: float, n_threads: int = 1) -> dict[str, Any]:
    """Per series: SES forecasts of the size and the demand probability, and the row statistics."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = y.shape[0]
    out = {
        "sizes": np.empty(n),
        "prob": np.empty(n),
        "k": np.empty(n, dtype=np.int64),
        "s1": np.empty(n),
        "s2": np.empty(n),
        "isint": np.empty(n, dtype=np.bool_),
    }
    _run_rows(
        _tsb_rows,
        n,
        n_threads,
        y,
        float(alpha_d),
        float(alpha_p),
        out["sizes"],
        out["prob"],
        out["k"],
        out["s1"],
        out["s2"],
        out["isint"],
    )
    return out
