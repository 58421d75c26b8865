"""The behaviour every store shares: units of work, one-off repositories, backup, privacy."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from os import PathLike
from typing import TYPE_CHECKING, Any

from distcrm.storage._repo import UnitOfWork, _Repos, _Tx

if TYPE_CHECKING:
    from distcrm.data import TransactionLog
    from distcrm.storage._backup import BackupManifest
    from distcrm.storage._privacy import ErasureReport

__all__ = ["BaseStore"]


class BaseStore(_Repos):
    """Base class of the adapters: a lock, the unit-of-work protocol and the shared services.

    The repository attributes (``store.customers`` ...) run each call in its own unit of
    work; use :meth:`unit_of_work` to group changes.
    """

    schema_version: int = 0

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._active: UnitOfWork | None = None
        self._bind(self._auto_run, streaming=False)

    # -- adapter hooks -------------------------------------------------------------------------
    def _begin(self, write: bool) -> _Tx:
        raise NotImplementedError

    def _commit(self, tx: _Tx) -> None:
        raise NotImplementedError

    def _rollback(self, tx: _Tx) -> None:
        raise NotImplementedError

    def _after_forget(self) -> None:
        """Make erased bytes unrecoverable (checkpoint, vacuum); adapters override."""

    # -- units of work -------------------------------------------------------------------------
    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """A transaction: ``with store.unit_of_work() as uow: uow.customers.add(c)``.

        Everything done through ``uow`` is committed when the block ends normally and
        rolled back when it raises. A unit of work opened while another is active on the
        same store (same thread) joins it.
        """
        with self._unit(write=True) as uow:
            yield uow

    @contextlib.contextmanager
    def _unit(self, *, write: bool) -> Iterator[UnitOfWork]:
        with self._lock:
            if self._active is not None:
                yield self._active
                return
            tx = self._begin(write)
            uow = UnitOfWork(tx)
            self._active = uow
            try:
                yield uow
            except BaseException:
                self._active = None
                self._rollback(tx)
                raise
            self._active = None
            try:
                self._commit(tx)
            except BaseException:
                with contextlib.suppress(Exception):
                    self._rollback(tx)
                raise

    def _auto_run(self, fn: Callable[[_Tx], Any], write: bool = False) -> Any:
        with self._unit(write=write) as uow:
            return fn(uow._tx)

    def close(self) -> None:
        """Release the store's resources (connections)."""

    def __enter__(self) -> BaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- services ------------------------------------------------------------------------------
    def backup(self, path: str | PathLike[str]) -> BackupManifest:
        """Write every record to ``path`` as gzip JSON Lines with a manifest (counts, checksums).

        The backup is read in one transaction, so it is a consistent snapshot; it is
        written to a temporary file and renamed into place. Restore it into any adapter
        with :func:`distcrm.storage.restore`.
        """
        from distcrm.storage._backup import write_backup

        return write_backup(self, path)

    def forget_customer(self, customer_id: str) -> ErasureReport:
        """Erase a customer's personal data everywhere, keeping anonymised facts.

        The customer's name, contact points, addresses and birthday, and the free text
        of their interactions, feedback and complaint cases are overwritten in one unit of
        work; orders, deliveries and scores stay so that KPIs are unchanged. Then the
        adapter makes the old bytes unrecoverable (SQLite: secure_delete and a WAL
        checkpoint; PostgreSQL: VACUUM). Raises NotFoundError for an unknown customer.
        """
        from distcrm.storage._privacy import forget_customer

        report = forget_customer(self, customer_id)
        self._after_forget()
        return report

    def export_pseudonymised(self, path: str | PathLike[str], *, key: bytes | str) -> dict[str, int]:
        """Write every record as gzip JSON Lines with keyed-hash ids and no personal fields.

        Identifiers (``id`` and every ``*_id`` reference) become HMAC-SHA256 digests under
        ``key``, so they are stable across exports with the same key and joins still work;
        personal fields are left out. Returns the number of records written per repository.
        """
        from distcrm.storage._privacy import export_pseudonymised

        return export_pseudonymised(self, path, key=key)

    def transaction_log(self, start: datetime | None = None, end: datetime | None = None) -> TransactionLog:
        """The order lines created in ``[start, end)`` as a columnar ``TransactionLog``."""
        from distcrm.storage._txlog import log_from_orders

        with self._unit(write=False) as uow:
            orders = uow.orders.in_range(start, end)
        return log_from_orders(orders)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
