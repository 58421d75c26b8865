"""Storage: repositories behind Protocols, and the adapters that implement them.

Every aggregate of :mod:`distcrm.domain` has a repository (``add``, ``get``, ``update``,
``all``, typed queries); a unit of work groups changes into one all-or-nothing
transaction; every record carries a ``version`` for optimistic concurrency.

Adapters: :class:`MemoryStore` (tests, notebooks), :class:`SQLiteStore` (the embedded
default, one file) and :class:`PostgresStore` (a server; ``pip install "distcrm[postgres]"``).
All pass the conformance suite in :mod:`distcrm.testing.storage`. Backups are gzip JSON
Lines of the one converter (:meth:`~BaseStore.backup`, :func:`restore`).

Examples
--------
>>> from datetime import datetime, timezone
>>> from distcrm.domain import Customer
>>> from distcrm.storage import MemoryStore
>>> store = MemoryStore()
>>> with store.unit_of_work() as uow:
...     _ = uow.customers.add(Customer(id="C-1", name="Ada", segment="retail"))
>>> c = store.customers.get("C-1")
>>> store.customers.update(c).version
1
>>> [c.id for c in store.customers.by_segment("retail")]
['C-1']
"""

from distcrm.storage._backup import BackupManifest, restore, verify_backup
from distcrm.storage._memory import MemoryStore
from distcrm.storage._postgres import PostgresStore
from distcrm.storage._privacy import ErasureReport
from distcrm.storage._protocols import (
    CampaignContactRepository,
    CaseRepository,
    CustomerRepository,
    FeedbackRepository,
    InteractionRepository,
    LoyaltyRepository,
    OrderRepository,
    Repository,
    ShipmentRepository,
    Store,
    UnitOfWork,
)
from distcrm.storage._sql import SCHEMA_VERSION
from distcrm.storage._sqlite import SQLiteStore
from distcrm.storage._store import BaseStore

__all__ = [
    "SCHEMA_VERSION",
    "BackupManifest",
    "BaseStore",
    "CampaignContactRepository",
    "CaseRepository",
    "CustomerRepository",
    "ErasureReport",
    "FeedbackRepository",
    "InteractionRepository",
    "LoyaltyRepository",
    "MemoryStore",
    "OrderRepository",
    "PostgresStore",
    "Repository",
    "SQLiteStore",
    "ShipmentRepository",
    "Store",
    "UnitOfWork",
    "restore",
    "verify_backup",
]
