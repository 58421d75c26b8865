"""Grouping rows by period, segment and territory; the ``KPITable`` result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm.data._periods import PERIODS, period_index, period_start
from distcrm.errors import ValidationError
from distcrm.kpi._table import Table

__all__ = ["Grouping", "KPITable", "group_rows", "period_labels", "resolve_labels"]

IntArray = npt.NDArray[np.int64]


class KPITable(Table):
    """A :class:`Table` of KPIs with one row per (period, segment, territory) group.

    Examples
    --------
    >>> t = KPITable({"period": ["2024-01", "2024-02"], "revenue": [1.0, 2.0]}, index=("period",))
    >>> t.metric("revenue").tolist()
    [1.0, 2.0]
    """

    __slots__ = ()

    def metric(self, name: str) -> npt.NDArray[Any]:
        """The column ``name`` (same as ``table[name]``)."""
        return self[name]

    def plot(self, metric: str, ax: Any = None) -> Any:
        """Line chart of ``metric`` by period, one line per segment/territory group."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="KPITable.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        y = np.asarray(self[metric], dtype=np.float64)
        others = [c for c in self.index if c != "period"]
        if "period" in self:
            x = self["period"].astype(str)
            if others:
                labels = np.array([" / ".join(str(self[c][i]) for c in others) for i in range(len(self))])
                for lab in dict.fromkeys(labels.tolist()):
                    m = labels == lab
                    ax.plot(x[m], y[m], marker="o", label=lab)
                ax.legend(fontsize="small")
            else:
                ax.plot(x, y, marker="o")
            ax.set_xlabel("period")
            ax.tick_params(axis="x", labelrotation=45)
        else:
            labels = np.array([" / ".join(str(self[c][i]) for c in others) for i in range(len(self))])
            ax.bar(labels, y)
        ax.set_ylabel(metric)
        ax.set_title(self.title or metric)
        return ax


def period_labels(codes: IntArray, freq: str) -> npt.NDArray[np.object_]:
    """Readable labels of period codes: ``2024-01`` for months, the Monday for weeks."""
    start = period_start(codes, freq)
    if freq == "M":
        return np.array([str(s)[:7] for s in start.astype("datetime64[M]")], dtype=object)
    if freq == "Y":
        return np.array([str(s)[:4] for s in start.astype("datetime64[Y]")], dtype=object)
    return np.array([str(s) for s in start], dtype=object)


def resolve_labels(
    field: str, labels: Any, n_rows: int, customer_codes: IntArray | None = None, customer_ids: Any = None
) -> npt.NDArray[np.object_] | None:
    """Per-row labels from a per-row array, a per-customer array or a mapping id → label.

    Rows whose customer is missing from a mapping get the label ``"(none)"``.
    """
    if labels is None:
        return None
    if isinstance(labels, Mapping):
        if customer_codes is None or customer_ids is None:
            raise ValidationError.single(field, "mapping", "a mapping needs customer ids on the rows")
        per_customer = np.array(
            [labels.get(c, "(none)") for c in np.asarray(customer_ids).tolist()], dtype=object
        )
        return per_customer[customer_codes]
    arr = np.asarray(labels, dtype=object)
    if arr.ndim != 1:
        raise ValidationError.single(field, arr.shape, "must be 1-dimensional")
    if arr.shape[0] == n_rows:
        return arr
    if customer_codes is not None and customer_ids is not None and arr.shape[0] == len(customer_ids):
        return arr[customer_codes]
    raise ValidationError.single(field, arr.shape[0], f"must have one label per row ({n_rows})")


