"""Domain construction and the converter: build, to_dict, from_dict, JSON Lines round trip.

Anchor: a stock ``cattrs.Converter`` (cattrs' generated, non-strict hooks; only the
minimal Decimal/datetime/enum hooks added) on the same classes. The domain classes
validate themselves on construction in both cases, so the ratio measures what our
strictness (no coercion, unknown-key rejection, every-field error collection) costs.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks._util import machine, median_time, report

N = 3000


def _orders(n: int) -> list[Any]:
    from distcrm.domain import Money, Order, OrderLine

    t0 = dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)
    out = []
    for i in range(n):
        lines = tuple(
            OrderLine(
                product_id=f"P{j}",
                quantity=Decimal(j + 1),
                unit_price=Money.of("2.50", "EUR"),
                discount=Decimal("0.1"),
            )
            for j in range(3)
        )
        o = Order(id=f"SO{i}", customer_id=f"C{i % 100}", lines=lines, created_at=t0, currency="EUR")
        out.append(o.confirm(t0).record_delivery(None, t0))
    return out


def _stock_converter() -> Any:
    import enum
    import types

    import cattrs

    from distcrm.domain import OrderStatus, StatusChange

    c = cattrs.Converter()
    c.register_unstructure_hook(Decimal, str)
    c.register_structure_hook(Decimal, lambda v, _: Decimal(v))
    c.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    c.register_structure_hook(dt.datetime, lambda v, _: dt.datetime.fromisoformat(v))
    c.register_unstructure_hook(types.MappingProxyType, dict)
    c.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda e: e.value
    )
    # the generic history type needs its parameter spelled out for stock cattrs
    c.register_structure_hook(
        StatusChange,
        lambda v, _: StatusChange(
            at=dt.datetime.fromisoformat(v["at"]),
            from_status=OrderStatus(v["from_status"]),
            to_status=OrderStatus(v["to_status"]),
            note=v["note"],
        ),
    )
    return c


def main() -> None:
    from distcrm.domain import Order
    from distcrm.serialization import from_dict, read_jsonl, to_dict, write_jsonl

    print(f"  machine: {machine()} (shared with other jobs: figures are noisy)")
    build = median_time(lambda: _orders(N), repeat=3)
    print(
        f"  build {N} validated orders (3 lines, 2 transitions each): {build:.3f} s ({build / N * 1e6:.0f} us/order)"
    )

    orders = _orders(N)
    stock = _stock_converter()
    ours_u = median_time(lambda: [to_dict(o) for o in orders], repeat=3)
    stock_u = median_time(lambda: [stock.unstructure(o) for o in orders], repeat=3)
    report(f"to_dict x{N}", ours_u, stock_u, "stock cattrs unstructure")

    dicts = [to_dict(o) for o in orders]
    ours_s = median_time(lambda: [from_dict(Order, d) for d in dicts], repeat=3)
    try:
        stock_s: float | None = median_time(lambda: [stock.structure(d, Order) for d in dicts], repeat=3)
    except Exception as exc:  # the anchor is not strict; report rather than fail
        print(f"  stock cattrs structure failed: {type(exc).__name__}: {exc}")
        stock_s = None
    report(f"from_dict x{N} (strict, all-field errors)", ours_s, stock_s, "stock cattrs structure")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.jsonl.gz"
        w = median_time(lambda: write_jsonl(path, orders), repeat=3)
        r = median_time(lambda: read_jsonl(path, Order), repeat=3)
        print(f"  write_jsonl gzip x{N}: {w:.3f} s | read_jsonl gzip x{N}: {r:.3f} s ({N / r:.0f} orders/s)")


if __name__ == "__main__":
    main()
