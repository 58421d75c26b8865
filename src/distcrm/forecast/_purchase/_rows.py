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
        sample = np.stack([x[idx], tx[idx], T[idx]], axis=1)
        if np.unique(sample, axis=0).shape[0] > 0.5 * _SAMPLE:
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

    @classmethod
    def from_summary(cls, summary: CustomerSummary) -> Rows:
        x, tx, T, w = _compress(summary.frequency, summary.recency, summary.T)
        ux, xi = np.unique(x, return_inverse=True)
        xi = xi.reshape(-1)
        ux_w = np.bincount(xi, weights=w, minlength=ux.shape[0])
        return cls(x, tx, T, w, ux, ux_w, xi, float(w.sum()))
