"""Crash safety (SIGKILL during bulk units of work) and concurrent updates from 4 processes."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from distcrm.domain import Customer
from distcrm.storage import PostgresStore, SQLiteStore

WORKER = str(Path(__file__).with_name("_workers.py"))
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}


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
    """20+ SIGKILLs at random points: the file stays sound and every unit is all or nothing."""
    path = tmp_path / "crash.db"
    rng = random.Random(7)
    units = 0
    kills = 0
    next_unit = 0
    while kills < 22:
        proc = subprocess.Popen([sys.executable, WORKER, "crash", str(path), str(next_unit)],
                                stdout=subprocess.PIPE, env=ENV)
        assert proc.stdout is not None
        assert b"ready\n" == proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        kills += 1
        units = _check_units(path)
        next_unit = 10_000 * kills  # fresh unit numbers after each restart
    assert units > 0


def _concurrent(path: str, tmp_path: Path, n_customers: int = 20, per_worker: int = 625) -> None:
    procs = []
    outs = []
    for w in range(4):
        out = tmp_path / f"w{w}.txt"
        outs.append(out)
        procs.append(subprocess.Popen([sys.executable, WORKER, "update", path, str(w), str(per_worker),
                                       str(n_customers), str(out)], env=ENV))
    for p in procs:
        assert 0 == p.wait(timeout=240)
    applied: dict[str, set[str]] = {}
    conflicts = 0
    for out in outs:
        first, *rest = out.read_text().splitlines()
        conflicts += int(first)
        for line in rest:
            cid, token = line.split()
            applied.setdefault(cid, set()).add(token)
    assert 4 * per_worker == conflicts + sum(len(v) for v in applied.values())
    store: Any = PostgresStore(path) if path.startswith("host=") else SQLiteStore(path)
    try:
        for c in store.customers.all():
            assert applied.get(c.id, set()) == set(c.tags)  # every applied update is there
            assert len(applied.get(c.id, ())) == c.version  # and nothing else happened
    finally:
        store.close()


def _seed(store: Any, n: int) -> None:
    with store.unit_of_work() as uow:
        uow.customers.add_many([Customer(id=f"C{i}", name=f"N{i}") for i in range(n)])


def test_concurrent_updates_sqlite(tmp_path: Path) -> None:
    """4 processes x 625 updates of 20 shared customers in SQLite: each applied or ConflictError, none lost."""
    path = tmp_path / "c.db"
    with SQLiteStore(path) as s:
        _seed(s, 20)
    _concurrent(str(path), tmp_path)


@pytest.mark.postgres
def test_concurrent_updates_postgres(tmp_path: Path, pg_server: Any) -> None:
    """4 processes x 150 concurrent updates against PostgreSQL: none lost (smaller: each is a server round trip)."""
    dsn = pg_server.create_database("concurrency")
    s = PostgresStore(dsn)
    _seed(s, 20)
    s.close()
    _concurrent(dsn, tmp_path, per_worker=150)
