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
threads (the kernels release the GIL). Once half of a chunk's columns are done, the
others go on in a chunk of their own (:func:`_golden_finish`). IMAPA reads each chunk's
rows once and forms every aggregation level's bucket sums from that chunk
(:func:`bucket_ses_levels`). The fixed-weight methods (Croston, SBA, TSB)
copy blocks of 256 series transposed and run every series' recursions side by side.

Certified boundary paths
------------------------
Most demand sequences have their optimum at a bound (0.1 or 0.3: white-noise-like demand
favours the lowest weight). After :data:`_CERT_AFTER` evaluations, a column whose every
step went the same way has one known remaining path; :func:`_certify` proves that each of
its remaining comparisons comes out the same way as the computed SSEs would (a lower bound
on the slope over the bracket, from the exact first three derivatives at the bound and a
bound on the fourth, against a running bound on the rounding of each computed SSE), and
the column finishes without more evaluations. Proofs only ever replace evaluations whose
outcome they establish, so the weights stay bit-identical to the NumPy path.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

from distcrm.forecast._sesops import stable_order

__all__ = [
    "CHUNK",
    "bucket_ses",
    "bucket_ses_levels",
    "croston_optimized",
    "croston_rows",
    "golden_section_ses",
    "row_stats",
    "ses_forecast",
    "tsb_rows",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: columns per golden-section chunk (its packed rows stay in L2 cache)
CHUNK = 512
_GR = (math.sqrt(5.0) + 1.0) / 2.0

_njit: Any = numba.njit  # the kernels take and return arrays: typed Any at this boundary
_cgutils: Any = cgutils


def _jit(fn: Any = None, *, fastmath: Any = False) -> Any:
    """``numba.njit`` with our options; ``fastmath`` stays off unless a kernel asks."""
    wrap = _njit(nogil=True, cache=True, boundscheck=False, error_model="numpy", fastmath=fastmath)
    return wrap if fn is None else wrap(fn)


def _intrinsic(fn: Any) -> Any:
    """``numba.extending.intrinsic`` (typed ``Any``, like :func:`_jit`)."""
    return intrinsic(fn)


@_intrinsic
def _prefetch(typingctx: Any, arr: Any, i: Any, j: Any) -> Any:  # pragma: no cover - compiled
    """``_prefetch(arr, i, j)`` in a kernel: ask the CPU to start loading the cache line of
    ``arr[i, j]`` (a 2-D array), without waiting for it (LLVM's ``llvm.prefetch``: read,
    keep in all cache levels). The gathers read the rows of series in sorted, not memory,
    order; the hardware prefetcher cannot guess the next row, so each row's first cache
    lines would come from memory one after another."""
    sig = types.void(arr, i, j)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        inds = [
            context.cast(builder, v, t, types.intp) for v, t in zip(args[1:], signature.args[1:], strict=True)
        ]
        ptr = _cgutils.get_item_pointer(context, builder, aryty, ary, inds, wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = _cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), "llvm.prefetch.p0i8"
        )
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@_jit
def _prefetch_row(y: Any, r: int) -> None:  # pragma: no cover - compiled
    """:func:`_prefetch` every cache line of row ``r`` of ``y`` (float64: 8 per line, and the
    last element's, for a row that does not start on a line)."""
    t = y.shape[1]
    for q in range(0, t, 8):
        _prefetch(y, r, q)
    if t > 0:
        _prefetch(y, r, t - 1)


@_jit
def _sse(x: Any, w: Any, alpha: Any, f: Any, sse: Any) -> None:  # pragma: no cover - compiled
    """statsforecast ``ses_sse(alpha, x)`` for every column of a contiguous chunk ``x``.

    Per column: ``f = x[0]``; for ``i >= 1``: ``f = alpha * x[i-1] + (1 - alpha) * f``,
    ``sse += (x[i] - f) ** 2``. ``w[i]`` is the number of columns longer than ``i``
    (columns sorted longest first). Four time steps per pass over the columns (the
    state stays in registers; ``1 - alpha`` is recomputed each pass, which is cheaper
    than storing and loading it); columns that end inside a group of four take the
    group's first steps in :func:`_sse_tail`, which reads up to two rows past a
    column's end (``x`` has two spare rows below the longest column) and discards what
    it computes from them.
    """
    m = alpha.shape[0]
    kmax = w.shape[0]
    for j in range(m):
        f[j] = x[0, j]
        sse[j] = 0.0
    i = 1
    while i < kmax:
        w4 = w[i + 3] if i + 3 < kmax else 0
        for j in range(w4):
            a = alpha[j]
            c = 1.0 - a
            fj = f[j]
            s = sse[j]
            x0 = x[i - 1, j]
            x1 = x[i, j]
            x2 = x[i + 1, j]
            x3 = x[i + 2, j]
            x4 = x[i + 3, j]
            fj = a * x0 + c * fj
            e = x1 - fj
            s += e * e
            fj = a * x1 + c * fj
            e = x2 - fj
            s += e * e
            fj = a * x2 + c * fj
            e = x3 - fj
            s += e * e
            fj = a * x3 + c * fj
            e = x4 - fj
            s += e * e
            f[j] = fj
            sse[j] = s
        w1 = w[i]
        if w1 > w4:  # columns with one to three of these four steps
            w2 = w[i + 1] if i + 1 < kmax else 0
            w3 = w[i + 2] if i + 2 < kmax else 0
            _sse_tail(
                x[i - 1, w4:w1],
                x[i, w4:w1],
                x[i + 1, w4:w1],
                x[i + 2, w4:w1],
                alpha[w4:w1],
                f[w4:w1],
                sse[w4:w1],
                max(w2 - w4, 0),
                max(w3 - w4, 0),
            )
        i += 4


@_jit
def _sse_tail(
    x0: Any, x1: Any, x2: Any, x3: Any, alpha: Any, f: Any, sse: Any, n2: int, n3: int
) -> None:  # pragma: no cover - compiled
    """Three steps of :func:`_sse` for columns that have the first only, the first two
    (``j < n2``) or all three (``j < n3``): a step a column lacks is computed and its
    error dropped by a select, so the loop stays vectorised (the views start at zero:
    LLVM leaves a loop with another start scalar)."""
    for j in range(alpha.shape[0]):
        a = alpha[j]
        c = 1.0 - a
        fj = a * x0[j] + c * f[j]
        e = x1[j] - fj
        s = sse[j] + e * e
        fj = a * x1[j] + c * fj
        e = x2[j] - fj
        t = s + e * e
        s = t if j < n2 else s
        fj = a * x2[j] + c * fj
        e = x3[j] - fj
        t = s + e * e
        s = t if j < n3 else s
        f[j] = fj
        sse[j] = s


