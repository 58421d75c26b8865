"""Crash safety (SIGKILL during bulk units of work) and concurrent updates from 4 processes.

The child processes are forked from the test process (which has already imported
distcrm), so each of the many short-lived children starts in milliseconds; each opens
its own connection after the fork.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import signal
import sqlite3
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from distcrm.domain import Customer, Money, Order, OrderLine
from distcrm.errors import ConflictError
from distcrm.storage import PostgresStore, SQLiteStore

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
FORK = multiprocessing.get_context("fork")


def _open(path: str) -> Any:
    return PostgresStore(path) if path.startswith("host=") else SQLiteStore(path)


def _crash_worker(path: str, start_unit: int, ready: Any) -> None:
    """Forever: one unit of work = 40 orders of one unit number + a counter customer update."""
    store = SQLiteStore(path)
    if store.customers.find("counter") is None:
        store.customers.add(Customer(id="counter", name="Counter"))
    ready.set()
    unit = start_unit
    price = Money.of("1.25", "EUR")
    lines = tuple(OrderLine(product_id=f"P{j}", quantity=Decimal(j + 1), unit_price=price) for j in range(3))
    while True:
        orders = [
            Order(
                id=f"U{unit}-{k}",
                customer_id=f"C{k % 7}",
                created_at=T0 + dt.timedelta(minutes=unit),
                currency="EUR",
                tags=frozenset({f"unit-{unit}"}),
                lines=lines,
            )
            for k in range(40)
        ]
        with store.unit_of_work() as uow:
            uow.orders.add_many(orders)
            c = uow.customers.get("counter")
            uow.customers.update(attrs.evolve(c, extra={**c.extra, "units": str(unit)}))
        unit += 1


def _update_worker(path: str, worker: int, n_updates: int, n_customers: int, out: str) -> None:
    """Make ``n_updates`` read-modify-write updates of shared customers; record each outcome."""
    store = _open(path)
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
    Path(out).write_text("\n".join([str(conflicts), *applied]))
    store.close()


def _check_units(path: Path) -> int:
    """Every unit is complete (40 orders, 120 lines) and the counter matches the last unit."""
    con = sqlite3.connect(path)
    try:
        assert "ok" == con.execute("PRAGMA integrity_check").fetchone()[0]
        orders = Counter(r[0].split("-")[0] for r in con.execute("SELECT id FROM orders"))
        lines = Counter(r[0].split("-")[0] for r in con.execute("SELECT order_id FROM order_lines"))
    finally:
        con.close()
    assert all(40 == n for n in orders.values()), orders
    assert dict.fromkeys(orders, 120) == dict(lines)
    store = SQLiteStore(path)
    try:
        counter = store.customers.get("counter")
        n = len(orders)
        if n:
            last = max(int(u[1:]) for u in orders)
            assert str(last) == counter.extra["units"]
            assert n == counter.version
        assert [] == store.integrity_check()
    finally:
        store.close()
    return n


def test_sigkill_during_units_of_work_loses_nothing_committed(tmp_path: Path) -> None:
    """22 SIGKILLs at random points: the file stays sound and every unit is all or nothing."""
    path = tmp_path / "crash.db"
    rng = random.Random(7)
    units = []
    for kill in range(22):
        ready = FORK.Event()
        proc = FORK.Process(target=_crash_worker, args=(str(path), 10_000 * kill, ready), daemon=True)
        proc.start()
        assert ready.wait(timeout=60)
        time.sleep(rng.uniform(0.0, 0.25))
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(timeout=30)
        assert -signal.SIGKILL == proc.exitcode  # it was killed, not finished
        units.append(_check_units(path))
    assert units == sorted(units)  # committed units are never lost by a later crash
    assert units[-1] > 0


def _concurrent(path: str, tmp_path: Path, n_customers: int = 20, per_worker: int = 625) -> int:
    outs = [tmp_path / f"w{w}.txt" for w in range(4)]
    procs = [
        FORK.Process(target=_update_worker, args=(path, w, per_worker, n_customers, str(outs[w])))
        for w in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
        assert 0 == p.exitcode
    applied: dict[str, set[str]] = {}
    conflicts = 0
    for out in outs:
        first, *rest = out.read_text().splitlines()
        conflicts += int(first)
        for line in rest:
            cid, token = line.split()
            applied.setdefault(cid, set()).add(token)
    assert 4 * per_worker == conflicts + sum(len(v) for v in applied.values())
    store = _open(path)
    try:
        for c in store.customers.all():
            assert applied.get(c.id, set()) == set(c.tags)  # every applied update is there
            assert len(applied.get(c.id, ())) == c.version  # and nothing else happened
    finally:
        store.close()
    return conflicts


def _seed(store: Any, n: int) -> None:
    with store.unit_of_work() as uow:
        uow.customers.add_many([Customer(id=f"C{i}", name=f"N{i}") for i in range(n)])
    store.close()


def test_concurrent_updates_sqlite(tmp_path: Path) -> None:
    """4 processes x 625 updates of 20 shared customers in SQLite: each applied or ConflictError, none lost."""
    path = tmp_path / "c.db"
    _seed(SQLiteStore(path), 20)
    conflicts = _concurrent(str(path), tmp_path)
    assert conflicts > 0  # the updates really did race


@pytest.mark.postgres
def test_concurrent_updates_postgres(tmp_path: Path, pg_server: Any) -> None:
    """4 processes x 150 concurrent updates against PostgreSQL: none lost (smaller: each is a server round trip)."""
    dsn = pg_server.create_database("concurrency")
    _seed(PostgresStore(dsn), 20)
    _concurrent(dsn, tmp_path, per_worker=150)
