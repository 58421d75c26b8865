"""``SQLiteStore``: the embedded default adapter (standard library ``sqlite3``)."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distcrm.errors import IntegrityError, ValidationError
from distcrm.storage._sql import SCHEMA_VERSION, Dialect, SqlStore, SqlTx

if TYPE_CHECKING:
    from distcrm.data import TransactionLog

__all__ = ["SQLiteStore"]

_DIALECT = Dialect(
    name="sqlite",
    ph="?",
    json_type="TEXT",
    json_param="?",
    key_pk="INTEGER PRIMARY KEY",
    integrity_errors=(sqlite3.IntegrityError,),
)

_SYNC = ("OFF", "NORMAL", "FULL", "EXTRA")


class SQLiteStore(SqlStore):
    """All records in one SQLite file: WAL journal, foreign keys, secure_delete, migrations.

    One unit of work is one ``BEGIN IMMEDIATE`` transaction, so writers from several
    processes queue (up to ``busy_timeout`` seconds) instead of failing; reads run in
    deferred transactions and see a consistent snapshot.

    Parameters
    ----------
    path
        The database file (created with its schema when missing). ``":memory:"`` works
        too, without WAL.
    busy_timeout
        Seconds to wait for another writer's lock before failing.
    synchronous
        SQLite's ``synchronous`` pragma. ``"NORMAL"`` (the default) is crash-safe in WAL
        mode (a killed process or a crashed application loses nothing that was
        committed); ``"FULL"`` also survives power loss of the last commits.

    Examples
    --------
    >>> import tempfile, os
    >>> from distcrm.storage import SQLiteStore
    >>> path = os.path.join(tempfile.mkdtemp(), "crm.db")
    >>> with SQLiteStore(path) as store:
    ...     (store.schema_version, store.customers.count())
    (2, 0)
    """

    dialect = _DIALECT

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        busy_timeout: float = 30.0,
        synchronous: str = "NORMAL",
        _schema_target: int = SCHEMA_VERSION,
    ) -> None:
        if synchronous.upper() not in _SYNC:
            raise ValidationError.single("synchronous", synchronous, f"must be one of {_SYNC}")
        self.path = str(os.fspath(path))
        self.busy_timeout = float(busy_timeout)
        try:
            conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise IntegrityError(f"cannot open SQLite database {self.path!r}: {exc}") from exc
        self._conn = conn
        super().__init__()
        try:
            if self.path != ":memory:":
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise IntegrityError(f"could not switch {self.path!r} to WAL mode (got {mode})")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
            with self._unit(write=True) as uow:
                self.schema_version = self._migrate(uow._tx, target=_schema_target)  # type: ignore[arg-type]
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise IntegrityError(f"{self.path!r} is not a usable distcrm SQLite database: {exc}") from exc
        except BaseException:
            conn.close()
            raise

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    # -- transactions ---------------------------------------------------------------------------
    def _cursor(self) -> Any:
        return self._conn.cursor()

    def _begin(self, write: bool) -> SqlTx:
        if write:
            self._begin_immediate()
        else:
            self._conn.execute("BEGIN DEFERRED")
        return SqlTx(self, self._conn.cursor())

    def _begin_immediate(self) -> None:
        """Take the write lock, polling every fraction of a millisecond while another writer has it.

        SQLite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between attempts, so under
        contention a writer often sleeps long after the lock was freed. Here the wait
        starts at 0.1 ms and doubles up to 4 ms (with jitter), until ``busy_timeout``.
        """
        conn = self._conn
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.0001
        conn.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_BUSY:
                        raise
                    if time.monotonic() > deadline:
                        raise IntegrityError(
                            f"{self.path!r} stayed locked by another writer for {self.busy_timeout} s "
                            "(busy_timeout); nothing was written"
                        ) from exc
                time.sleep(delay * (0.5 + random.random()))  # jitter
                delay = min(delay * 2, 0.004)
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")

    def _commit(self, tx: Any) -> None:
        self._conn.execute("COMMIT")
        self._touched_keys = False

    def _rollback(self, tx: Any) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        self._forget_keys_on_rollback()

    def close(self) -> None:
        """Close the connection (checkpointing the WAL into the main file)."""
        self._conn.close()

    # -- maintenance ----------------------------------------------------------------------------
    def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate the WAL to zero bytes."""
        with self._lock:
            busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                raise IntegrityError(
                    "the WAL checkpoint could not complete because another connection is reading; "
                    "close other connections and call checkpoint() again"
                )

    def integrity_check(self) -> list[str]:
        """``PRAGMA integrity_check`` problems (empty when the file is sound)."""
        with self._lock:
            rows = [r[0] for r in self._conn.execute("PRAGMA integrity_check").fetchall()]
        return [] if rows == ["ok"] else rows

    def _after_forget(self) -> None:
        if self.path != ":memory:":
            self.checkpoint()

    @property
    def files(self) -> list[Path]:
        """The database file and its WAL/shared-memory companions that exist."""
        return [Path(self.path + s) for s in ("", "-wal", "-shm") if Path(self.path + s).exists()]

    def transaction_log(self, start: datetime | None = None, end: datetime | None = None) -> TransactionLog:
        """The order lines created in ``[start, end)``, read column-wise straight into NumPy.

        Examples
        --------
        >>> import tempfile, os
        >>> store = SQLiteStore(os.path.join(tempfile.mkdtemp(), "crm.db"))
        >>> len(store.transaction_log())
        0
        """
        from distcrm.storage._txlog import read_sql_log

        with self._unit(write=False) as uow:
            return read_sql_log(uow._tx, start, end)  # type: ignore[arg-type]
