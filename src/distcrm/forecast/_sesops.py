"""Vectorised simple exponential smoothing over many ragged sequences.

These reproduce statsforecast's ``ses_forecast``, ``ses_sse`` and
``golden_section_ses`` (``src/ses.cpp``) operation by operation, so the optimised
smoothing weights follow the same golden-section path and the forecasts agree to
rounding.

Layout
------
Every routine works on a *packed, transposed* matrix ``xt`` of shape ``(K, m)``:
column ``j`` holds sequence ``j`` in its first ``k[j]`` rows (the rest is padding
that never enters a result). The columns are **sorted by length, longest first**
(``k`` non-increasing), so step ``i`` of a recursion touches one contiguous prefix
``xt[i, :w_i]`` of a C-contiguous row, where ``w_i`` is the number of sequences
longer than ``i``. The work is then the total length of the sequences, not
``K x m``, and each step is a handful of in-place ufuncs on contiguous memory.

:func:`pack_events` builds these matrices for Croston's demand sizes and
inter-demand intervals straight from the panel's non-zero entries (one pass over
the panel, then work proportional to the number of demands).
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_GR = (math.sqrt(5.0) + 1.0) / 2.0
#: columns per golden-section chunk: the per-step vectors of a chunk stay in L2 cache
_CHUNK = 16384


@attrs.frozen(eq=False)
class Events:
    """The demand events of a panel, packed for the recursions.

    ``order`` sorts the series by number of demands ``k`` (descending); column ``j``
    of ``sizes`` / ``intervals`` is series ``order[j]``. ``k`` is in that order.
    ``rows``/``tpos``/``vals`` list every demand (series row, 0-based period, size) in
    panel order, for sums over events.
    """

    order: IntArray
    k: IntArray
    sizes: FloatArray
    intervals: FloatArray
    rows: IntArray
    tpos: IntArray
    vals: FloatArray


def pack_events(y: FloatArray) -> Events:
    """Pack each series' non-zero demands and inter-demand intervals, longest series first.

    The intervals follow statsforecast's ``_intervals``: ``diff(nonzero_index + 1,
    prepend=0)``, so the first is counted from the start of the series. Meant for a
    block of rows that fits in cache (the forecasters call it block by block).
    """
    n, t = y.shape
    nz = y != 0
    k = np.count_nonzero(nz, axis=1).astype(np.int64)
    flat = np.flatnonzero(nz)
    vals = y.ravel()[flat]
    rows = np.repeat(np.arange(n, dtype=np.int64), k)
    tpos = flat - rows * t
    order = stable_order(k, descending=True)
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.arange(n)
    starts = np.cumsum(k) - k
    rank = np.arange(flat.size, dtype=np.int64) - np.repeat(starts, k)
    kmax = max(int(k.max(initial=0)), 1)
    dest = rank * n
    dest += np.repeat(inv, k)
    sizes = np.zeros((kmax, n))
    sizes.ravel()[dest] = vals
    t1 = (tpos + 1).astype(np.float64)
    gaps = np.empty_like(t1)
    if t1.size:
        gaps[0] = t1[0]
        np.subtract(t1[1:], t1[:-1], out=gaps[1:])
        first = starts[k > 0]
        gaps[first] = t1[first]
    intervals = np.zeros((kmax, n))
    intervals.ravel()[dest] = gaps
    return Events(order=order, k=k[order], sizes=sizes, intervals=intervals, rows=rows, tpos=tpos, vals=vals)


def _widths(k: IntArray, kmax: int) -> list[int]:
    """``w[i]`` = number of columns with ``k > i`` (columns sorted by ``k`` descending)."""
    asc = k[::-1]
    widths: list[int] = (k.size - np.searchsorted(asc, np.arange(kmax), side="right")).tolist()
    return widths


def ses_forecast(xt: FloatArray, k: IntArray, alpha: FloatArray | float) -> FloatArray:
    """statsforecast ``ses_forecast(x, alpha)[0]`` for every column (``k >= 1``, sorted descending)."""
    kmax, m = xt.shape
    a = np.array(np.broadcast_to(np.asarray(alpha, dtype=np.float64), (m,)))
    comp = 1.0 - a
    f = xt[0].copy()
    tmp = np.empty(m)
    w = _widths(k, kmax)
    for i in range(1, kmax):
        wi = w[i]
        if wi == 0:
            break
        np.multiply(a[:wi], xt[i - 1, :wi], out=tmp[:wi])
        fv = f[:wi]
        fv *= comp[:wi]
        fv += tmp[:wi]
    idx = np.maximum(k - 1, 0)
    last = xt[idx, np.arange(m)]
    out: FloatArray = np.where(k <= 1, xt[0], a * last + comp * f)
    return out


def ses_forecast_fixed(xt: FloatArray, k: IntArray, alpha: float) -> FloatArray:
    """:func:`ses_forecast` with one ``alpha`` for every column."""
    return ses_forecast(xt, k, alpha)


class _SSE:
    """Evaluates statsforecast ``ses_sse(alpha, x)`` for every column of one chunk, in place."""

    def __init__(self, xt: FloatArray, k: IntArray) -> None:
        kmax, m = xt.shape
        self.m = m
        self.alpha = np.empty(m)
        self.comp = np.empty(m)
        self.f = np.empty(m)
        self.sse = np.empty(m)
        self.tmp = np.empty(m)
        self.x0 = xt[0]
        # one set of views per step: the loop does no slicing
        self.steps = [
            (
                self.alpha[:wi],
                self.comp[:wi],
                self.f[:wi],
                self.sse[:wi],
                self.tmp[:wi],
                xt[i - 1, :wi],
                xt[i, :wi],
            )
            for i, wi in enumerate(_widths(k, kmax))
            if i >= 1 and wi > 0
        ]

    def __call__(self, alpha: FloatArray) -> FloatArray:
        self.alpha[:] = alpha
        np.subtract(1.0, alpha, out=self.comp)
        self.f[:] = self.x0
        self.sse.fill(0.0)
        mul, sub, add = np.multiply, np.subtract, np.add
        for a, c, f, sse, tmp, xp, xc in self.steps:
            mul(a, xp, out=tmp)
            mul(f, c, out=f)
            add(f, tmp, out=f)  # alpha * x[i-1] + (1 - alpha) * f, as the C++ expression rounds
            sub(xc, f, out=tmp)
            mul(tmp, tmp, out=tmp)
            add(sse, tmp, out=sse)
        return self.sse


class _Select:
    """``out = where(mask, x, y)`` by bit operations: exact, branch-free and SIMD-fast.

    ``np.where`` and masked ``copyto`` run near 10 ns per element on a random mask;
    ``y ^ ((x ^ y) & mask)`` over the int64 views is a few in-place ufuncs.
    """

    def __init__(self, m: int) -> None:
        self.mask = np.empty(m, dtype=np.int64)
        self.tmp = np.empty(m, dtype=np.int64)

    def set(self, cond: npt.NDArray[np.bool_]) -> None:
        np.negative(cond, out=self.mask, dtype=np.int64, casting="unsafe")

    def __call__(self, x: FloatArray, y: FloatArray, out: FloatArray) -> FloatArray:
        xi, yi = x.view(np.int64), y.view(np.int64)
        np.bitwise_xor(xi, yi, out=self.tmp)
        self.tmp &= self.mask
        np.bitwise_xor(yi, self.tmp, out=out.view(np.int64))
        return out


def _golden_chunk(xt: FloatArray, k: IntArray, lower: float, upper: float) -> FloatArray:
    """statsforecast's golden-section loop for every column of one chunk, in lock step.

    A column stops when its bracket is narrower than 1e-12 or on a tie (``fc == fd``,
    e.g. sequences shorter than 2); its result ``(a + b) / 2`` is recorded then, and
    the column keeps stepping harmlessly with the others (cheaper than masking).
    """
    m = xt.shape[1]
    sse = _SSE(xt, k)
    a = np.full(m, lower)
    b = np.full(m, upper)
    c = b - (b - a) / _GR
    d = a + (b - a) / _GR
    fc = sse(c).copy()
    fd = sse(d).copy()
    result = np.empty(m)
    active = np.ones(m, dtype=bool)
    left = np.empty(m, dtype=bool)
    keep = np.empty(m, dtype=bool)
    tie = np.empty(m, dtype=bool)
    w = np.empty(m)
    p1 = np.empty(m)
    p2 = np.empty(m)
    point = np.empty(m)
    c2 = np.empty(m)
    fc2 = np.empty(m)
    sel = _Select(m)
    while True:
        np.less(fc, fd, out=left)
        np.subtract(b, a, out=w)
        np.abs(w, out=w)
        np.greater_equal(w, 1e-12, out=keep)
        np.less(fd, fc, out=tie)
        tie |= left
        keep &= tie
        if not keep.all():
            done = active & ~keep
            if done.any():
                np.copyto(result, (b + a) / 2.0, where=done)
                active &= keep
                if not active.any():
                    break
        # left: b = d; d = c; fd = fc; c = b - (b - a) / gr; fc = sse(c)
        # right: a = c; c = d; fc = fd; d = a + (b - a) / gr; fd = sse(d)
        sel.set(left)
        sel(d, b, b)
        sel(a, c, a)
        np.subtract(b, a, out=w)
        w /= _GR
        np.subtract(b, w, out=p1)
        np.add(a, w, out=p2)
        sel(p1, p2, point)
        sel(point, d, c2)
        sel(c, point, d)
        c, c2 = c2, c
        val = sse(point)
        sel(val, fd, fc2)
        sel(fc, val, fd)
        fc, fc2 = fc2, fc
    return result


def golden_section_ses(xt: FloatArray, k: IntArray, lower: float = 0.1, upper: float = 0.3) -> FloatArray:
    """statsforecast ``golden_section_ses(x, lower, upper)`` for every column, in lock step.

    ``xt`` is packed with columns sorted by ``k`` descending (see the module notes).
    Chunks of columns run separately so each step's vectors stay in cache.
    """
    m = xt.shape[1]
    out = np.empty(m)
    for lo in range(0, m, _CHUNK):
        hi = min(lo + _CHUNK, m)
        kc = k[lo:hi]
        kk = max(int(kc[0]), 1) if kc.size else 1
        out[lo:hi] = _golden_chunk(np.ascontiguousarray(xt[:kk, lo:hi]), kc, lower, upper)
    return out


def stable_order(keys: IntArray, *, descending: bool = False) -> IntArray:
    """``np.argsort(keys, kind="stable")`` (of ``-keys`` with ``descending``).

    Integer keys that fit in 16 bits (demand counts, aggregation levels) are sorted as int16,
    which NumPy sorts by radix: five times faster than int64 on a block of 32k series.
    """
    k = -keys if descending else keys
    if k.size and np.issubdtype(k.dtype, np.integer) and -(2**15) <= int(k.min()) and int(k.max()) < 2**15:
        k = k.astype(np.int16)
    order: IntArray = np.argsort(k, kind="stable")
    return order


def sort_packed(xt: FloatArray, k: IntArray) -> tuple[FloatArray, IntArray, IntArray]:
    """Reorder the columns of a packed matrix by ``k`` descending: ``(xt, k, order)``."""
    order = stable_order(k, descending=True)
    return np.ascontiguousarray(xt[:, order]), k[order], order


#: series per block of the time-loop kernel (a transposed block stays in L2 cache)
_TBLOCK = 4096
#: rows per sub-block of the row-layout passes (all of them run while it is in L1/L2)
_SUB = 256


@attrs.frozen(eq=False)
class FixedBlock:
    """Fixed-alpha Croston statistics of one block of series (see :func:`croston_fixed`)."""

    sizes: FloatArray
    intervals: FloatArray
    k: IntArray
    first: FloatArray
    s1: FloatArray
    s2: FloatArray
    count: bool
    weights: FloatArray


class BlockBuffers:
    """Work arrays reused from block to block (fresh large arrays cost page faults)."""

    def __init__(self, t: int, b: int) -> None:
        self.yt = np.empty((t, b))
        self.w = np.empty((t, b))
        self.d = np.empty((t, b), dtype=bool)
        self.nz = np.empty((b, t), dtype=bool)
        self.frac = np.empty((_SUB, t))
        self.bits = np.empty((_SUB, t), dtype=bool)


def croston_fixed(
    yb: FloatArray,
    alpha: float,
    prob_weights: FloatArray | None = None,
    *,
    intervals: bool = True,
    buffers: BlockBuffers | None = None,
    check_count: bool = True,
) -> FixedBlock:
    """SES (started at the first value, one ``alpha``) of the demand sizes and intervals of a block.

    Runs over time on the transposed block ``(periods, series)``: each step is a few
    in-place ufuncs over one contiguous row, ``L += w_t (x_t - L)`` with ``w_t =
    alpha`` in demand periods and 0 otherwise (the first demand initialises ``L``, so
    its own update is a no-op). The interval level uses the telescoped form
    ``c**k t_0 + alpha (S - (S - t_last) / c)``, where ``S`` (the SES of demand
    times) runs in the same loop. Agrees with statsforecast's recursion to rounding.
    ``prob_weights`` (length ``periods``) also returns ``weights @ (demand > 0)``;
    ``intervals=False`` skips the intervals (their field is then empty);
    ``check_count=False`` skips the integer check (``count`` is then False).
    """
    n, t = yb.shape
    buf = buffers if buffers is not None else BlockBuffers(t, n)
    # per-series statistics on the row layout, and the transposition, one cache-sized
    # sub-block at a time: each sub-block is read from memory once
    nz = buf.nz[:n]
    first = np.empty(n, dtype=np.int64)
    tlast = np.empty(n, dtype=np.int64)
    s2 = np.empty(n)
    yt = buf.yt[:, :n]
    d = buf.d[:, :n]
    w = buf.w[:, :n]
    count = check_count
    for lo in range(0, n, _SUB):
        hi = min(lo + _SUB, n)
        ys, nzs = yb[lo:hi], nz[lo:hi]
        np.not_equal(ys, 0.0, out=nzs)
        first[lo:hi] = nzs.argmax(axis=1)
        if intervals:
            tlast[lo:hi] = nzs[:, ::-1].argmax(axis=1)
        s2[lo:hi] = np.einsum("ij,ij->i", ys, ys)
        if count:
            frac, bits = buf.frac[: hi - lo], buf.bits[: hi - lo]
            np.floor(ys, out=frac)
            np.not_equal(ys, frac, out=bits)
            count = not bool(bits.any())
        yts, ds = yt[:, lo:hi], d[:, lo:hi]
        np.copyto(yts, ys.T)
        np.not_equal(yts, 0.0, out=ds)
        np.multiply(ds, alpha, out=w[:, lo:hi])
    level = yb[np.arange(n), first]
    ones = np.ones(t)
    s1 = ones @ yt
    k = np.rint((ones @ w) / alpha).astype(np.int64)  # w is alpha or 0: an exact count
    times = first + 1.0
    tmp = np.empty(n)
    sub, mul, add = np.subtract, np.multiply, np.add
    for s in range(t):
        ws = w[s]
        sub(yt[s], level, out=tmp)
        mul(tmp, ws, out=tmp)
        add(level, tmp, out=level)
        if intervals:
            sub(s + 1.0, times, out=tmp)
            mul(tmp, ws, out=tmp)
            add(times, tmp, out=times)
    if intervals:
        tlast_t = (t - tlast).astype(np.float64)
        c = 1.0 - alpha
        ck = c ** k.astype(np.float64)
        s_t = (times - ck * (first + 1.0)) / alpha
        ivals = times - alpha * (s_t - tlast_t) / c
    else:
        ivals = np.empty(0)
    weights = (prob_weights @ w) / alpha if prob_weights is not None else np.empty(0)
    return FixedBlock(
        sizes=level,
        intervals=ivals,
        k=k,
        first=nz[:, 0].astype(np.float64),
        s1=s1,
        s2=s2,
        count=count,
        weights=weights,
    )
