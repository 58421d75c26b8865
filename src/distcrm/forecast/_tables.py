"""Small result tables of the customer-level and replenishment helpers.

Each holds NumPy arrays (no pandas needed); ``to_frame()`` gives a pandas DataFrame
when pandas is installed, and ``_repr_html_`` renders the first rows in a notebook.
"""

from __future__ import annotations

import html
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["CustomerBaskets", "OrderProbabilities", "PrestockList"]

FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]

_SHOW = 10


def _table(title: str, headers: list[str], columns: list[npt.NDArray[Any]], n: int) -> str:
    rows = []
    for i in range(min(n, _SHOW)):
        cells = []
        for col in columns:
            v = col[i]
            text = f"{v:.3g}" if isinstance(v, (float, np.floating)) else html.escape(str(v))
            cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    more = f"<p>... {n - _SHOW} more rows</p>" if n > _SHOW else ""
    return f"<div><b>{html.escape(title)}</b><table><tr>{head}</tr>{''.join(rows)}</table>{more}</div>"


def _pandas(feature: str) -> Any:
    from distcrm._optional import import_optional

    return import_optional("pandas", feature=feature)


@attrs.frozen(eq=False, kw_only=True)
class OrderProbabilities:
    """Customers likely to order within ``within_days``, most likely first.

    Attributes
    ----------
    customer_ids
        One id per row.
    probability
        The chance each customer orders within ``within_days``.
    within_days
        The window, in days.
    """

    customer_ids: ObjArray
    probability: FloatArray
    within_days: float

    def __len__(self) -> int:
        return int(self.customer_ids.size)

    @property
    def expected_customers(self) -> float:
        """The expected number of ordering customers (the sum of the listed probabilities)."""
        return float(self.probability.sum())

    def to_frame(self) -> Any:
        """A pandas DataFrame indexed by ``customer_id`` with a ``probability`` column."""
        pd = _pandas("OrderProbabilities.to_frame")
        return pd.DataFrame(
            {"probability": self.probability}, index=pd.Index(self.customer_ids, name="customer_id")
        )

    def _repr_html_(self) -> str:
        return _table(
            f"Customers likely to order within {self.within_days:g} days ({len(self)})",
            ["customer", "probability"],
            [self.customer_ids, self.probability],
            len(self),
        )

    def __repr__(self) -> str:
        return f"<OrderProbabilities: {len(self)} customers within {self.within_days:g} days>"


@attrs.frozen(eq=False, kw_only=True)
class PrestockList:
    """Series needing stock for the next ``periods`` at ``service_level``, largest suggestion first.

    Attributes
    ----------
    series_ids
        One id per row.
    expected_demand
        Expected demand over the ``periods``.
    target_stock
        The ``service_level`` quantile of that demand.
    on_hand
        The stock given.
    suggested
        Units to bring in: ``target_stock - on_hand`` (always > 0 here).
    """

    series_ids: ObjArray
    expected_demand: FloatArray
    target_stock: FloatArray
    on_hand: FloatArray
    suggested: FloatArray
    periods: int
    service_level: float

    def __len__(self) -> int:
        return int(self.series_ids.size)

    @property
    def total_units(self) -> float:
        """Total suggested units."""
        return float(self.suggested.sum())

    def to_frame(self) -> Any:
        """A pandas DataFrame indexed by ``series_id``."""
        pd = _pandas("PrestockList.to_frame")
        return pd.DataFrame(
            {
                "expected_demand": self.expected_demand,
                "target_stock": self.target_stock,
                "on_hand": self.on_hand,
                "suggested": self.suggested,
            },
            index=pd.Index(self.series_ids, name="series_id"),
        )

    def _repr_html_(self) -> str:
        return _table(
            f"Pre-stocking: {len(self)} series, {self.total_units:,.0f} units "
            f"({self.periods} period(s), {self.service_level:.0%} service)",
            ["series", "expected demand", "target stock", "on hand", "suggested"],
            [self.series_ids, self.expected_demand, self.target_stock, self.on_hand, self.suggested],
            len(self),
        )

    def __repr__(self) -> str:
        return f"<PrestockList: {len(self)} series, {self.total_units:g} units>"


@attrs.frozen(eq=False, kw_only=True)
class CustomerBaskets:
    """Each customer's expected basket: one row per (customer, item) they have bought.

    Attributes
    ----------
    customer_ids, item_ids
        The pair of each row (sorted by customer, then item).
    expected_quantity
        Total quantity of the item / number of the customer's orders.
    share_of_orders
        Share of the customer's orders that contained the item.
    """

    customer_ids: ObjArray
    item_ids: ObjArray
    expected_quantity: FloatArray
    share_of_orders: FloatArray

    def __len__(self) -> int:
        return int(self.customer_ids.size)

    def for_customer(self, customer_id: Any) -> dict[Any, float]:
        """``{item_id: expected quantity}`` of one customer (empty if unknown)."""
        rows = np.flatnonzero(self.customer_ids == customer_id)
        return {self.item_ids[i]: float(self.expected_quantity[i]) for i in rows.tolist()}

    def to_frame(self) -> Any:
        """A pandas DataFrame indexed by (customer_id, item_id)."""
        pd = _pandas("CustomerBaskets.to_frame")
        index = pd.MultiIndex.from_arrays(
            [self.customer_ids, self.item_ids], names=["customer_id", "item_id"]
        )
        return pd.DataFrame(
            {"expected_quantity": self.expected_quantity, "share_of_orders": self.share_of_orders},
            index=index,
        )

    def _repr_html_(self) -> str:
        return _table(
            f"Expected baskets ({len(self)} customer-item pairs)",
            ["customer", "item", "expected quantity", "share of orders"],
            [self.customer_ids, self.item_ids, self.expected_quantity, self.share_of_orders],
            len(self),
        )

    def __repr__(self) -> str:
        return f"<CustomerBaskets: {len(self)} customer-item pairs>"