@_jit
def _widths(kl: Any) -> Any:  # pragma: no cover - compiled
    """``w[i]``: the columns longer than ``i`` (``kl`` sorted descending, every entry >= 1)."""
    k = kl.shape[0]
    w = np.empty(max(kl[0], 1) if k else 1, dtype=np.int64)
    j = 0
    for i in range(w.shape[0] - 1, -1, -1):  # i falling: the columns longer than i grow
        while j < k and kl[j] > i:
            j += 1
        w[i] = j
    return w


#: exact golden-section evaluations every column runs before boundary paths are certified
_CERT_AFTER = 10
_U = 2.0**-53  # unit roundoff of float64


@_jit
def _golden_run(
    x: Any,
    w: Any,
    a: Any,
    b: Any,
    c: Any,
    d: Any,
    fc: Any,
    fd: Any,
    active: Any,
    out: Any,
    max_evals: int,
    min_active: int = 0,
) -> int:  # pragma: no cover - compiled
    """statsforecast's golden-section loop for every column of the chunk ``x``, in lock step,
    from a state whose ``fc`` / ``fd`` hold the SSE at ``c`` / ``d``.

    A column stops when its bracket is narrower than 1e-12 or on a tie (``fc == fd``);
    its result ``(a + b) / 2`` is recorded then and it keeps stepping harmlessly with
    the others. One branch-free (vectorised) pass per iteration takes in the previous
    evaluation, tests for the end and places the next point; then one SSE evaluation.
    Returns 0 when every column is done (``fc`` / ``fd`` are then left as they came in, stale),
    or after ``max_evals`` evaluations, or after the first evaluation for which no more than
    ``min_active`` columns were still searching, the number of columns still searching,
    with the state left as on entry (``fc`` / ``fd`` at ``c`` / ``d``).
    """
    m = out.shape[0]
    pt = np.empty(m)
    f = np.empty(m)
    val = np.empty(m)
    keep = np.empty(m)
    left = np.empty(m, dtype=np.bool_)
    # the first pass reads fc / fd; the later ones take the values from the evaluation
    # (val, at the new point) and from keep (the other point); fc / fd are written back
    # only on leaving early, the one case whose caller reads them
    for j in range(m):
        keep[j] = fc[j]
        val[j] = fd[j]
        left[j] = False
    evals = 0
    while True:
        nactive = 0
        for j in range(m):
            # the new point was c (left) or d (right); the other value was kept
            # (every operand loaded unconditionally: a conditional load keeps the loop scalar)
            lft = left[j]
            v = val[j]
            kp = keep[j]
            fcj = v if lft else kp
            fdj = kp if lft else v
            aj = a[j]
            bj = b[j]
            cj = c[j]
            dj = d[j]
            lft = fcj < fdj
            go = (abs(bj - aj) >= 1e-12) & (lft | (fdj < fcj))
            act = active[j]
            out[j] = (bj + aj) / 2.0 if act & ~go else out[j]
            act = act & go
            active[j] = act
            nactive += act
            # left: b = d; d = c; fd = fc; c = b - (b - a) / gr; fc = sse(c)
            # right: a = c; c = d; fc = fd; d = a + (b - a) / gr; fd = sse(d)
            left[j] = lft
            na = aj if lft else cj
            nb = dj if lft else bj
            step = (nb - na) / _GR
            p = nb - step if lft else na + step
            a[j] = na
            b[j] = nb
            c[j] = p if lft else dj
            d[j] = cj if lft else p
            keep[j] = fcj if lft else fdj
            pt[j] = p
        if nactive == 0:
            return 0
        _sse(x, w, pt, f, val)
        evals += 1
        if evals >= max_evals or nactive <= min_active:
            for j in range(m):
                lft = left[j]
                v = val[j]
                kp = keep[j]
                fc[j] = v if lft else kp
                fd[j] = kp if lft else v
            return nactive


@_jit
def _cert_recur(
    a0: float, c0: float, xp: float, xi: float, f: float, g: float, h: float, k: float
) -> tuple[float, float, float, float, float]:  # pragma: no cover - compiled
    """One step of the level ``f`` and its first three derivatives ``g``, ``h``, ``k`` in the
    weight (``f^(n) = -n f^(n-1) + (1 - alpha) f^(n)`` of the previous step), and the error."""
    k = -3.0 * h + c0 * k
    h = -2.0 * g + c0 * h
    g = (xp - f) + c0 * g
    f = a0 * xp + c0 * f
    return f, g, h, k, xi - f


@_jit
def _cert_step(
    x: Any,
    i: int,
    lo: int,
    hi: int,
    alpha0: Any,
    f: Any,
    g: Any,
    h: Any,
    k: Any,
    s1: Any,
    s2: Any,
    s3: Any,
    sa: Any,
    sq: Any,
) -> None:  # pragma: no cover - compiled
    """One step (time ``i``) of :func:`_cert_bounds`' recursions for columns ``lo..hi``."""
    for j in range(lo, hi):
        a0 = alpha0[j]
        fj, gj, hj, kj, e = _cert_recur(a0, 1.0 - a0, x[i - 1, j], x[i, j], f[j], g[j], h[j], k[j])
        s1[j] -= e * gj
        s2[j] += gj * gj - e * hj
        s3[j] += (3.0 * gj) * hj - e * kj
        sa[j] += abs(e)
        sq[j] += e * e
        f[j] = fj
        g[j] = gj
        h[j] = hj
        k[j] = kj


