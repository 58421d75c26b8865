"""SQLiteStore specifics: bulk loads rebuild indexes safely, writers poll for the lock, the file's settings."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import attrs
import pytest

from distcrm.errors import DuplicateError, IntegrityError
from distcrm.storage import SQLiteStore
from distcrm.storage import _sql as sql
from distcrm.testing.storage import T0, sample_records, snapshot


def _schema(path: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    finally:
        con.close()


def _orders(n: int, prefix: str) -> list[Any]:
    base = sample_records()["orders"][0]
    return [attrs.evolve(base, id=f"{prefix}{i}", customer_id=f"C-{i % 3 + 1}") for i in range(n)]


def test_bulk_insert_rebuilds_indexes_and_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch larger than its tables drops and rebuilds their indexes in the transaction: same schema, same answers."""
    monkeypatch.setattr(sql, "BULK_REBUILD_MIN", 10)
    path = tmp_path / "bulk.db"
    store = SQLiteStore(path)
    before = _schema(path)
    with store.unit_of_work() as uow:
        uow.orders.add_many(_orders(30, "B"))
    assert before == _schema(path)
    assert [] == store.integrity_check()
    assert 30 == len(store.orders.by_customer("C-1")) + len(store.orders.by_customer("C-2")) + len(
        store.orders.by_customer("C-3")
    )
    assert 60 == len(store.transaction_log())  # 2 lines per order
    store.close()


def test_failed_bulk_insert_restores_indexes_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duplicate in a bulk batch raises DuplicateError; the indexes and the data are as before."""
    monkeypatch.setattr(sql, "BULK_REBUILD_MIN", 10)
    path = tmp_path / "bulk.db"
    store = SQLiteStore(path)
    store.orders.add(_orders(1, "B")[0])
    before_schema, before_data = _schema(path), snapshot(store)
    with pytest.raises(DuplicateError) as info:
        store.orders.add_many(_orders(30, "B"))  # B0 exists already
    assert "B0" == info.value.id
    assert before_schema == _schema(path)
    assert before_data == snapshot(store)
    assert 2 == len(store.transaction_log())
    store.close()


def test_writer_waits_for_the_lock_then_writes(tmp_path: Path) -> None:
    """A unit of work started while another connection holds the write lock waits for it, then writes."""
    path = tmp_path / "lock.db"
    store = SQLiteStore(path, busy_timeout=30)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO distcrm_meta (key, value) VALUES ('probe', '1')")
    threading.Timer(0.3, holder.execute, args=("COMMIT",)).start()
    store.customers.add(sample_records()["customers"][1])  # blocks until the holder commits
    assert "Bo" == store.customers.get("C-2").name
    assert ("1",) == store._conn.execute("SELECT value FROM distcrm_meta WHERE key = 'probe'").fetchone()
    store.close()
    holder.close()


def test_writer_gives_up_after_busy_timeout_with_a_clear_error(tmp_path: Path) -> None:
    """A lock held longer than busy_timeout raises IntegrityError naming the file; nothing is written."""
    path = tmp_path / "lock.db"
    store = SQLiteStore(path, busy_timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(IntegrityError, match="locked"):
            store.customers.add(sample_records()["customers"][1])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert 0 == store.customers.count()
    assert 200 == store._conn.execute("PRAGMA busy_timeout").fetchone()[0]  # restored after polling
    store.close()


def test_file_settings(tmp_path: Path) -> None:
    """WAL journal, foreign keys, secure_delete and the current schema version are set on open."""
    store = SQLiteStore(tmp_path / "s.db")
    pragma = {
        p: store._conn.execute(f"PRAGMA {p}").fetchone()[0]
        for p in ("journal_mode", "foreign_keys", "secure_delete")
    }
    assert {"journal_mode": "wal", "foreign_keys": 1, "secure_delete": 1} == pragma
    assert sql.SCHEMA_VERSION == store.schema_version
    store.close()


def test_migration_from_version_1_backfills_order_lines(tmp_path: Path) -> None:
    """A version-1 file gains id_keys and order_lines, derived from the orders already stored."""
    path = tmp_path / "old.db"
    old = SQLiteStore(path, _schema_target=1)
    assert 1 == old.schema_version
    with old.unit_of_work() as uow:
        uow.orders.add_many(sample_records()["orders"])
    old.close()
    store = SQLiteStore(path)
    assert 2 == store.schema_version
    assert 6 == len(store.transaction_log())
    assert 4 == len(store.transaction_log(T0, T0.replace(day=3)))  # O-1 and O-3, two lines each
    store.close()


def _table(path: Path, sql_text: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute(sql_text).fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("per_insert", [4, 7])
def test_multi_row_inserts_write_the_same_rows_as_single_adds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_insert: int
) -> None:
    """Bulk rows grouped several per INSERT (with a remainder) equal the rows of one-by-one adds."""
    monkeypatch.setattr(sql, "ROWS_PER_INSERT", per_insert)
    orders = _orders(30, "M")
    bulk, single = SQLiteStore(tmp_path / "bulk.db"), SQLiteStore(tmp_path / "single.db")
    with bulk.unit_of_work() as uow:
        uow.orders.add_many(orders)
    for o in orders:
        single.orders.add(o)
    for query in (
        "SELECT id, version, doc, customer_id, created_at, status FROM orders",
        (  # keys are numbered in a different order: compare the ids they stand for
            "SELECT l.order_id, l.line_no, c.id, p.id, o.id, ts, ts_local, state, quantity, unit_price, "
            "discount, amount, currency FROM order_lines l JOIN id_keys c ON c.key = l.customer_key "
            "JOIN id_keys p ON p.key = l.product_key JOIN id_keys o ON o.key = l.order_key"
        ),
        "SELECT id FROM id_keys",
    ):
        assert _table(tmp_path / "single.db", query) == _table(tmp_path / "bulk.db", query)
    with pytest.raises(DuplicateError) as info:
        bulk.orders.add_many([*_orders(31, "N")[1:], orders[-1]])  # the duplicate is in the last group
    assert "M29" == info.value.id
    assert 30 == bulk.orders.count()
    bulk.close()
    single.close()
