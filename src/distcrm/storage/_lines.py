"""The flat ``order_lines`` rows derived from orders (the analytics bridge's table).

Numbers are stored as int64 micro-units (value x 10^6, rounded half-even) so that
whole columns can be read back into NumPy quickly and exactly; the exact Decimal values
stay in each order's document. ``ts`` is UTC (for range filters), ``ts_local`` the
wall-clock time in the order's own offset (what ``TransactionLog`` uses), ``state`` is
0 for a purchase, 1 for a cancelled order and 2 for a draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from distcrm.storage._spec import to_micros

__all__ = ["MICRO", "line_values", "order_keys_needed", "order_line_rows", "order_state"]

MICRO = 1_000_000


def _micro(value: Decimal | int) -> int:
    if isinstance(value, int):
        return value * MICRO
    return int((value * MICRO).to_integral_value(ROUND_HALF_EVEN))


def order_state(order: Any) -> int:
    """0 purchase, 1 cancelled, 2 draft."""
    status = getattr(order.status, "value", order.status)
    return 1 if status == "cancelled" else 2 if status == "draft" else 0


def line_values(line: Any) -> tuple[str, int, int, int, int, str]:
    """``(product_id, quantity, unit_price, discount, amount, currency)`` in micro-units."""
    price = line.unit_price
    total = line.quantity * price.amount * (1 - line.discount)
    return (
        line.product_id,
        _micro(line.quantity),
        _micro(price.amount),
        _micro(line.discount),
        _micro(total),
        price.currency,
    )


def local_micros(ts: Any) -> int:
    """Wall-clock microseconds of an aware datetime in its own offset."""
    return to_micros(ts, "created_at") + ts.utcoffset() // _US


def order_keys_needed(orders: Sequence[Any]) -> set[str]:
    """Every id that gets an integer key: customers, products and orders."""
    ids = {o.customer_id for o in orders} | {o.id for o in orders}
    ids.update(ln.product_id for o in orders for ln in o.lines)
    return ids


def order_line_rows(orders: Sequence[Any], keys: dict[str, int]) -> list[tuple[Any, ...]]:
    """One row per line: ``(order_id, line_no, customer_key, product_key, order_key, ts, ts_local,
    state, quantity, unit_price, discount, amount, currency)``."""
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    for o in orders:
        ck = keys[o.customer_id]
        ok = keys[o.id]
        ts = to_micros(o.created_at, "created_at")
        tl = ts + o.created_at.utcoffset() // _US
        st = order_state(o)
        oid = o.id
        for n, line in enumerate(o.lines):
            pid, q, p, d, a, cur = line_values(line)
            append((oid, n, ck, keys[pid], ok, ts, tl, st, q, p, d, a, cur))
    return rows


import datetime as _dt  # noqa: E402

_US = _dt.timedelta(microseconds=1)