@_jit
def _cert_bounds(
    x: Any,
    w: Any,
    kl: Any,
    alpha0: Any,
    alo: Any,
    wdt: Any,
    d1: Any,
    sl1: Any,
    d2: Any,
    d3: Any,
    m4: Any,
    e2: Any,
) -> None:  # pragma: no cover - compiled
    """Per column, the quantities :func:`_certify` needs, for weights in an interval of width
    ``wdt`` that holds ``alpha0`` and whose lowest weight is ``alo > 0``.

    With ``S`` the SSE in exact arithmetic (a polynomial in the weight), ``n`` steps, ``X``
    the largest ``|x|`` and ``R`` the range of the column (levels stay inside it, so every
    error is at most ``R`` and the level's ``k``-th derivative at most ``k! R / alpha^k``):

    * ``d1``: the computed ``S'(alpha0)``; ``sl1`` bounds its rounding error;
    * ``d2``: the computed ``|S''(alpha0)|`` plus a bound on its rounding error;
    * ``d3``: half of the computed ``|S'''(alpha0)|`` plus a bound on its rounding error;
    * ``m4``: a sixth of ``max |S''''| <= 120 n R^2 / alo^4`` over the interval, so that
      ``S'`` stays above ``d1 - sl1 - w (d2 + w (d3 + w m4))`` within ``w`` of ``alpha0``;
    * ``e2``: twice a bound on ``|computed SSE - S|`` anywhere in the interval. Running
      error analysis of statsforecast's recursion: each level is off by at most
      ``mu = 3.1 u X / alo``, each error by ``eta = mu + u (R + 2 mu)``; an error at
      ``alpha`` differs from the one computed at ``alpha0`` by at most
      ``b = wdt R / alo + 2 eta``. With ``e_i`` those computed at ``alpha0`` and
      ``B_i = |e_i| + b``: squares and their rounding add ``sum(2 eta B_i + u B_i^2)``
      and the running sum ``u n sum(B_i^2)``.
    """
    m = alpha0.shape[0]
    kmax = w.shape[0]
    xmax = np.empty(m)
    xmin = np.empty(m)
    f = np.empty(m)
    for j in range(m):
        xmax[j] = x[0, j]
        xmin[j] = x[0, j]
        f[j] = x[0, j]
    for i in range(1, kmax):
        for j in range(w[i]):
            v = x[i, j]
            xmax[j] = max(xmax[j], v)
            xmin[j] = min(xmin[j], v)
    g = np.zeros(m)
    h = np.zeros(m)
    k = np.zeros(m)
    s1 = np.zeros(m)
    s2 = np.zeros(m)
    s3 = np.zeros(m)
    sa = np.zeros(m)
    sq = np.zeros(m)
    i = 1
    while i < kmax:
        w4 = w[i + 3] if i + 3 < kmax else 0
        for j in range(w4):  # four steps per pass: the state stays in registers
            a0 = alpha0[j]
            c0 = 1.0 - a0
            fj = f[j]
            gj = g[j]
            hj = h[j]
            kj = k[j]
            t1 = s1[j]
            t2 = s2[j]
            t3 = s3[j]
            ta = sa[j]
            tq = sq[j]
            for q in range(4):
                fj, gj, hj, kj, e = _cert_recur(a0, c0, x[i - 1 + q, j], x[i + q, j], fj, gj, hj, kj)
                t1 -= e * gj
                t2 += gj * gj - e * hj
                t3 += (3.0 * gj) * hj - e * kj
                ta += abs(e)
                tq += e * e
            f[j] = fj
            g[j] = gj
            h[j] = hj
            k[j] = kj
            s1[j] = t1
            s2[j] = t2
            s3[j] = t3
            sa[j] = ta
            sq[j] = tq
        for q in range(4):  # columns with fewer than four of these steps
            if i + q < kmax and w[i + q] > w4:
                _cert_step(x, i + q, w4, w[i + q], alpha0, f, g, h, k, s1, s2, s3, sa, sq)
        i += 4
    for j in range(m):
        n = float(kl[j])
        big = max(abs(xmax[j]), abs(xmin[j]))
        rng = xmax[j] - xmin[j]
        al = alo[j]
        r2 = rng * rng
        mu = 3.1 * _U * big / al
        eta = mu + _U * (rng + 2.0 * mu)
        b = wdt[j] * rng / al + 2.0 * eta
        sb = sa[j] + n * b  # sum of B_i
        sb2 = sq[j] + 2.0 * b * sa[j] + n * b * b  # sum of B_i^2
        d1[j] = 2.0 * s1[j]  # the sums are of half the derivatives' terms
        # |S' terms| <= 2 R^2 / al and |S'' terms| <= 6 R^2 / al^2 bound the sums' rounding
        sl1[j] = n * _U * (2000.0 * big * rng / (al * al) + 4.0 * n * r2 / al)
        d2[j] = 2.0 * abs(s2[j]) + n * _U * (20000.0 * big * rng / (al * al * al) + 12.0 * n * r2 / (al * al))
        d3[j] = 0.5 * (
            2.0 * abs(s3[j])
            + n * _U * (2e5 * big * rng / (al * al * al * al) + 48.0 * n * r2 / (al * al * al))
        )
        m4[j] = 20.0 * n * r2 / (al * al * al * al) * (1.0 + 1e-6)
        e2[j] = 2.0 * (2.0 * eta * sb + _U * (n + 1.0) * sb2) * (1.0 + 1e-6)


#: longest golden-section path replayed by :func:`_boundary_path` (55 steps from [0.1, 0.3])
_MAX_STEPS = 256


@_jit
def _boundary_path(
    a: float, b: float, c: float, d: float, lft: bool, pa: Any, pb: Any, pc: Any, pd: Any
) -> int:  # pragma: no cover - compiled
    """The golden-section loop's brackets and points, with the loop's own arithmetic, when every
    step goes left (``lft``) or right from ``(a, b, c, d)``: state ``s`` (0-based) after step
    ``s + 1``. Returns the number of steps until the bracket is narrower than 1e-12 (at most
    ``_MAX_STEPS``; -1 if that is not enough)."""
    for s in range(pa.shape[0]):
        if not abs(b - a) >= 1e-12:
            return s
        na = a if lft else c
        nb = d if lft else b
        step = (nb - na) / _GR
        p = nb - step if lft else na + step
        c, d = (p, c) if lft else (d, p)
        a = na
        b = nb
        pa[s] = a
        pb[s] = b
        pc[s] = c
        pd[s] = d
    return -1 if abs(b - a) >= 1e-12 else pa.shape[0]


@_jit
def _proved(
    slope: float, wd: float, sl1: float, d2: float, d3: float, m4: float, gam: float, thr: float
) -> bool:  # pragma: no cover - compiled
    """Whether a comparison whose points lie within ``wd`` of the bound is certain:
    ``gam * wd`` (at most its gap) times the least slope there beats ``thr`` (twice the
    rounding bound). As a function of ``wd`` this is concave (the least slope is a constant
    minus a polynomial with non-negative coefficients)."""
    loss = sl1 + wd * (d2 + wd * (d3 + wd * m4))
    gmin = slope - loss - 4.0 * _U * (abs(slope) + loss)
    return gmin > 0.0 and gam * wd * gmin > thr


