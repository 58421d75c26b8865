"""forget_customer removes the erased bytes from the SQLite files and from PostgreSQL rows and files."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pytest

from distcrm.storage import PostgresStore, SQLiteStore
from distcrm.testing.storage import UNIQUE_NAME, sample_records

# every kind of personal datum of customer C-1 in the sample: name, e-mail, address, free text
NEEDLES = (UNIQUE_NAME.encode(), b"qzxw@example.com", b"1 Qzxw Street", b"Qzxw")


def _fill_with_history(store: Any) -> None:
    """The sample company, then a few updates so that old row versions exist too."""
    with store.unit_of_work() as uow:
        for repo, objs in sample_records().items():
            uow.repository(repo).add_many(objs)
    for k in range(3):
        c = store.customers.get("C-1")
        store.customers.update(attrs.evolve(c, notes=f"{UNIQUE_NAME} note {k}"))
        i = store.interactions.get("I-1")
        store.interactions.update(attrs.evolve(i, summary=f"{UNIQUE_NAME} called again {k}"))


def _found(files: list[Path]) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for f in files:
        data = f.read_bytes() if f.exists() else b""
        hits = [n for n in NEEDLES if n in data]
        if hits:
            out[f.name] = hits
    return out


def test_sqlite_files_hold_no_erased_bytes(tmp_path: Path) -> None:
    """After forget_customer the name, e-mail, address and free text are in none of db, -wal, -shm."""
    path = tmp_path / "crm.db"
    files = [tmp_path / n for n in ("crm.db", "crm.db-wal", "crm.db-shm")]
    store = SQLiteStore(path)
    try:
        _fill_with_history(store)
        assert {} != _found(files)  # the needles are there before: the check can see them
        report = store.forget_customer("C-1")
        assert 1 == report.changed["customers"]
        assert {} == _found(files)  # with the store still open
        assert 0 == (tmp_path / "crm.db-wal").stat().st_size  # checkpointed and truncated
        c = store.customers.get("C-1")
        assert ("retail", 4) == (c.segment, c.version)  # the record and its facts stay
    finally:
        store.close()
    assert {} == _found(files)
    assert [] == SQLiteStore(path).integrity_check()


def test_sqlite_erasure_checkpoint_reports_a_blocking_reader(tmp_path: Path) -> None:
    """A reader holding an old snapshot blocks the truncating checkpoint: forget_customer says so."""
    from distcrm.errors import IntegrityError

    path = tmp_path / "crm.db"
    store = SQLiteStore(path, busy_timeout=0.2)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        _fill_with_history(store)
        reader.execute("BEGIN")
        assert 3 == reader.execute("SELECT count(*) FROM customers").fetchone()[0]
        with pytest.raises(IntegrityError, match="checkpoint"):
            store.forget_customer("C-1")
        assert "[erased]" == store.customers.get("C-1").name  # the erasure itself is committed
        reader.execute("COMMIT")
        store.checkpoint()  # once the reader is gone the checkpoint completes
        assert {} == _found([path, Path(f"{path}-wal")])
    finally:
        reader.close()
        store.close()


@pytest.mark.postgres
def test_postgres_rows_and_compacted_files_hold_no_erased_bytes(pg_server: Any) -> None:
    """After forget_customer no row holds the erased values; after compact() no table file does."""
    store = PostgresStore(pg_server.create_database("erasure"))
    try:
        _fill_with_history(store)
        store.forget_customer("C-1")
        tables = store._tables()
        with store._conn.cursor() as cur:
            for table in tables:
                cur.execute(f"SELECT count(*) FROM {table} WHERE CAST({table} AS text) LIKE %s", ("%Qzxw%",))
                assert (table, 0) == (table, cur.fetchone()[0])
                cur.execute(f"SELECT count(*) FROM {table} WHERE CAST({table} AS text) LIKE %s", ("%qzxw@%",))
                assert (table, 0) == (table, cur.fetchone()[0])
        store.compact()
        with store._conn.cursor() as cur:
            files = []
            for table in tables:
                cur.execute(
                    "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid = CAST(%s AS regclass) "
                    "OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = CAST(%s AS regclass))",
                    (table, table),
                )
                files += [pg_server.data_dir / r[0] for r in cur.fetchall() if r[0]]
        everything = b"".join(f.read_bytes() for f in files)
        assert b"Broken bottle" in everything  # the files hold the live rows: the check can see text
        assert {} == _found(files)
    finally:
        store.close()
