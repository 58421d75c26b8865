"""Storage: bulk insert of 1M order lines vs a bare sqlite3.executemany, and the transaction-log read."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from benchmarks._util import machine

N_ORDERS = 100_000
LINES = 10


def _orders() -> list:
    from distcrm.domain import Money, Order, OrderLine

    t0 = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    prices = [Money.of(f"{p}.{p % 100:02d}", "EUR") for p in range(1, 301)]
    out = []
    for i in range(N_ORDERS):
        lines = tuple(
            OrderLine(product_id=f"P{(i + j) % 300}", quantity=Decimal(1 + (i + j) % 5), unit_price=prices[(i + j) % 300])
            for j in range(LINES)
        )
        out.append(Order(id=f"O{i}", customer_id=f"C{i % 20_000}", created_at=t0 + dt.timedelta(minutes=i),
                         currency="EUR", lines=lines).confirm(t0 + dt.timedelta(minutes=i)))
    return out


def main() -> None:
    from distcrm.storage import SQLiteStore
    from distcrm.storage._lines import order_line_rows

    print(f"  machine: {machine()} (shared; single runs)")
    orders = _orders()
    with tempfile.TemporaryDirectory() as tmp:
        # anchor: bare executemany of the same 1M line rows into the same order_lines table
        keys: dict[str, int] = {}
        for o in orders:
            keys.setdefault(o.customer_id, len(keys))
            keys.setdefault(o.id, len(keys))
            for ln in o.lines:
                keys.setdefault(ln.product_id, len(keys))
        rows = order_line_rows(orders, keys)
        anchor_db = Path(tmp) / "anchor.db"
        SQLiteStore(anchor_db).close()
        con = sqlite3.connect(anchor_db, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        t = time.perf_counter()
        con.execute("BEGIN")
        con.executemany("INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
        anchor = time.perf_counter() - t
        con.close()
        del rows

        store = SQLiteStore(Path(tmp) / "crm.db")
        t = time.perf_counter()
        with store.unit_of_work() as uow:
            uow.orders.add_many(orders)
        ours = time.perf_counter() - t
        print(f"  bulk insert {N_ORDERS * LINES:,} order lines ({N_ORDERS:,} orders, documents + lines): "
              f"distcrm {ours:.2f} s | bare sqlite3.executemany of the lines {anchor:.2f} s | "
              f"ratio {ours / anchor:.2f}x (target <= 1.5x)")
        reads = []
        for _ in range(3):
            t = time.perf_counter()
            log = store.transaction_log()
            reads.append(time.perf_counter() - t)
        reads.sort()
        print(f"  transaction_log() of {len(log):,} lines: median {reads[1]:.2f} s (target <= 3 s)")
        store.close()