@_jit
def _certify(
    x: Any,
    w: Any,
    kl: Any,
    lower: float,
    upper: float,
    a: Any,
    b: Any,
    c: Any,
    d: Any,
    fc: Any,
    fd: Any,
    active: Any,
    out: Any,
    resumed: Any,
) -> int:  # pragma: no cover - compiled
    """Finish, without evaluating the SSE, the columns whose remaining golden-section path is provable.

    A column whose bracket still starts at ``lower`` (every step went left) or ends at
    ``upper`` (every step went right) is heading for that bound; all such columns share
    one state, so their remaining path is computed once (:func:`_boundary_path`). If the
    SSE's slope keeps its sign over the bracket with a margin that beats the rounding of
    every comparison still to come (``(d - c) * min|S'| > 2 E``, see :func:`_cert_bounds`),
    the column follows that path to its end: the result is recorded (``active`` cleared).
    A column with a comparison it cannot prove after at least one it can takes the proved
    steps: its bracket is left at the first unproved comparison and ``resumed`` set (its
    ``fc`` / ``fd`` must be evaluated again). Returns how many columns moved (finished or
    resumed).
    """
    m = out.shape[0]
    if not (0.0 < lower < upper <= 1.0):
        return 0
    cand = np.zeros(m, dtype=np.bool_)
    low = np.zeros(m, dtype=np.bool_)
    alpha0 = np.empty(m)
    alo = np.empty(m)
    wdt = np.empty(m)
    ncand = 0
    jl = -1
    jr = -1
    for j in range(m):
        lo_ = a[j] == lower
        hi_ = b[j] == upper
        # the comparison at hand is known: it must send the column on towards its bound
        ok = active[j] and (lo_ != hi_) and kl[j] >= 2 and ((fc[j] < fd[j]) if lo_ else (fd[j] < fc[j]))
        cand[j] = ok
        low[j] = lo_
        ncand += ok
        if ok and lo_:
            jl = j
        if ok and hi_:
            jr = j
        alpha0[j] = lower if lo_ else upper
        alo[j] = lower if lo_ else a[j]
        wdt[j] = (b[j] - lower) if lo_ else (upper - a[j])
    if ncand * 8 < m:  # too few to pay for the pass over the chunk
        return 0
    d1 = np.empty(m)
    sl1 = np.empty(m)
    d2 = np.empty(m)
    d3 = np.empty(m)
    m4 = np.empty(m)
    e2 = np.empty(m)
    _cert_bounds(x, w, kl, alpha0, alo, wdt, d1, sl1, d2, d3, m4, e2)
    pa = np.empty(_MAX_STEPS)
    pb = np.empty(_MAX_STEPS)
    pc = np.empty(_MAX_STEPS)
    pd = np.empty(_MAX_STEPS)
    moved = 0
    for side in range(2):
        lft = side == 0
        j0 = jl if lft else jr
        if j0 < 0:
            continue
        nsteps = _boundary_path(a[j0], b[j0], c[j0], d[j0], lft, pa, pb, pc, pd)
        if nsteps < 2:  # no comparison left to prove
            continue
        # states 0 .. nchk-1 are compared (their bracket is still wide); the last one is not
        nchk = nsteps - 1
        # every compared pair's gap is at least gam times the width its points span
        gam = np.inf
        for s in range(nchk):
            ws = (pb[s] - lower) if lft else (upper - pa[s])
            gam = min(gam, (pd[s] - pc[s]) / ws)
        gam *= 1.0 - 1e-12
        for j in range(m):
            if not (cand[j] and low[j] == lft):
                continue
            # _proved is concave in the width, which shrinks from state to state: the
            # proved states form a run, so checking its two ends proves it all; the run
            # must start at the first state, and then it ends where a bisection finds
            slope = d1[j] if lft else -d1[j]
            thr = e2[j] * (1.0 + 1e-9)
            args = (sl1[j], d2[j], d3[j], m4[j], gam, thr)
            w0 = (pb[0] - lower) if lft else (upper - pa[0])
            if not _proved(slope, w0, *args):
                continue
            s = 1  # states 0..s-1 proved; state hi not (or hi == nchk)
            hi = nchk
            wl = (pb[nchk - 1] - lower) if lft else (upper - pa[nchk - 1])
            if _proved(slope, wl, *args):  # both ends: the whole run (most columns)
                s = nchk
            while s < hi:
                mid = (s + hi) // 2
                ws = (pb[mid] - lower) if lft else (upper - pa[mid])
                if _proved(slope, ws, *args):
                    s = mid + 1
                else:
                    hi = mid
            if s == nchk:  # every comparison proved: the path runs to its end
                out[j] = (pb[nsteps - 1] + pa[nsteps - 1]) / 2.0
                active[j] = False
            else:  # states 0..s-1 proved: take steps 1..s+1; the pair of state s is compared for real
                a[j] = pa[s]
                b[j] = pb[s]
                c[j] = pc[s]
                d[j] = pd[s]
                resumed[j] = True
            moved += 1
    return moved


@_jit
def _golden_local(
    x: Any, w: Any, kl: Any, lower: float, upper: float, out: Any
) -> None:  # pragma: no cover - compiled
    """statsforecast's golden-section search for every column of the chunk ``x`` (bit-identical).

    :data:`_CERT_AFTER` evaluations run in lock step for every column; then the columns
    heading for a bound whose remaining path :func:`_certify` proves are finished
    without evaluations, those it proves part of the way resume where the proof stops,
    and the others run on; each of the last two groups gathered into a narrower chunk.
    """
    m = out.shape[0]
    a = np.empty(m)
    b = np.empty(m)
    c = np.empty(m)
    d = np.empty(m)
    fc = np.empty(m)
    fd = np.empty(m)
    f = np.empty(m)
    active = np.ones(m, dtype=np.bool_)
    for j in range(m):
        a[j] = lower
        b[j] = upper
        c[j] = b[j] - (b[j] - a[j]) / _GR
        d[j] = a[j] + (b[j] - a[j]) / _GR
    _sse(x, w, c, f, fc)
    _sse(x, w, d, f, fd)
    if _golden_run(x, w, a, b, c, d, fc, fd, active, out, _CERT_AFTER) == 0:
        return
    resumed = np.zeros(m, dtype=np.bool_)
    if _certify(x, w, kl, lower, upper, a, b, c, d, fc, fd, active, out, resumed) == 0:
        _golden_finish(x, w, kl, a, b, c, d, fc, fd, active, out)
        return
    # the columns still searching, in two chunks of their own: the resumed ones (a few
    # steps left, their values to evaluate again) and the others (their values are current)
    for fresh in (True, False):
        idx = np.flatnonzero(active & (resumed == fresh))
        if idx.shape[0] > 0:
            _golden_subset(x, kl, idx, a, b, c, d, fc, fd, fresh, out)


