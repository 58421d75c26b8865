"""The storage Protocols: what any repository, unit of work and store provides.

The shipped adapters implement them (and are checked against them by the
conformance suite); a third-party adapter plugs in by shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from os import PathLike
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from distcrm.storage._repo import UnitOfWork

if TYPE_CHECKING:
    from distcrm.data import TransactionLog
    from distcrm.domain import (
        Campaign,
        CampaignContact,
        Competitor,
        ComplaintCase,
        Customer,
        Depot,
        Driver,
        Feedback,
        Interaction,
        LoyaltyAccount,
        Order,
        Product,
        Shipment,
        Vehicle,
    )
    from distcrm.storage._backup import BackupManifest
    from distcrm.storage._privacy import ErasureReport

__all__ = [
    "CampaignContactRepository",
    "CaseRepository",
    "CustomerRepository",
    "FeedbackRepository",
    "InteractionRepository",
    "LoyaltyRepository",
    "OrderRepository",
    "Repository",
    "ShipmentRepository",
    "Store",
    "UnitOfWork",
]

T = TypeVar("T")


@runtime_checkable
class Repository(Protocol[T]):
    """The records of one aggregate type.

    ``add`` stores a new record as given (DuplicateError if the id exists);
    ``get`` returns it (NotFoundError if missing); ``update`` requires the object's
    ``version`` to equal the stored one (else ConflictError), stores ``version + 1`` and
    returns the stored object; ``all`` iterates by id. Invalid objects raise
    ValidationError and never reach the database.
    """

    def add(self, obj: T) -> T: ...
    def add_many(self, objs: Iterable[T]) -> int: ...
    def get(self, id: str) -> T: ...
    def find(self, id: str) -> T | None: ...
    def update(self, obj: T) -> T: ...
    def all(self) -> Iterator[T]: ...
    def count(self) -> int: ...


class CustomerRepository(Repository["Customer"], Protocol):
    """Customers by tag, segment or territory (each ordered by id)."""

    def by_tag(self, tag: str) -> list[Customer]: ...
    def by_segment(self, segment: Any) -> list[Customer]: ...
    def by_territory(self, territory: Any) -> list[Customer]: ...


class OrderRepository(Repository["Order"], Protocol):
    """Orders created in ``[start, end)`` and by customer (oldest first)."""

    def in_range(self, start: datetime | None = None, end: datetime | None = None) -> list[Order]: ...
    def by_customer(
        self, customer_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Order]: ...


class InteractionRepository(Repository["Interaction"], Protocol):
    """Interactions by customer and time (oldest first)."""

    def by_customer(
        self, customer_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Interaction]: ...


class ShipmentRepository(Repository["Shipment"], Protocol):
    """Shipments by status and planned day, by order and by customer."""

    def by_status(self, status: Any, day: date | None = None) -> list[Shipment]: ...
    def on_day(self, day: date) -> list[Shipment]: ...
    def by_order(self, order_id: str) -> list[Shipment]: ...
    def by_customer(self, customer_id: str) -> list[Shipment]: ...


class FeedbackRepository(Repository["Feedback"], Protocol):
    """Feedback by customer."""

    def by_customer(self, customer_id: str) -> list[Feedback]: ...


class CaseRepository(Repository["ComplaintCase"], Protocol):
    """Complaint cases: open ones breaching their SLA at a time, and by customer."""

    def breaching_sla(self, at: datetime) -> list[ComplaintCase]: ...
    def by_customer(self, customer_id: str) -> list[ComplaintCase]: ...


class LoyaltyRepository(Repository["LoyaltyAccount"], Protocol):
    """Loyalty accounts by customer."""

    def by_customer(self, customer_id: str) -> list[LoyaltyAccount]: ...


class CampaignContactRepository(Repository["CampaignContact"], Protocol):
    """Campaign contacts by campaign and by customer."""

    def by_campaign(self, campaign_id: str) -> list[CampaignContact]: ...
    def by_customer(self, customer_id: str) -> list[CampaignContact]: ...


class Store(Protocol):
    """A storage adapter: repositories, units of work, backup, privacy and analytics."""

    schema_version: int
    customers: CustomerRepository
    interactions: InteractionRepository
    products: Repository[Product]
    orders: OrderRepository
    shipments: ShipmentRepository
    vehicles: Repository[Vehicle]
    depots: Repository[Depot]
    drivers: Repository[Driver]
    feedback: FeedbackRepository
    cases: CaseRepository
    loyalty: LoyaltyRepository
    campaigns: Repository[Campaign]
    campaign_contacts: CampaignContactRepository
    competitors: Repository[Competitor]

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]: ...
    def backup(self, path: str | PathLike[str]) -> BackupManifest: ...
    def forget_customer(self, customer_id: str) -> ErasureReport: ...
    def export_pseudonymised(self, path: str | PathLike[str], *, key: bytes | str) -> dict[str, int]: ...
    def transaction_log(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> TransactionLog: ...
    def close(self) -> None: ...
