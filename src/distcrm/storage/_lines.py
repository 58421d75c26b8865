"""The flat ``order_lines`` rows derived from orders (the analytics bridge's table).

Numbers are stored as int64 micro-units (value x 10^6, rounded half-even) so that
whole columns can be read back into NumPy quickly and exactly; the exact Decimal values
stay in each order's document. ``ts`` is UTC (for range filters), ``ts_local`` the
wall-clock time in the order's own offset (what ``TransactionLog`` uses), ``state`` is
0 for a purchase, 1 for a cancelled order and 2 for a draft.

The columns of a batch are gathered with C-level ``map``/``attrgetter`` passes over the
lines; each distinct Decimal (and each distinct quantity-price-discount triple) is
converted to micro-units once; per-order values are spread over their lines with NumPy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import chain, repeat
from operator import add, attrgetter
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.storage._spec import to_micros

__all__ = ["MICRO", "ROW_COLUMNS", "LineColumns", "line_columns", "order_keys_needed", "order_line_rows"]

MICRO = 1_000_000
_US = dt.timedelta(microseconds=1)
_STATE = {"cancelled": 1, "draft": 2}

I64 = npt.NDArray[np.int64]


def _micro(value: Decimal | int) -> int:
    if isinstance(value, int):
        return value * MICRO
    return int((value * MICRO).to_integral_value(ROUND_HALF_EVEN))


def _micros_of(values: list[Any]) -> I64:
    """Micro-units of many Decimals, converting each distinct value once."""
    table = {v: _micro(v) for v in set(values)}
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))


def _amount(q: Decimal, p: Decimal, d: Decimal) -> int:
    return _micro(q * p * (1 - d))


@attrs.frozen
class LineColumns:
    """The order lines of a batch of orders, column by column (one element per line).

    ``order_index`` points into the batch; per-order columns (``ts`` ...) have one
    element per order.
    """

    order_ids: list[str]
    customer_ids: list[str]
    ts: I64  # per order: UTC microseconds
    ts_local: I64  # per order: wall-clock microseconds in the order's offset
    state: I64  # per order
    n_lines: I64  # per order
    product_ids: list[str]  # per line
    quantity: I64
    unit_price: I64
    discount: I64
    amount: I64
    currency: list[str]

    @property
    def order_index(self) -> npt.NDArray[np.intp]:
        """For each line, the index of its order in the batch."""
        return np.repeat(np.arange(len(self.order_ids)), self.n_lines)

    @property
    def line_no(self) -> I64:
        """For each line, its position in its order."""
        n = self.n_lines
        starts = np.cumsum(n) - n
        return np.arange(int(n.sum()), dtype=np.int64) - np.repeat(starts, n)


def line_columns(orders: Sequence[Any]) -> LineColumns:
    """Every line of ``orders`` as columns (see :class:`LineColumns`)."""
    created = list(map(attrgetter("created_at"), orders))
    ts = np.fromiter((to_micros(t, "created_at") for t in created), dtype=np.int64, count=len(created))
    offsets = np.fromiter((t.utcoffset() // _US for t in created), dtype=np.int64, count=len(created))
    statuses = map(attrgetter("status"), orders)
    state = np.fromiter(
        (_STATE.get(getattr(s, "value", s), 0) for s in statuses), dtype=np.int64, count=len(orders)
    )
    line_tuples = list(map(attrgetter("lines"), orders))
    n_lines = np.fromiter(map(len, line_tuples), dtype=np.int64, count=len(orders))
    lines = [ln for group in line_tuples for ln in group]
    prices = list(map(attrgetter("unit_price"), lines))
    qs = list(map(attrgetter("quantity"), lines))
    ps = list(map(attrgetter("amount"), prices))
    ds = list(map(attrgetter("discount"), lines))
    triples = list(zip(qs, ps, ds, strict=True))
    amounts = {t: _amount(*t) for t in set(triples)}
    return LineColumns(
        order_ids=list(map(attrgetter("id"), orders)),
        customer_ids=list(map(attrgetter("customer_id"), orders)),
        ts=ts,
        ts_local=ts + offsets,
        state=state,
        n_lines=n_lines,
        product_ids=list(map(attrgetter("product_id"), lines)),
        quantity=_micros_of(qs),
        unit_price=_micros_of(ps),
        discount=_micros_of(ds),
        amount=np.fromiter(map(amounts.__getitem__, triples), dtype=np.int64, count=len(triples)),
        currency=list(map(attrgetter("currency"), prices)),
    )


def order_keys_needed(orders: Sequence[Any]) -> set[str]:
    """Every id that gets an integer key: customers, products and orders."""
    ids = set(map(attrgetter("customer_id"), orders))
    ids.update(map(attrgetter("id"), orders))
    ids.update(map(attrgetter("product_id"), chain.from_iterable(map(attrgetter("lines"), orders))))
    return ids


# the order_lines columns in the order order_line_rows writes them
ROW_COLUMNS = (
    "order_id",
    "customer_key",
    "order_key",
    "ts",
    "ts_local",
    "state",
    "currency",
    "product_key",
    "quantity",
    "unit_price",
    "discount",
    "amount",
    "line_no",
)


def order_line_rows(orders: Sequence[Any], keys: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    """One row per line, columns as :data:`ROW_COLUMNS`.

    Built from two parts joined with C-level iterators: the order's part (repeated over
    its lines) and the line's part (product key, micro-units and line number, computed
    once per distinct product, quantity, price, discount and position).
    """
    get = keys.__getitem__
    created = list(map(attrgetter("created_at"), orders))
    ts = [to_micros(t, "created_at") for t in created]
    local = [t + c.utcoffset() // _US for t, c in zip(ts, created, strict=True)]
    state = [_STATE.get(getattr(s, "_value_", s), 0) for s in map(attrgetter("status"), orders)]
    ids = list(map(attrgetter("id"), orders))
    order_part = list(
        zip(
            ids,
            map(get, map(attrgetter("customer_id"), orders)),
            map(get, ids),
            ts,
            local,
            state,
            map(attrgetter("currency"), orders),  # every line is in its order's currency (domain rule)
            strict=True,
        )
    )
    groups = list(map(attrgetter("lines"), orders))
    n_lines = list(map(len, groups))
    lines = list(chain.from_iterable(groups))
    line_keys = zip(
        map(attrgetter("product_id"), lines),
        map(attrgetter("quantity"), lines),
        map(attrgetter("amount"), map(attrgetter("unit_price"), lines)),
        map(attrgetter("discount"), lines),
        chain.from_iterable(map(range, n_lines)),
        strict=True,
    )
    parts = _LineParts(get)  # each key hashed once; its part computed on first sight
    per_line_order = chain.from_iterable(map(repeat, order_part, n_lines))
    return map(add, per_line_order, map(parts.__getitem__, line_keys))


class _LineParts(dict[tuple[Any, ...], tuple[Any, ...]]):
    """The line's part of its row by (product, quantity, price, discount, position), made when missing."""

    def __init__(self, key_of: Any) -> None:
        super().__init__()
        self.key_of = key_of

    def __missing__(self, k: tuple[Any, ...]) -> tuple[Any, ...]:
        part = (self.key_of(k[0]), _micro(k[1]), _micro(k[2]), _micro(k[3]), _amount(k[1], k[2], k[3]), k[4])
        self[k] = part
        return part