@_jit
def _gather_columns(x: Any, kl: Any, idx: Any) -> Any:  # pragma: no cover - compiled
    """Columns ``idx`` (ascending) of the chunk ``x`` as a chunk of their own (with its
    lengths and widths; two spare rows, as every chunk has)."""
    k = idx.shape[0]
    kl2 = np.empty(k, dtype=np.int64)
    for q in range(k):
        kl2[q] = kl[idx[q]]
    w2 = _widths(kl2)
    x2 = np.empty((w2.shape[0] + 2, k))
    for i in range(w2.shape[0]):
        row = x[i]
        dst = x2[i]
        for q in range(w2[i]):
            dst[q] = row[idx[q]]
        dst[w2[i] :] = 0.0
    x2[w2.shape[0] :] = 0.0
    return x2, w2, kl2


@_jit
def _golden_subset(
    x: Any, kl: Any, idx: Any, a: Any, b: Any, c: Any, d: Any, fc: Any, fd: Any, fresh: bool, out: Any
) -> None:  # pragma: no cover - compiled
    """The golden-section loop, to the end, on columns ``idx`` of a chunk gathered into a chunk
    of their own (in order, so still longest first); ``fresh``: evaluate ``fc`` / ``fd`` first."""
    k = idx.shape[0]
    x2, w2, kl2 = _gather_columns(x, kl, idx)
    a2 = a[idx]
    b2 = b[idx]
    c2 = c[idx]
    d2 = d[idx]
    fc2 = fc[idx]
    fd2 = fd[idx]
    if fresh:
        f = np.empty(k)
        _sse(x2, w2, c2, f, fc2)
        _sse(x2, w2, d2, f, fd2)
    out2 = np.empty(k)
    _golden_finish(x2, w2, kl2, a2, b2, c2, d2, fc2, fd2, np.ones(k, dtype=np.bool_), out2)
    for q in range(k):
        out[idx[q]] = out2[q]


#: narrowest chunk :func:`_golden_finish` gathers the columns still searching into
_MIN_GATHER = 16


@_jit
def _golden_finish(
    x: Any, w: Any, kl: Any, a: Any, b: Any, c: Any, d: Any, fc: Any, fd: Any, active: Any, out: Any
) -> None:  # pragma: no cover - compiled
    """:func:`_golden_run` to the end, from a state whose ``fc`` / ``fd`` hold the SSE at ``c`` / ``d``.

    The columns step in lock step until the last is done; once half of them are, the
    others go on in a chunk of their own (gathered in order, so still longest first),
    and so on, instead of every finished column stepping on with them.
    """
    m = out.shape[0]
    home = np.arange(m)  # column of the current chunk -> column of the caller's
    xc, wc, klc, outc, actc = x, w, kl, out, active
    ac, bc, cc, dc, fcc, fdc = a, b, c, d, fc, fd
    while True:
        mc = home.shape[0]
        floor = mc // 2 if mc >= 2 * _MIN_GATHER else 0
        left = _golden_run(xc, wc, ac, bc, cc, dc, fcc, fdc, actc, outc, 1 << 30, floor)
        for q in range(mc):  # results home (for the chunk itself, a no-op)
            if not actc[q]:
                out[home[q]] = outc[q]
        if left == 0:
            return
        idx = np.flatnonzero(actc)
        k = idx.shape[0]
        xc, wc, klc = _gather_columns(xc, klc, idx)
        ac, bc, cc, dc, fcc, fdc = ac[idx], bc[idx], cc[idx], dc[idx], fcc[idx], fdc[idx]
        outc = np.empty(k)
        actc = np.ones(k, dtype=np.bool_)
        home = home[idx]


@_jit
def _forecast_local(x: Any, kl: Any, w: Any, alpha: Any, out: Any) -> None:  # pragma: no cover - compiled
    """statsforecast ``ses_forecast(x, alpha)[0]`` for every column of the chunk ``x``."""
    m = out.shape[0]
    f = np.empty(m)
    comp = np.empty(m)
    for j in range(m):
        f[j] = x[0, j]
        comp[j] = 1.0 - alpha[j]
    for i in range(1, w.shape[0]):
        for j in range(w[i]):
            f[j] = alpha[j] * x[i - 1, j] + comp[j] * f[j]
    for j in range(m):
        if kl[j] <= 1:
            out[j] = x[0, j]
        else:
            out[j] = alpha[j] * x[kl[j] - 1, j] + comp[j] * f[j]


@_jit
def _packed_chunk(
    xt: Any, k: Any, alpha: Any, lo: int, hi: int, lower: float, upper: float, search: bool, out: Any
) -> None:  # pragma: no cover - compiled
    """Columns ``lo..hi`` of a packed matrix: copy them contiguous (rows of the full matrix
    lie a near power-of-two stride apart and would share cache sets), then either the
    golden-section search (``search``: weights into ``out``) or the forecast with ``alpha``."""
    kl = k[lo:hi]
    w = _widths(kl)
    x = np.zeros((w.shape[0] + 2, hi - lo))
    for i in range(w.shape[0]):
        for j in range(w[i]):
            x[i, j] = xt[i, lo + j]
    if search:
        _golden_local(x, w, kl, lower, upper, out[lo:hi])
    else:
        _forecast_local(x, kl, w, alpha[lo:hi], out[lo:hi])


@_jit
def _packed_range(
    xt: Any, k: Any, alpha: Any, first: int, last: int, lower: float, upper: float, search: bool, out: Any
) -> None:  # pragma: no cover - compiled
    for lo in range(first, last, CHUNK):
        _packed_chunk(xt, k, alpha, lo, min(lo + CHUNK, last), lower, upper, search, out)


