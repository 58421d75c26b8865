"""Compressed likelihood rows: unique ``(x, t_x, T)`` with weights, and unique ``x`` with counts."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.data import CustomerSummary

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_SAMPLE = 20_000


def _compress(
    x: FloatArray, tx: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Unique rows and their counts, via per-column ranks folded into one int64 key."""
    n = x.shape[0]
    if n > 4 * _SAMPLE:
        # Continuous recencies (synthetic or timestamp data) rarely repeat: sorting a million
        # rows to merge a handful costs more than it saves. Decide from a sample.
        idx = np.random.default_rng(0).choice(n, _SAMPLE, replace=False)
        if np.unique(T.take(idx)).shape[0] > 0.5 * _SAMPLE:  # distinct ages: distinct rows
            return x, tx, T, np.ones(n)
    ranks = []
    sizes = []
    for col in (x, tx, T):
        u, inv = np.unique(col, return_inverse=True)
        ranks.append(inv.reshape(-1).astype(np.int64))
        sizes.append(u.shape[0])
    if float(sizes[0]) * sizes[1] * sizes[2] < 2**62:
        key = (ranks[0] * sizes[1] + ranks[1]) * sizes[2] + ranks[2]
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
    else:  # pragma: no cover - needs > 2**62 distinct combinations
        stacked = np.stack([x, tx, T], axis=1)
        _, first, counts = np.unique(stacked, axis=0, return_index=True, return_counts=True)
    return x[first], tx[first], T[first], counts.astype(np.float64)


def _unique_counts(x: FloatArray, w: FloatArray) -> tuple[FloatArray, IntArray, FloatArray]:
    """Unique values of the (integer) frequencies, the row -> unique index, and total weights.

    Frequencies are whole numbers (``CustomerSummary`` checks it): a bincount is O(n)
    where ``np.unique`` would sort.
    """
    top = float(x.max()) if x.shape[0] else 0.0
    if top < 1e7 and float(x.min()) >= 0:
        xi_int = x.astype(np.intp)
        present = np.bincount(xi_int) > 0
        ux: FloatArray = np.flatnonzero(present).astype(np.float64)
        remap = np.cumsum(present) - 1
        xi = remap.take(xi_int).astype(np.intp, copy=False)
    else:  # pragma: no cover - absurd frequencies
        uniq, inv = np.unique(x, return_inverse=True)
        ux = np.asarray(uniq, dtype=np.float64)
        xi = inv.reshape(-1).astype(np.intp)
    ux_w = np.asarray(np.bincount(xi, weights=w, minlength=ux.shape[0]), dtype=np.float64)
    return ux, xi, ux_w


@attrs.frozen(eq=False)
class Rows:
    """What a likelihood needs: rows with weights, split by ``x > 0``, and unique ``x``."""

    x: FloatArray
    tx: FloatArray
    T: FloatArray
    w: FloatArray
    ux: FloatArray  # unique frequencies
    ux_w: FloatArray  # total weight per unique frequency
    xi: IntArray  # row -> index into ux
    n: float  # total weight (number of customers)
    # the same rows split into repeat buyers (x > 0) and the rest (x == 0, t_x == 0)
    xp: FloatArray
    txp: FloatArray
    Tp: FloatArray
    wp: FloatArray
    xip: IntArray
    T0: FloatArray
    w0: FloatArray
    wp_u: FloatArray  # total weight of the x > 0 rows per unique frequency

    @classmethod
    def build(cls, x: FloatArray, tx: FloatArray, T: FloatArray, w: FloatArray) -> Rows:
        """Rows from (already compressed) arrays and their weights."""
        ux, xi, ux_w = _unique_counts(x, w)
        # integer take is an order of magnitude faster than boolean-mask indexing
        pos = np.flatnonzero(x > 0)
        zero = np.flatnonzero(x <= 0)
        return cls(
            x, tx, T, w, ux, ux_w, xi, float(w.sum()),
            x.take(pos), tx.take(pos), T.take(pos), w.take(pos), xi.take(pos), T.take(zero), w.take(zero),
            np.where(ux > 0, ux_w, 0.0),
        )  # fmt: skip

    @classmethod
    def from_summary(cls, summary: CustomerSummary) -> Rows:
        """Compressed rows of a summary."""
        return cls.build(*_compress(summary.frequency, summary.recency, summary.T))

    def subsample(self, size: int, seed: int = 0) -> Rows:
        """A random subset of about ``size`` rows with weights scaled to the same total."""
        idx = np.sort(np.random.default_rng(seed).choice(self.x.shape[0], size, replace=False))
        w = self.w.take(idx)
        w = w * (self.n / float(w.sum()))
        return Rows.build(self.x.take(idx), self.tx.take(idx), self.T.take(idx), w)
