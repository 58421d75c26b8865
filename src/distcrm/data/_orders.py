"""Columns from domain ``Order`` objects (one row per order line).

Domain objects are per-record by nature: one pass over them builds plain lists, and
everything after that is array work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from distcrm.errors import FieldError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from distcrm.domain import Order

__all__ = ["order_columns"]


def order_columns(orders: Iterable[Order], *, tz: str | None) -> dict[str, Any]:
    """Parallel arrays of the lines of ``orders``, and the rows of draft orders to set aside."""
    from distcrm.domain import OrderStatus

    zone: dt.tzinfo | None = None
    if tz is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError.single("tz", tz, "is not a known IANA time zone") from None

    def wall(t: dt.datetime) -> dt.datetime:
        if t.tzinfo is None:
            return t
        return (t.astimezone(zone) if zone is not None else t).replace(tzinfo=None)

    order_list = list(orders)
    currencies = sorted({o.currency for o in order_list})
    if len(currencies) > 1:
        raise ValidationError(
            [
                FieldError(
                    "$.orders[*].currency", "orders in several currencies cannot be added up", currencies
                )
            ]
        )
    n_lines = [len(o.lines) for o in order_list]
    lines = [line for o in order_list for line in o.lines]
    repeat = np.asarray(n_lines, dtype=np.intp)
    status = np.asarray([o.status.value for o in order_list], dtype=object)
    times = np.asarray([wall(o.created_at) for o in order_list], dtype="datetime64[s]")
    quantity = np.asarray([float(li.quantity) for li in lines], dtype=np.float64)
    amount = np.asarray(
        [float(li.quantity * li.unit_price.amount * (1 - li.discount)) for li in lines], dtype=np.float64
    )
    draft = np.repeat(status == OrderStatus.DRAFT.value, repeat)
    return {
        "customer": np.repeat(np.asarray([o.customer_id for o in order_list], dtype=object), repeat),
        "order": np.repeat(np.asarray([o.id for o in order_list], dtype=object), repeat),
        "timestamp": np.repeat(times, repeat),
        "item": np.asarray([li.product_id for li in lines], dtype=object),
        "quantity": quantity,
        "amount": amount,
        "cancelled": np.repeat(status == OrderStatus.CANCELLED.value, repeat),
        "set_aside": {"draft_order": np.flatnonzero(draft)},
    }
