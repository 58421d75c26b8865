"""Sales KPIs (revenue, orders, AOV, repeat rate) and cohort retention from a TransactionLog."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.data._periods import PERIODS, period_index
from distcrm.errors import ValidationError
from distcrm.kpi._group import KPITable, group_rows, period_labels, resolve_labels

__all__ = ["CohortRetention", "cohort_retention", "sales_kpis"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _log_columns(log: Any) -> tuple[IntArray, npt.NDArray[np.datetime64], FloatArray, IntArray, Any]:
    try:
        cust = np.asarray(log.customer, dtype=np.int64)
        ts = np.asarray(log.timestamp).astype("datetime64[s]")
        amount = np.asarray(log.amount, dtype=np.float64)
        order = np.asarray(log.order, dtype=np.int64)
        ids = log.customer_ids
    except AttributeError as exc:
        raise ValidationError.single("log", type(log).__name__, f"is not a TransactionLog ({exc})") from None
    if len(cust) == 0:
        raise ValidationError.single("log", 0, "has no rows")
    return cust, ts, amount, order, ids


def _order_codes(cust: IntArray, ts: npt.NDArray[np.datetime64], order: IntArray) -> IntArray:
    """One code per order; rows without an order id form one order per customer and instant."""
    if (order >= 0).all():
        return order
    key = np.where(order >= 0, order, -1)
    missing = order < 0
    _, synth = np.unique(np.stack([cust[missing], ts[missing].astype(np.int64)]), axis=1, return_inverse=True)
    key = key.copy()
    key[missing] = int(order.max(initial=-1)) + 1 + synth.reshape(-1)
    return key


def sales_kpis(
    log: Any,
    *,
    freq: str | None = "M",
    segment: Any = None,
    territory: Any = None,
) -> KPITable:
    """Revenue, orders, customers, average order value and repeat-purchase rate per group.

    Groups are the combinations of period (``freq``: ``"D"``, ``"W"``, ``"M"``, ``"Y"``
    or ``None`` for the whole log), segment and territory (each optional: a mapping
    customer id → label, an array per customer of ``log.customer_ids``, or an array per
    row in the log's own row order).

    Definitions
    -----------
    - ``revenue``: sum of line amounts; ``orders``: distinct orders; ``customers``:
      distinct ordering customers; ``aov = revenue / orders``.
    - ``repeat_rate``: share of the group's customers who, by the end of the period,
      have placed at least two orders in the log (a returning customer, or one who
      ordered twice within the period). Over the whole log (``freq=None``) it is the
      classic share of customers with more than one order.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> log = SimpleNamespace(customer=np.array([0, 0, 1, 0]), order=np.array([0, 0, 1, 2]),
    ...     amount=np.array([10.0, 5.0, 20.0, 30.0]), customer_ids=np.array(["a", "b"]),
    ...     timestamp=np.array(["2024-01-03", "2024-01-03", "2024-01-09", "2024-02-01"], dtype="datetime64[s]"))
    >>> t = sales_kpis(log)
    >>> t["period"].tolist(), t["revenue"].tolist(), t["orders"].tolist(), t["aov"].tolist()
    (['2024-01', '2024-02'], [35.0, 30.0], [2.0, 1.0], [17.5, 30.0])
    >>> t["repeat_rate"].tolist()
    [0.0, 1.0]
    """
    cust, ts, amount, order, ids = _log_columns(log)
    n = len(cust)
    seg = resolve_labels("segment", segment, n, cust, ids)
    ter = resolve_labels("territory", territory, n, cust, ids)
    g = group_rows(n, timestamp=ts, freq=freq, segment=seg, territory=ter)
    orders = _order_codes(cust, ts, order)
    revenue = g.sum(np.nan_to_num(amount))
    n_orders = g.n_unique(orders)
    n_cust = g.n_unique(cust)
    # rank of each order within its customer, by the order's first timestamp
    uo, first_row = np.unique(orders, return_index=True)
    o_cust, o_ts = cust[first_row], ts[first_row].astype(np.int64)
    srt = np.lexsort((uo, o_ts, o_cust))
    rank_sorted = np.arange(srt.size) - np.searchsorted(o_cust[srt], o_cust[srt], side="left")
    rank = np.empty_like(rank_sorted)
    rank[srt] = rank_sorted
    row_rank = rank[np.searchsorted(uo, orders)]
    # per (group, customer): repeat if some order of theirs in the group has rank >= 1
    key = g.index * (int(cust.max()) + 1) + cust
    rep_pairs = np.unique(key[row_rank >= 1])
    repeaters = np.bincount(rep_pairs // (int(cust.max()) + 1), minlength=g.n_groups).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        aov = revenue / n_orders
        repeat = repeaters / n_cust
    return g.table(
        {
            "revenue": revenue,
            "orders": n_orders,
            "customers": n_cust,
            "aov": aov,
            "repeat_rate": repeat,
        },
        title="sales KPIs",
    )


@attrs.frozen(eq=False)
class CohortRetention:
    """Share of each acquisition cohort still buying ``k`` periods after its first order.

    Attributes
    ----------
    cohorts
        Label of each cohort (the period of the first order).
    sizes
        Customers per cohort.
    retention
        ``(n_cohorts, n_periods)``: ``retention[c, k]`` is the share of cohort ``c``
        who ordered in period ``c + k`` (1.0 at ``k = 0``; NaN after the log ends).
    """

    cohorts: npt.NDArray[np.object_]
    sizes: IntArray
    retention: FloatArray
    freq: str

    @property
    def churn(self) -> FloatArray:
        """``1 - retention``: the share of the cohort not buying in period ``k``."""
        return 1.0 - self.retention

    def to_frame(self) -> Any:
        """Cohort × periods-since-first-order frame (pandas)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="CohortRetention.to_frame")
        df = pd.DataFrame(self.retention, index=pd.Index(self.cohorts, name="cohort"))
        df.columns.name = "periods_since_first"
        df.insert(0, "size", self.sizes)
        return df

    def plot(self, ax: Any = None) -> Any:
        """Cohort heatmap of retention (matplotlib)."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="CohortRetention.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 0.35 * len(self.cohorts) + 1.5))
        im = ax.imshow(np.ma.masked_invalid(self.retention), aspect="auto", cmap="viridis", vmin=0, vmax=1)
        ax.set_yticks(
            range(len(self.cohorts)), [f"{c} ({s})" for c, s in zip(self.cohorts, self.sizes, strict=True)]
        )
        ax.set_xlabel(f"periods since first order ({self.freq})")
        ax.set_title("retention by cohort")
        ax.figure.colorbar(im, ax=ax, label="share of cohort buying")
        return ax

    def __repr__(self) -> str:
        return f"<CohortRetention: {len(self.cohorts)} cohorts, freq={self.freq!r}>"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{k}</th>" for k in range(self.retention.shape[1]))
        rows = "".join(
            f"<tr><td>{c}</td><td>{s}</td>"
            + "".join("<td></td>" if np.isnan(v) else f"<td>{v:.0%}</td>" for v in r)
            + "</tr>"
            for c, s, r in zip(self.cohorts, self.sizes, self.retention, strict=True)
        )
        return (
            f"<table><thead><tr><th>cohort</th><th>size</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )


def cohort_retention(log: Any, *, freq: str = "M") -> CohortRetention:
    """Retention (and churn) of acquisition cohorts, by periods since the first order.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> log = SimpleNamespace(customer=np.array([0, 0, 1, 2, 2]), order=np.arange(5),
    ...     amount=np.ones(5), customer_ids=np.array(["a", "b", "c"]),
    ...     timestamp=np.array(["2024-01-05", "2024-02-05", "2024-01-09", "2024-02-01", "2024-03-01"],
    ...                        dtype="datetime64[s]"))
    >>> r = cohort_retention(log)
    >>> r.cohorts.tolist(), r.sizes.tolist()
    (['2024-01', '2024-02'], [2, 1])
    >>> r.retention.tolist()
    [[1.0, 0.5, 0.0], [1.0, 1.0, nan]]
    """
    if freq not in PERIODS or freq == "h":
        raise ValidationError.single("freq", freq, "must be one of 'D', 'W', 'M', 'Y'")
    cust, ts, _, _, _ = _log_columns(log)
    p = period_index(ts, freq)
    nc = int(cust.max()) + 1
    first = np.full(nc, np.iinfo(np.int64).max)
    np.minimum.at(first, cust, p)
    present = np.flatnonzero(first != np.iinfo(np.int64).max)
    last_p = int(p.max())
    cohorts = np.unique(first[present])
    k = p - first[cust]
    width = int(last_p - cohorts.min()) + 1
    pairs = np.unique(cust * width + k)
    pc, pk = pairs // width, pairs % width
    active = np.zeros((cohorts.size, width))
    np.add.at(active, (np.searchsorted(cohorts, first[pc]), pk), 1.0)
    sizes = np.bincount(np.searchsorted(cohorts, first[present]), minlength=cohorts.size)
    ret = active / sizes[:, None]
    future = (cohorts[:, None] + np.arange(width)[None, :]) > last_p
    ret[future] = np.nan
    return CohortRetention(period_labels(cohorts, freq), sizes.astype(np.int64), ret, freq)
