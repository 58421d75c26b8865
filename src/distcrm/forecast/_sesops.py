"""Vectorised simple exponential smoothing over many ragged sequences.

These reproduce statsforecast's ``ses_forecast``, ``ses_sse`` and
``golden_section_ses`` (``src/ses.cpp``) operation by operation, so the optimised
smoothing weights follow the same golden-section path and the forecasts agree to
rounding. Each routine works on a *padded, transposed* matrix ``xt`` of shape
``(K, m)``: column ``j`` holds sequence ``j`` in its first ``k[j]`` rows (the rest is
padding that never enters a result).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_GR = (math.sqrt(5.0) + 1.0) / 2.0


def compact(values: FloatArray, mask: npt.NDArray[np.bool_]) -> tuple[FloatArray, IntArray]:
    """Left-align the entries of each row of ``values`` where ``mask``: ``(K, n)`` transposed, counts."""
    k = mask.sum(axis=1).astype(np.int64)
    kmax = max(int(k.max(initial=0)), 1)
    out = np.zeros((kmax, values.shape[0]))
    rows, cols = np.nonzero(mask)
    rank = np.cumsum(mask, axis=1)[rows, cols] - 1
    out[rank, rows] = values[rows, cols]
    return out, k


def intervals(y: FloatArray) -> tuple[FloatArray, IntArray]:
    """statsforecast ``_intervals`` per row: ``diff(nonzero_index + 1, prepend=0)``, compacted."""
    nz = y != 0
    t = np.arange(1, y.shape[1] + 1, dtype=np.float64)
    # index+1 of the previous non-zero (0 before the first)
    prev = np.where(nz, t[None, :], 0.0)
    prev = np.maximum.accumulate(prev, axis=1)
    prev = np.concatenate([np.zeros((y.shape[0], 1)), prev[:, :-1]], axis=1)
    gaps = t[None, :] - prev
    return compact(gaps, nz)


def ses_forecast(xt: FloatArray, k: IntArray, alpha: FloatArray | float) -> FloatArray:
    """statsforecast ``ses_forecast(x, alpha)[0]`` for every column (``k >= 1``)."""
    m = xt.shape[1]
    a = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (m,))
    comp = 1.0 - a
    f = xt[0].copy()
    kk = int(k.max(initial=1))
    for i in range(1, kk):
        upd = a * xt[i - 1] + comp * f
        np.copyto(f, upd, where=i < k)
    idx = np.maximum(k - 1, 0)
    last = xt[idx, np.arange(m)]
    out: FloatArray = np.where(k == 1, xt[0], a * last + comp * f)
    return out


def ses_levels(xt: FloatArray, k: IntArray, alpha: FloatArray | float) -> FloatArray:
    """``lev[j]`` = the one-step forecast after the first ``j`` values (``j = 1..K``), shape ``(K+1, m)``.

    Row 0 is NaN (no forecast before the first value). ``lev[k]`` is the forecast.
    """
    kmax, m = xt.shape
    a = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (m,))
    comp = 1.0 - a
    lev = np.full((kmax + 1, m), np.nan)
    f = xt[0].copy()
    for i in range(1, kmax + 1):
        f = a * xt[i - 1] + comp * f
        lev[i] = f
    return lev


def ses_sse(xt: FloatArray, valid: FloatArray, kmax: int, alpha: FloatArray) -> FloatArray:
    """statsforecast ``ses_sse(alpha, x)`` for every column; ``valid[i]`` is 1.0 where row ``i`` is data."""
    comp = 1.0 - alpha
    f = xt[0].copy()
    sse: FloatArray = np.zeros_like(f)
    tmp = np.empty_like(f)
    for i in range(1, kmax):
        np.multiply(alpha, xt[i - 1], out=tmp)
        f *= comp
        f += tmp  # alpha * x[i-1] + comp * f, same rounding as the C++ expression
        np.subtract(xt[i], f, out=tmp)
        tmp *= tmp
        tmp *= valid[i]
        sse += tmp
    return sse


def golden_section_ses(xt: FloatArray, k: IntArray, lower: float = 0.1, upper: float = 0.3) -> FloatArray:
    """statsforecast ``golden_section_ses(x, lower, upper)`` for every column, in lock step."""
    m = xt.shape[1]
    kmax = int(k.max(initial=1))
    valid = (np.arange(xt.shape[0])[:, None] < k[None, :]).astype(np.float64)
    a = np.full(m, lower)
    b = np.full(m, upper)
    c = b - (b - a) / _GR
    d = a + (b - a) / _GR
    fc = ses_sse(xt, valid, kmax, c)
    fd = ses_sse(xt, valid, kmax, d)
    active = np.abs(b - a) >= 1e-12
    # short sequences (k < 2) have sse 0 everywhere: a tie, statsforecast stops at once
    while True:
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        fci, fdi = fc[idx], fd[idx]
        left = fci < fdi
        right = fdi < fci
        moving = left | right
        idx, left = idx[moving], left[moving]
        if idx.size == 0:
            break
        ai, bi, ci, di = a[idx], b[idx], c[idx], d[idx]
        # left: b = d; d = c; fd = fc; c = b - (b - a) / gr
        nb = np.where(left, di, bi)
        nd_left = ci
        na = np.where(left, ai, ci)  # right: a = c
        nc_right = di  # right: c = d
        new_c = nb - (nb - na) / _GR
        new_d = na + (nb - na) / _GR
        cc = np.where(left, new_c, nc_right)
        dd = np.where(left, nd_left, new_d)
        point = np.where(left, new_c, new_d)
        sub = xt[:, idx] if idx.size < m else xt
        vsub = valid[:, idx] if idx.size < m else valid
        kk = int(k[idx].max(initial=1))
        val = ses_sse(sub, vsub, kk, point)
        nfc = np.where(left, val, fd[idx])
        nfd = np.where(left, fc[idx], val)
        a[idx], b[idx], c[idx], d[idx], fc[idx], fd[idx] = na, nb, cc, dd, nfc, nfd
        active[:] = False
        active[idx] = np.abs(nb - na) >= 1e-12
    out: FloatArray = (b + a) / 2.0
    return out