class Grouping:
    """Row → group index for the combination of period, segment and territory."""

    def __init__(self, index: IntArray, keys: dict[str, npt.NDArray[Any]], n_groups: int) -> None:
        self.index = index
        self.keys = keys
        self.n_groups = n_groups

    def sum(self, values: Any, mask: Any = None) -> npt.NDArray[np.float64]:
        """Sum of ``values`` per group (rows where ``mask`` is false left out)."""
        v = np.asarray(values, dtype=np.float64)
        if mask is not None:
            v = np.where(mask, v, 0.0)
        return np.bincount(self.index, weights=v, minlength=self.n_groups).astype(np.float64)

    def count(self, mask: Any = None) -> npt.NDArray[np.float64]:
        """Rows per group (only rows where ``mask`` holds)."""
        w = None if mask is None else np.asarray(mask, dtype=np.float64)
        out: npt.NDArray[np.float64] = np.bincount(self.index, weights=w, minlength=self.n_groups).astype(
            np.float64
        )
        return out

    def n_unique(self, codes: IntArray) -> npt.NDArray[np.float64]:
        """Distinct values of ``codes`` per group."""
        c = np.asarray(codes, dtype=np.int64)
        pairs = np.unique(self.index * (int(c.max(initial=0)) + 1) + c)
        return np.bincount(pairs // (int(c.max(initial=0)) + 1), minlength=self.n_groups).astype(np.float64)

    def quantile(self, values: Any, q: float, mask: Any = None) -> npt.NDArray[np.float64]:
        """The ``q`` quantile of ``values`` per group (linear interpolation; NaN when empty)."""
        v = np.asarray(values, dtype=np.float64)
        ok = ~np.isnan(v) if mask is None else (~np.isnan(v) & np.asarray(mask, dtype=bool))
        g, v = self.index[ok], v[ok]
        order = np.lexsort((v, g))
        g, v = g[order], v[order]
        counts = np.bincount(g, minlength=self.n_groups)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        out = np.full(self.n_groups, np.nan)
        has = counts > 0
        pos = (counts[has] - 1) * q
        lo = np.floor(pos).astype(np.int64)
        hi = np.ceil(pos).astype(np.int64)
        frac = pos - lo
        out[has] = v[starts[has] + lo] * (1 - frac) + v[starts[has] + hi] * frac
        return out

    def table(self, columns: dict[str, Any], title: str) -> KPITable:
        """A :class:`KPITable` of the group keys followed by ``columns``."""
        cols: dict[str, Any] = dict(self.keys)
        cols.update(columns)
        return KPITable(cols, index=tuple(self.keys), title=title)


def group_rows(
    n_rows: int,
    *,
    timestamp: Any = None,
    freq: str | None = "M",
    segment: npt.NDArray[np.object_] | None = None,
    territory: npt.NDArray[np.object_] | None = None,
) -> Grouping:
    """Group ``n_rows`` rows by period (of ``freq``), segment and territory (those given).

    With no key at all there is one group holding every row (``freq=None`` and no
    segment or territory).
    """
    parts: list[tuple[str, IntArray, npt.NDArray[Any]]] = []
    if freq is not None:
        if freq not in PERIODS or freq == "h":
            raise ValidationError.single(
                "freq", freq, f"must be one of {[p for p in PERIODS if p != 'h']} or None"
            )
        if timestamp is None:
            raise ValidationError.missing("timestamp", "is required to group by period")
        ts = np.asarray(timestamp).astype("datetime64[s]")
        if np.isnat(ts).any():
            raise ValidationError.single(
                "timestamp", int(np.flatnonzero(np.isnat(ts))[0]), "row has no timestamp"
            )
        pc = period_index(ts, freq)
        uniq, inv = np.unique(pc, return_inverse=True)
        parts.append(("period", inv.reshape(-1).astype(np.int64), period_labels(uniq, freq)))
    for name, labels in (("segment", segment), ("territory", territory)):
        if labels is None:
            continue
        strs = np.asarray([str(x) for x in labels.tolist()], dtype=object)
        uniq, inv = np.unique(strs.astype(str), return_inverse=True)
        parts.append((name, inv.reshape(-1).astype(np.int64), uniq.astype(object)))
    if not parts:
        return Grouping(np.zeros(n_rows, dtype=np.int64), {"group": np.array(["all"], dtype=object)}, 1)
    dims = tuple(len(p[2]) for p in parts)
    flat = np.ravel_multi_index(tuple(p[1] for p in parts), dims)
    uniq, inv = np.unique(flat, return_inverse=True)
    coords = np.unravel_index(uniq, dims)
    keys = {p[0]: p[2][c] for p, c in zip(parts, coords, strict=True)}
    return Grouping(inv.reshape(-1).astype(np.int64), keys, int(uniq.size))
