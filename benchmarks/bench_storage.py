"""Storage: bulk insert of 1M order lines vs a bare sqlite3.executemany, and the transaction-log read.

Anchor (issue 3): a bare ``sqlite3`` connection (the store's WAL + ``synchronous=NORMAL``,
otherwise SQLite's defaults) running ``executemany`` of exactly the rows the bulk path
writes (the order documents with their index columns, the ``id_keys`` rows and the
1M ``order_lines`` rows, all computed before the clock starts) into the same schema, in
one transaction. distcrm's time is ``uow.orders.add_many(orders)`` from domain objects:
checking, JSON encoding, key lookup, line rows and the same inserts. Both are timed
alternately, each on a fresh file, and the medians are compared. The anchor runs the
issue's one-row-per-execution ``executemany``; the store, a statement-shape choice of its
own, sends 64 rows per ``INSERT`` (same rows, same schema, same transaction).

The orders share their 3,000 distinct line objects (a catalogue of 300 products). With
``DISTCRM_BENCH_DISTINCT_LINES=1`` every line is its own object with its own price: the
worst case for the store's per-distinct-line row parts (micro-units are then converted
for every line). ``DISTCRM_BENCH_ORDERS`` sets the number of orders (default 100k).

Measured on the shared 2-core machine (Python 3.11, other jobs running), 100k orders:
see docs/storage.md ("Bulk loading") for the figures and what was tried.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks._util import machine

N_ORDERS = int(os.environ.get("DISTCRM_BENCH_ORDERS", "100000"))
DISTINCT = os.environ.get("DISTCRM_BENCH_DISTINCT_LINES", "") == "1"  # worst case: no two lines alike
LINES = 10
REPEAT = 3


def _orders() -> list[Any]:
    """100k confirmed orders of 10 lines (300 products, 20k customers, prices with cents)."""
    from distcrm.domain import Money, Order, OrderLine, OrderStatus, StatusChange

    t0 = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    prices = [Money.of(f"{p}.{p % 100:02d}", "EUR") for p in range(1, 301)]
    # line objects are immutable values; distinct (product, quantity, discount) lines are shared
    lines = {
        (p, q, d): OrderLine(
            product_id=f"P{p}", quantity=Decimal(q), unit_price=prices[p], discount=Decimal(d) / 100
        )
        for p in range(300)
        for q in range(1, 6)
        for d in (0, 5)
    }
    out = []
    for i in range(N_ORDERS):
        at = t0 + dt.timedelta(minutes=i)
        if DISTINCT:  # every line its own object with its own price (and so its own JSON text and row part)
            ls = tuple(
                OrderLine(
                    product_id=f"P{(i + 7 * j) % 300}",
                    quantity=Decimal(1 + (i + j) % 5),
                    unit_price=Money(amount=Decimal(i * LINES + j + 1) / 100, currency="EUR"),
                    discount=Decimal(5 * ((i + j) % 7 == 0)) / 100,
                )
                for j in range(LINES)
            )
        else:
            ls = tuple(
                lines[(i + 7 * j) % 300, 1 + (i + j) % 5, 5 * ((i + j) % 7 == 0)] for j in range(LINES)
            )
        confirmed = (StatusChange(at=at, from_status=OrderStatus.DRAFT, to_status=OrderStatus.CONFIRMED),)
        out.append(
            Order(
                id=f"O{i}",
                customer_id=f"C{i % 20_000}",
                created_at=at,
                currency="EUR",
                lines=ls,
                status=OrderStatus.CONFIRMED,
                history=confirmed,
            )
        )
    return out


def _anchor_rows(orders: list[Any]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows add_many writes, precomputed (the same functions produce them)."""
    from distcrm.storage._codec import encode
    from distcrm.storage._lines import order_keys_needed, order_line_rows
    from distcrm.storage._spec import spec_for
    from distcrm.storage._sql import LINES_INSERT

    spec = spec_for("orders")
    ids = sorted(order_keys_needed(orders))
    keys = {k: n for n, k in enumerate(ids, start=1)}
    return {
        "INSERT INTO id_keys (key, id) VALUES (?, ?)": [(n, k) for k, n in keys.items()],
        "INSERT INTO orders (id, version, doc, customer_id, created_at, status) VALUES (?, ?, ?, ?, ?, ?)": [
            (o.id, o.version, encode(o), *spec.index_values(o)) for o in orders
        ],
        LINES_INSERT: list(order_line_rows(orders, keys)),
    }


def _timed(fn: Any) -> tuple[float, float]:
    """(wall, CPU) seconds of ``fn()``; SQLite runs in this process, so CPU counts its work too."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main() -> None:
    from distcrm.storage import SQLiteStore

    print(f"  machine: {machine()} (shared with other jobs; medians of {REPEAT} alternating runs)")
    t = time.perf_counter()
    orders = _orders()
    rows = _anchor_rows(orders)
    n_lines = sum(len(o.lines) for o in orders)
    kind = "every line distinct (worst case)" if DISTINCT else "3,000 distinct line objects"
    print(
        f"  data: {len(orders):,} orders, {n_lines:,} lines, {kind} (built in {time.perf_counter() - t:.0f} s)"
    )
    ours: list[tuple[float, float]] = []
    anchor: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(REPEAT):
            path = Path(tmp) / f"anchor{r}.db"
            SQLiteStore(path).close()  # the same schema
            con = sqlite3.connect(path, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")

            def bare(con: sqlite3.Connection = con) -> None:
                con.execute("BEGIN")
                for sql, data in rows.items():
                    con.executemany(sql, data)
                con.execute("COMMIT")

            anchor.append(_timed(bare))
            con.close()

            store = SQLiteStore(Path(tmp) / f"crm{r}.db")

            def bulk(store: SQLiteStore = store) -> None:
                with store.unit_of_work() as uow:
                    uow.orders.add_many(orders)

            ours.append(_timed(bulk))
            if r < REPEAT - 1:
                store.close()
                for f in Path(tmp).glob(f"*{r}.db*"):
                    f.unlink()
        ow, aw = (statistics.median(x[0] for x in v) for v in (ours, anchor))
        oc, ac = (statistics.median(x[1] for x in v) for v in (ours, anchor))
        print(
            f"  bulk insert of {n_lines:,} order lines ({len(orders):,} orders: documents + lines + keys): "
            f"distcrm add_many {ow:.2f} s | bare sqlite3.executemany of the same rows {aw:.2f} s | "
            f"ratio {ow / aw:.2f}x (target <= 1.5x)"
        )
        print(
            f"    CPU time (less disturbed by other jobs): distcrm {oc:.2f} s | anchor {ac:.2f} s | ratio {oc / ac:.2f}x;"
            f" wall runs distcrm {[round(x[0], 1) for x in ours]}, anchor {[round(x[0], 1) for x in anchor]}"
        )
        reads = [_timed(store.transaction_log) for _ in range(REPEAT)]
        log = store.transaction_log()
        print(
            f"  transaction_log() of {len(log):,} lines: median {statistics.median(x[0] for x in reads):.2f} s "
            f"(target <= 3 s), CPU {statistics.median(x[1] for x in reads):.2f} s; "
            f"runs {[round(x[0], 2) for x in reads]}"
        )
        store.close()
