"""Child-process workers for the crash-safety and concurrency tests (run as scripts)."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import attrs

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def crash_worker(path: str, start_unit: int) -> None:
    """Forever: one unit of work = 40 orders of one unit number + a counter customer update."""
    from distcrm.domain import Customer, Money, Order, OrderLine
    from distcrm.storage import SQLiteStore

    store = SQLiteStore(path)
    if store.customers.find("counter") is None:
        store.customers.add(Customer(id="counter", name="Counter"))
    print("ready", flush=True)
    unit = start_unit
    price = Money.of("1.25", "EUR")
    while True:
        orders = [
            Order(id=f"U{unit}-{k}", customer_id=f"C{k % 7}", created_at=T0 + dt.timedelta(minutes=unit),
                  currency="EUR", tags=frozenset({f"unit-{unit}"}),
                  lines=tuple(OrderLine(product_id=f"P{j}", quantity=Decimal(j + 1), unit_price=price)
                              for j in range(3)))
            for k in range(40)
        ]
        with store.unit_of_work() as uow:
            uow.orders.add_many(orders)
            c = uow.customers.get("counter")
            uow.customers.update(attrs.evolve(c, extra={**c.extra, "units": str(unit)}))
        unit += 1


def update_worker(path: str, worker: int, n_updates: int, n_customers: int, out: str) -> None:
    """Make ``n_updates`` read-modify-write updates of shared customers; record each outcome."""
    import random

    from distcrm.errors import ConflictError
    from distcrm.storage import PostgresStore, SQLiteStore

    store = PostgresStore(path) if path.startswith("host=") else SQLiteStore(path)
    rng = random.Random(worker)
    applied: list[str] = []
    conflicts = 0
    for i in range(n_updates):
        cid = f"C{rng.randrange(n_customers)}"
        c = store.customers.get(cid)
        token = f"w{worker}-{i}"
        try:
            store.customers.update(attrs.evolve(c, tags=c.tags | {token}))
            applied.append(f"{cid} {token}")
        except ConflictError:
            conflicts += 1
    with open(out, "w") as f:
        f.write("\n".join([str(conflicts), *applied]))


if __name__ == "__main__":
    if sys.argv[1] == "crash":
        crash_worker(sys.argv[2], int(sys.argv[3]))
    else:
        update_worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