@_jit
def _pairs_range(
    y: Any, order: Any, k: Any, first: int, last: int, lower: float, upper: float, alpha: Any, z: Any
) -> None:  # pragma: no cover - compiled
    """Optimised Croston for series ``order[first:last]`` (sorted by demands, most first).

    Per chunk, the demand sizes and intervals of its series are gathered from the rows
    of ``y`` into one contiguous matrix (sizes in even columns, intervals in odd ones),
    the golden-section search runs over both, then the forecasts; ``alpha`` / ``z``
    (length ``2 * len(order)``) receive the weights / forecasts at ``2j`` and ``2j + 1``.
    ``k[r]`` must be the number of non-zero entries of ``y[r]``: the branch-free gather
    writes one row past a column's last demand, into the two spare rows at most.
    """
    half = CHUNK // 2
    t = y.shape[1]
    for lo in range(first, last, half):
        hi = min(lo + half, last)
        m = 2 * (hi - lo)
        kl = np.empty(m, dtype=np.int64)
        for j in range(hi - lo):
            kj = max(k[order[lo + j]], 1)
            kl[2 * j] = kj
            kl[2 * j + 1] = kj
        w = _widths(kl)
        x = np.zeros((w.shape[0] + 2, m))
        for j in range(hi - lo):
            r = order[lo + j]
            if j + 2 < hi - lo:  # two series ahead: their rows arrive while these are read
                _prefetch_row(y, order[lo + j + 2])
            n = 0
            last_t = 0
            for s in range(t):  # branch-free: every period writes row n, a demand moves n on
                v = y[r, s]
                nz = v != 0.0
                x[n, 2 * j] = v
                x[n, 2 * j + 1] = float(s + 1 - last_t)
                last_t = s + 1 if nz else last_t
                n += nz
            if n == 0:  # no demand: statsforecast smooths one zero
                x[0, 2 * j] = 0.0
                x[0, 2 * j + 1] = 0.0
        a = alpha[2 * lo : 2 * hi]
        _golden_local(x, w, kl, lower, upper, a)
        _forecast_local(x, kl, w, a, z[2 * lo : 2 * hi])


@_jit
def _bucket_sums(
    y: Any, series: Any, lv: Any, lo: int, kl: Any, x: Any
) -> None:  # pragma: no cover - compiled
    """Column ``j`` of ``x``: the sums of buckets of ``lv[lo + j]`` periods of series
    ``series[lo + j]`` (oldest remainder dropped), each added in time order from 0.0.

    Four columns of one bucket size at a time (``lv`` ascending): their four sums are
    independent, and each row of ``x`` receives four neighbouring values per visit
    (writing one column at a time down the rows costs about twice as much).
    """
    t = y.shape[1]
    m = kl.shape[0]
    j = 0
    while j < m:
        if j + 3 < m and lv[lo + j] == lv[lo + j + 3]:
            size = lv[lo + j]
            off = t % size
            r0 = series[lo + j]
            r1 = series[lo + j + 1]
            r2 = series[lo + j + 2]
            r3 = series[lo + j + 3]
            for jj in range(j + 4, min(j + 8, m)):  # the next four rows, while these are summed
                _prefetch_row(y, series[lo + jj])
            for b in range(kl[j]):
                base = off + b * size
                a0 = 0.0
                a1 = 0.0
                a2 = 0.0
                a3 = 0.0
                for q in range(base, base + size):
                    a0 += y[r0, q]
                    a1 += y[r1, q]
                    a2 += y[r2, q]
                    a3 += y[r3, q]
                x[b, j] = a0
                x[b, j + 1] = a1
                x[b, j + 2] = a2
                x[b, j + 3] = a3
            j += 4
        else:
            r = series[lo + j]
            size = lv[lo + j]
            off = t % size
            for b in range(kl[j]):
                acc = 0.0
                base = off + b * size
                for q in range(size):
                    acc += y[r, base + q]
                x[b, j] = acc
            j += 1


@_jit
def _buckets_range(
    y: Any, series: Any, lv: Any, first: int, last: int, lower: float, upper: float, out: Any
) -> None:  # pragma: no cover - compiled
    """Optimised SES of the bucket sums of series ``series[first:last]`` (``lv`` ascending).

    Per chunk, the sums of non-overlapping buckets of ``lv[j]`` periods (oldest
    remainder dropped, added in time order) are written straight into one contiguous
    matrix; ``out[j]`` receives the forecast of the next bucket.
    """
    t = y.shape[1]
    for lo in range(first, last, CHUNK):
        hi = min(lo + CHUNK, last)
        m = hi - lo
        kl = np.empty(m, dtype=np.int64)
        for j in range(m):
            kl[j] = t // lv[lo + j]
        w = _widths(kl)
        x = np.zeros((w.shape[0] + 2, m))
        _bucket_sums(y, series, lv, lo, kl, x)
        alpha = np.empty(m)
        _golden_local(x, w, kl, lower, upper, alpha)
        _forecast_local(x, kl, w, alpha, out[lo:hi])


@_jit
def _levels_chunk(
    y: Any, series: Any, top: Any, lo: int, hi: int, maxlv: int, offs: Any, out: Any
) -> None:  # pragma: no cover - compiled
    """Optimised SES of the bucket sums of series ``series[lo:hi]`` at every level from 1 to
    ``min(top[j], maxlv)`` (``top`` descending: the columns of a level are a prefix).

    The rows are read once, into the level-1 chunk (the series as they are); each longer
    bucket's sums are then added from that chunk, which is still in cache, in time order
    from 0.0 (as :func:`_bucket_sums` adds them from the rows). ``out[offs[lv] + j]``
    receives the forecast of the next bucket of ``lv`` periods of series ``series[j]``.
    """
    t = y.shape[1]
    m = hi - lo
    kl = np.full(m, t, dtype=np.int64)
    w = _widths(kl)
    x1 = np.zeros((t + 2, m))
    _bucket_sums(y, series[lo:hi], np.ones(m, dtype=np.int64), 0, kl, x1)
    alpha = np.empty(m)
    _golden_local(x1, w, kl, 0.1, 0.3, alpha)
    _forecast_local(x1, kl, w, alpha, out[offs[1] + lo : offs[1] + hi])
    lv = 2
    while lv <= maxlv:
        ml = 0
        while ml < m and top[lo + ml] >= lv:
            ml += 1
        if ml == 0:
            break
        c = t // lv
        off = t % lv
        x = np.zeros((c + 2, ml))
        for b in range(c):
            for q in range(off + b * lv, off + (b + 1) * lv):
                for j in range(ml):
                    x[b, j] += x1[q, j]
        klv = np.full(ml, c, dtype=np.int64)
        wl = _widths(klv)
        al = alpha[:ml]
        _golden_local(x, wl, klv, 0.1, 0.3, al)
        _forecast_local(x, klv, wl, al, out[offs[lv] + lo : offs[lv] + lo + ml])
        lv += 1


@_jit
def _levels_range(
    y: Any, series: Any, top: Any, first: int, last: int, maxlv: int, offs: Any, out: Any
) -> None:  # pragma: no cover - compiled
    for lo in range(first, last, CHUNK):
        _levels_chunk(y, series, top, lo, min(lo + CHUNK, last), maxlv, offs, out)


def bucket_ses_levels(
    y: FloatArray, series: IntArray, top: IntArray, maxlv: int, n_threads: int = 1
) -> list[FloatArray]:
    """Optimised SES (alpha in [0.1, 0.3]) of the bucket sums of every series at every
    level it has, all levels of a chunk of series from one read of their rows.

    ``series`` are the series with ``top >= 1``, ``top`` their top level, descending.
    Returns, for each level ``lv`` from 1 to ``maxlv``, the forecasts of the series
    ``series[:m]`` with ``top >= lv`` (as :func:`bucket_ses` gives them for that level).
    """
    y = np.ascontiguousarray(y, dtype=np.float64)
    series = np.ascontiguousarray(series, dtype=np.int64)
    top = np.ascontiguousarray(top, dtype=np.int64)
    sizes = [int(np.searchsorted(-top, -lv, side="right")) for lv in range(1, maxlv + 1)]
    offs = np.zeros(maxlv + 2, dtype=np.int64)
    offs[2:] = np.cumsum(sizes)
    out = np.empty(int(offs[-1]))
    _in_threads(
        lambda a, b: _levels_range(y, series, top, a, b, maxlv, offs, out), series.size, CHUNK, n_threads
    )
    return [out[offs[lv] : offs[lv] + sizes[lv - 1]] for lv in range(1, maxlv + 1)]


def _in_threads(run: Any, m: int, step: int, n_threads: int) -> None:
    """``run(first, last)`` over ``0..m`` in whole chunks, on ``n_threads`` threads.

    One task per chunk: the pool hands them out as threads come free (columns are
    sorted longest first, so equal column counts are not equal work).
    """
    if n_threads <= 1 or m <= step:
        run(0, m)
        return
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        list(pool.map(lambda lo: run(lo, min(lo + step, m)), range(0, m, step)))


def golden_section_ses(
    xt: FloatArray, k: IntArray, lower: float = 0.1, upper: float = 0.3, n_threads: int = 1
) -> FloatArray:
    """:func:`distcrm.forecast._sesops.golden_section_ses`, compiled (bit-identical)."""
    xt = np.ascontiguousarray(xt, dtype=np.float64)
    k = np.ascontiguousarray(np.maximum(k, 1), dtype=np.int64)
    out = np.empty(xt.shape[1])
    none = np.empty(0)
    _in_threads(
        lambda a, b: _packed_range(xt, k, none, a, b, lower, upper, True, out), out.size, CHUNK, n_threads
    )
    return out


def ses_forecast(xt: FloatArray, k: IntArray, alpha: FloatArray | float) -> FloatArray:
    """:func:`distcrm.forecast._sesops.ses_forecast`, compiled (bit-identical)."""
    xt = np.ascontiguousarray(xt, dtype=np.float64)
    k = np.ascontiguousarray(np.maximum(k, 1), dtype=np.int64)
    m = xt.shape[1]
    a = np.ascontiguousarray(np.broadcast_to(np.asarray(alpha, dtype=np.float64), (m,)))
    out = np.empty(m)
    _packed_range(xt, k, a, 0, m, 0.0, 0.0, False, out)
    return out


def croston_optimized(y: FloatArray, k: IntArray, n_threads: int = 1) -> dict[str, Any]:
    """Golden-section SES (alpha in [0.1, 0.3]) of every series' demand sizes and intervals.

    ``k`` is each row's number of non-zero entries, exactly (as :func:`row_stats` counts
    them). Returns ``order`` (series by demands, most first, stable) and, in that order,
    ``alpha_demand`` / ``alpha_interval`` and the smoothed ``sizes`` / ``intervals``.
    """
    order = stable_order(k, descending=True)
    n = order.size
    alpha = np.empty(2 * n)
    z = np.empty(2 * n)
    y = np.ascontiguousarray(y, dtype=np.float64)
    k = np.ascontiguousarray(k, dtype=np.int64)
    _in_threads(lambda a, b: _pairs_range(y, order, k, a, b, 0.1, 0.3, alpha, z), n, CHUNK // 2, n_threads)
    return {
        "order": order,
        "alpha_demand": alpha[0::2],
        "alpha_interval": alpha[1::2],
        "sizes": z[0::2],
        "intervals": z[1::2],
    }


def bucket_ses(y: FloatArray, series: IntArray, lv: IntArray, n_threads: int = 1) -> FloatArray:
    """Forecast of optimised SES (alpha in [0.1, 0.3]) of the bucket sums of each series.

    ``series[j]`` is summed in buckets of ``lv[j]`` periods (``lv`` ascending, so the
    bucket series come longest first).
    """
    y = np.ascontiguousarray(y, dtype=np.float64)
    series = np.ascontiguousarray(series, dtype=np.int64)
    lv = np.ascontiguousarray(lv, dtype=np.int64)
    out = np.empty(series.size)
    _in_threads(
        lambda a, b: _buckets_range(y, series, lv, a, b, 0.1, 0.3, out), series.size, CHUNK, n_threads
    )
    return out


@_jit(fastmath={"reassoc"})  # type: ignore[untyped-decorator]
def _row_stats(
    y: Any, lo: int, hi: int, k: Any, s1: Any, s2: Any, isint: Any, last: Any, bad: Any
) -> None:  # pragma: no cover - compiled
    """Branch-free statistics of rows ``lo..hi`` (the sums may be added in any order: they feed variances).

    ``bad[r]`` counts the NaN and negative values of row ``r`` (the forecasters' check of
    the values, in the same pass)."""
    for r in range(lo, hi):
        n = 0
        nb = 0
        pos = -1
        tot = 0.0
        sq = 0.0
        frac = 0.0
        for s in range(y.shape[1]):
            v = y[r, s]
            tot += v
            sq += v * v
            frac += abs(v - math.floor(v))
            nz = v != 0.0
            n += nz
            nb += (v < 0.0) | (v != v)
            pos = max(pos, s if nz else -1)  # a max reduction vectorises; a last-match select does not
        k[r] = n
        s1[r] = tot
        s2[r] = sq
        isint[r] = frac == 0.0
        last[r] = pos
        bad[r] = nb


def row_stats(y: FloatArray, n_threads: int = 1) -> dict[str, Any]:
    """Per series: demands ``k``, sum ``s1``, sum of squares ``s2``, all-integer ``isint``, last demand
    period ``last`` (-1: none), and ``bad``, the number of NaN or negative values."""
    n = y.shape[0]
    out = {
        "k": np.empty(n, dtype=np.int64),
        "s1": np.empty(n),
        "s2": np.empty(n),
        "isint": np.empty(n, dtype=np.bool_),
        "last": np.empty(n, dtype=np.int64),
        "bad": np.empty(n, dtype=np.int64),
    }
    y = np.ascontiguousarray(y, dtype=np.float64)
    # equal row ranges, one per thread (every row costs the same)
    _in_threads(
        lambda a, b: _row_stats(
            y, a, b, out["k"], out["s1"], out["s2"], out["isint"], out["last"], out["bad"]
        ),
        n,
        max(1024, -(-n // max(n_threads, 1))),
        n_threads,
    )
    return out


#: series per block of the fixed-weight kernel (its transposed copy stays in L2 cache)
_ROWS = 256


@_jit
def _fixed_rows(
    y: Any,
    lo: int,
    hi: int,
    tsb: bool,
    alpha: float,
    alpha2: float,
    sizes: Any,
    second: Any,
    k: Any,
    s1: Any,
    s2: Any,
    isint: Any,
    bad: Any,
) -> None:  # pragma: no cover - compiled
    """Croston (``tsb=False``) or TSB for rows ``lo..hi``, blocks of :data:`_ROWS` series side by side.

    Each block is copied transposed (periods x series), then every period updates all
    its series with branch-free selects (vectorised): per series it is statsforecast's
    ``ses_forecast`` of the demand sizes (``alpha``) and of the intervals (Croston) or of
    the 0/1 demand indicator over every period (TSB, ``alpha2``), in the same
    operations as statsforecast's scalar loops. ``bad`` receives each row's number of NaN
    or negative values (the forecasters' check of the values, in the same pass).
    """
    t = y.shape[1]
    c = 1.0 - alpha
    c2 = 1.0 - alpha2
    xt = np.empty((t, _ROWS))
    fd = np.empty(_ROWS)
    pd = np.empty(_ROWS)
    f2 = np.empty(_ROWS)
    p2 = np.empty(_ROWS)
    last = np.empty(_ROWS)
    cnt = np.empty(_ROWS, dtype=np.int64)
    tot = np.empty(_ROWS)
    sq = np.empty(_ROWS)
    frac = np.empty(_ROWS)
    for b0 in range(lo, hi, _ROWS):
        m = min(_ROWS, hi - b0)
        for j in range(m):
            nb = 0
            for s in range(t):
                v = y[b0 + j, s]
                xt[s, j] = v
                nb += (v < 0.0) | (v != v)
            bad[b0 + j] = nb
        for j in range(m):
            fd[j] = 0.0
            pd[j] = 0.0
            last[j] = 0.0
            cnt[j] = 0
            tot[j] = 0.0
            sq[j] = 0.0
            frac[j] = 0.0
            if tsb:
                p = 1.0 if xt[0, j] != 0.0 else 0.0
                f2[j] = p
                p2[j] = p
            else:
                f2[j] = 0.0
                p2[j] = 0.0
        for s in range(t):
            ts = s + 1.0
            xs = xt[s]
            if tsb:
                for j in range(m):
                    v = xs[j]
                    nz = v != 0.0
                    tot[j] += v
                    sq[j] += v * v
                    frac[j] += abs(v - math.floor(v))
                    nd = v if cnt[j] == 0 else alpha * pd[j] + c * fd[j]
                    fd[j] = nd if nz else fd[j]
                    pd[j] = v if nz else pd[j]
                    cnt[j] += nz
                if s > 0:
                    for j in range(m):
                        f2[j] = alpha2 * p2[j] + c2 * f2[j]
                        p2[j] = 1.0 if xs[j] != 0.0 else 0.0
            else:
                for j in range(m):
                    v = xs[j]
                    nz = v != 0.0
                    first = cnt[j] == 0
                    tot[j] += v
                    sq[j] += v * v
                    frac[j] += abs(v - math.floor(v))
                    nd = v if first else alpha * pd[j] + c * fd[j]
                    fd[j] = nd if nz else fd[j]
                    pd[j] = v if nz else pd[j]
                    iv = ts - last[j]
                    ni = iv if first else alpha * p2[j] + c * f2[j]
                    f2[j] = ni if nz else f2[j]
                    p2[j] = iv if nz else p2[j]
                    last[j] = ts if nz else last[j]
                    cnt[j] += nz
        for j in range(m):
            r = b0 + j
            n = cnt[j]
            k[r] = n
            s1[r] = tot[j]
            s2[r] = sq[j]
            isint[r] = frac[j] == 0.0
            sizes[r] = pd[j] if n <= 1 else alpha * pd[j] + c * fd[j]
            if tsb:
                second[r] = f2[j] if t <= 1 else alpha2 * p2[j] + c2 * f2[j]
            else:
                second[r] = p2[j] if n <= 1 else alpha * p2[j] + c * f2[j]


def _fixed(y: FloatArray, tsb: bool, alpha: float, alpha2: float, n_threads: int) -> dict[str, Any]:
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = y.shape[0]
    out = {
        "sizes": np.empty(n),
        "second": np.empty(n),
        "k": np.empty(n, dtype=np.int64),
        "s1": np.empty(n),
        "s2": np.empty(n),
        "isint": np.empty(n, dtype=np.bool_),
        "bad": np.empty(n, dtype=np.int64),
    }
    args = (
        tsb,
        float(alpha),
        float(alpha2),
        out["sizes"],
        out["second"],
        out["k"],
        out["s1"],
        out["s2"],
        out["isint"],
        out["bad"],
    )
    # equal row ranges, one per thread (every row costs the same)
    _in_threads(
        lambda a, b: _fixed_rows(y, a, b, *args), n, max(_ROWS, -(-n // max(n_threads, 1))), n_threads
    )
    return out


def croston_rows(y: FloatArray, alpha: float, n_threads: int = 1) -> dict[str, Any]:
    """Per series: SES forecasts of the demand ``sizes`` and ``intervals`` (statsforecast's
    recursions), demands ``k``, sum ``s1``, sum of squares ``s2``, all-integer ``isint``, and
    ``bad``, the number of NaN or negative values."""
    out = _fixed(y, False, alpha, 0.0, n_threads)
    out["intervals"] = out.pop("second")
    return out


def tsb_rows(y: FloatArray, alpha_d: float, alpha_p: float, n_threads: int = 1) -> dict[str, Any]:
    """Per series: SES forecasts of the demand ``sizes`` and of the demand probability ``prob``,
    and the row statistics of :func:`croston_rows`."""
    out = _fixed(y, True, alpha_d, alpha_p, n_threads)
    out["prob"] = out.pop("second")
    return out
