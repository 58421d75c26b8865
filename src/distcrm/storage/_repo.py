"""Repositories and the unit of work, shared by every adapter.

A repository validates what it is given and works out versions; the adapter's
transaction object (``_Tx``) only stores and fetches. So the rules (duplicate add,
stale update, missing id, malformed input) are written once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import attrs

from distcrm.errors import FieldError, NotFoundError, ValidationError
from distcrm.storage._codec import encode, full_validate
from distcrm.storage._jsonfast import Mismatch, batch_encoder
from distcrm.storage._spec import AggregateSpec, Query, spec_for, specs, to_micros

if TYPE_CHECKING:
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

__all__ = ["RepositoryImpl", "UnitOfWork", "encode_batch", "make_repository", "validate_record"]

T = TypeVar("T")


class _Tx(Protocol):
    """What an adapter provides inside one transaction (private)."""

    def insert(self, spec: AggregateSpec, objs: Sequence[Any], docs: Sequence[str]) -> None: ...
    def replace(self, spec: AggregateSpec, obj: Any, expected_version: int, doc: str) -> None: ...
    def get(self, spec: AggregateSpec, id: str) -> Any | None: ...
    def scan(self, spec: AggregateSpec) -> Iterator[Any]: ...
    def query(self, spec: AggregateSpec, query: Query, params: dict[str, Any]) -> list[Any]: ...
    def count(self, spec: AggregateSpec) -> int: ...


class Runner(Protocol):
    """Runs ``fn`` in a transaction (a write transaction when ``write``)."""

    def __call__(self, fn: Callable[[_Tx], Any], write: bool = False) -> Any: ...


def _check_identity(spec: AggregateSpec, obj: Any, where: str) -> None:
    """The cheap checks of every stored object: its class, a non-empty id, a version >= 0."""
    cls = spec.cls
    if not isinstance(obj, cls):
        raise ValidationError.single(
            where or spec.repo, type(obj).__name__, f"must be a {cls.__name__} (the {spec.repo} repository)"
        )
    errors: list[FieldError] = []
    oid = getattr(obj, "id", None)
    if not isinstance(oid, str) or not oid:
        errors.append(FieldError(f"$.{where + '.' if where else ''}id", "must be a non-empty string", oid))
    version = getattr(obj, "version", None)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        errors.append(FieldError(f"$.{where + '.' if where else ''}version", "must be an int >= 0", version))
    if errors:
        raise ValidationError(errors)


def validate_record(spec: AggregateSpec, obj: Any, where: str = "") -> None:
    """Raise ValidationError unless ``obj`` is a valid instance of the aggregate's class.

    Runs the domain's full validation of every field again (``add`` and ``update``).
    """
    _check_identity(spec, obj, where)
    try:
        full_validate(obj)
    except ValidationError as exc:
        raise exc.prefixed(where) if where else exc from None
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(where or spec.repo, obj.id, f"is not valid: {exc}") from None


def encode_batch(spec: AggregateSpec, objs: Sequence[Any]) -> list[str]:
    """The documents of a batch of instances, checking each one's class, id, version and field types.

    The bulk path: an instance of a domain class was validated by its constructor, so its
    value rules are not run again; the compiled encoder checks the type of every field
    (a value of the wrong type, e.g. set with ``object.__setattr__``, is sent through
    the full validation and rejected with its path).
    """
    cls = spec.cls
    docs = _encode_columns(cls, objs)
    if docs is not None:
        return docs
    docs = []
    append = docs.append
    for i, obj in enumerate(objs):
        oid = getattr(obj, "id", None)
        version = getattr(obj, "version", None)
        if type(obj) is not cls or type(oid) is not str or not oid or type(version) is not int or version < 0:
            _check_identity(spec, obj, f"[{i}]")
        try:
            append(encode(obj))
        except ValidationError as exc:
            raise exc.prefixed(f"[{i}]") from None
        except (TypeError, ValueError) as exc:
            raise ValidationError.single(f"[{i}]", oid, f"is not valid: {exc}") from None
    return docs


def _encode_columns(cls: type[Any], objs: Sequence[Any]) -> list[str] | None:
    """The documents of a batch of exact ``cls`` instances with sound ids and versions, written
    column-wise; None when any object or value is off that fast path (the caller then goes
    object by object and reports the first problem with its path)."""
    batch = objs if type(objs) is list else list(objs)
    if not batch or set(map(type, batch)) != {cls}:
        return None
    ids = list(map(attrgetter("id"), batch))
    versions = list(map(attrgetter("version"), batch))
    if set(map(type, ids)) != {str} or "" in ids or set(map(type, versions)) != {int} or min(versions) < 0:
        return None
    encode_many = batch_encoder(cls)
    if encode_many is None:
        return None
    docs: list[str] = []
    try:
        for start in range(0, len(batch), ENCODE_CHUNK):  # bounded intermediate columns
            docs += encode_many(batch[start : start + ENCODE_CHUNK])
    except Mismatch:
        return None
    return docs


ENCODE_CHUNK = 1024
"""Records encoded column-wise at a time, so that a huge batch never holds the texts of all
its values at once (speed is the same from a few hundred records up)."""


def _time_param(name: str, value: datetime | None) -> int | None:
    return None if value is None else to_micros(value, name)


class RepositoryImpl(Generic[T]):
    """The records of one aggregate type: ``add``, ``get``, ``update``, ``all`` and queries.

    Obtained from a unit of work (``uow.customers``) or, for one-off calls that each
    run in their own unit of work, from the store (``store.customers``).
    """

    def __init__(self, spec: AggregateSpec, run: Runner) -> None:
        self._spec = spec
        self._run = run

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._spec.repo}>"

    @property
    def kind(self) -> str:
        """The aggregate class name (``"Customer"``)."""
        return self._spec.kind

    def add(self, obj: T) -> T:
        """Store a new record as given; raises DuplicateError if its id exists."""
        validate_record(self._spec, obj)
        docs = [encode(obj)]
        self._run(lambda tx: tx.insert(self._spec, [obj], docs), write=True)
        return obj

    def add_many(self, objs: Iterable[T]) -> int:
        """Store many new records in one batch (the bulk path); returns how many.

        Raises DuplicateError (and stores none of them) if any id exists or repeats, and
        ValidationError (storing none) for an object of the wrong class or with a field of
        the wrong type. Instances are trusted to satisfy the value rules their
        constructor checked; :meth:`add` re-runs the full validation.
        """
        batch = list(objs)
        docs = encode_batch(self._spec, batch)
        if batch:
            self._run(lambda tx: tx.insert(self._spec, batch, docs), write=True)
        return len(batch)

    def get(self, id: str) -> T:
        """The record with ``id``; raises NotFoundError."""
        found = self._run(lambda tx: tx.get(self._spec, id))
        if found is None:
            raise NotFoundError(self._spec.kind, id)
        return found  # type: ignore[no-any-return]

    def find(self, id: str) -> T | None:
        """The record with ``id``, or None."""
        return self._run(lambda tx: tx.get(self._spec, id))  # type: ignore[no-any-return]

    def update(self, obj: T) -> T:
        """Replace the stored record; ``obj.version`` must equal the stored version.

        Returns the stored object, whose version is one more. Raises ConflictError for a
        stale version and NotFoundError for an unknown id.
        """
        _check_identity(self._spec, obj, "")
        try:  # the copy goes through the constructor: the domain validates every field
            new = attrs.evolve(obj, version=obj.version + 1)  # type: ignore[attr-defined, misc]
        except ValidationError:
            raise
        except (TypeError, ValueError) as exc:
            raise ValidationError.single(self._spec.repo, obj.id, f"is not valid: {exc}") from None  # type: ignore[attr-defined]
        doc = encode(new)  # before the transaction: the write lock is held as briefly as possible
        self._run(lambda tx: tx.replace(self._spec, new, obj.version, doc), write=True)  # type: ignore[attr-defined]
        return new

    def all(self) -> Iterator[T]:
        """Every record, ordered by id."""
        return iter(self._run(lambda tx: list(tx.scan(self._spec))))

    def count(self) -> int:
        """How many records there are."""
        return int(self._run(lambda tx: tx.count(self._spec)))

    def __len__(self) -> int:
        return self.count()

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and self.find(id) is not None

    def _query(self, name: str, **params: Any) -> list[T]:
        q = self._spec.queries[name]
        return self._run(lambda tx: tx.query(self._spec, q, params))  # type: ignore[no-any-return]


class _StreamingRepository(RepositoryImpl[T]):
    """Inside a unit of work ``all()`` streams (the transaction stays open meanwhile)."""

    def all(self) -> Iterator[T]:
        return self._run(lambda tx: tx.scan(self._spec))  # type: ignore[no-any-return]


def _check_str(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError.single(name, value, "must be a string")


class CustomerRepositoryImpl(RepositoryImpl["Customer"]):
    """Customers, queried by tag, segment or territory."""

    def by_tag(self, tag: str) -> list[Customer]:
        """Customers carrying ``tag``, ordered by id."""
        _check_str("tag", tag)
        return self._query("by_tag", tag=tag)

    def by_segment(self, segment: Any) -> list[Customer]:
        """Customers in ``segment``, ordered by id."""
        return self._query("by_segment", segment=str(getattr(segment, "value", segment)))

    def by_territory(self, territory: Any) -> list[Customer]:
        """Customers in ``territory``, ordered by id."""
        return self._query("by_territory", territory=str(getattr(territory, "value", territory)))


class OrderRepositoryImpl(RepositoryImpl["Order"]):
    """Orders, queried by creation time and by customer."""

    def in_range(self, start: datetime | None = None, end: datetime | None = None) -> list[Order]:
        """Orders created in ``[start, end)`` (either bound optional), oldest first."""
        return self._query("in_range", start=_time_param("start", start), end=_time_param("end", end))

    def by_customer(
        self, customer_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Order]:
        """A customer's orders, optionally created in ``[start, end)``, oldest first."""
        _check_str("customer_id", customer_id)
        return self._query(
            "by_customer",
            customer_id=customer_id,
            start=_time_param("start", start),
            end=_time_param("end", end),
        )


class InteractionRepositoryImpl(RepositoryImpl["Interaction"]):
    """Interactions, queried by customer and time."""

    def by_customer(
        self, customer_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[Interaction]:
        """A customer's interactions, optionally in ``[start, end)``, oldest first."""
        _check_str("customer_id", customer_id)
        return self._query(
            "by_customer",
            customer_id=customer_id,
            start=_time_param("start", start),
            end=_time_param("end", end),
        )


class ShipmentRepositoryImpl(RepositoryImpl["Shipment"]):
    """Shipments, queried by status and planned delivery day."""

    def by_status(self, status: Any, day: date | None = None) -> list[Shipment]:
        """Shipments in ``status`` (optionally planned for ``day``), by day then id."""
        return self._query(
            "by_status",
            status=str(getattr(status, "value", status)),
            day=None if day is None else _day(day),
        )

    def on_day(self, day: date) -> list[Shipment]:
        """Shipments whose planned window starts on ``day`` (in the window's own time zone)."""
        return self._query("on_day", day=_day(day))

    def by_order(self, order_id: str) -> list[Shipment]:
        """The shipments of one order."""
        _check_str("order_id", order_id)
        return self._query("by_order", order_id=order_id)

    def by_customer(self, customer_id: str) -> list[Shipment]:
        """The shipments to one customer."""
        _check_str("customer_id", customer_id)
        return self._query("by_customer", customer_id=customer_id)


def _day(day: Any) -> str:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValidationError.single("day", day, "must be a datetime.date")
    return day.isoformat()


class FeedbackRepositoryImpl(RepositoryImpl["Feedback"]):
    """Feedback, queried by customer."""

    def by_customer(self, customer_id: str) -> list[Feedback]:
        """A customer's feedback, ordered by id."""
        _check_str("customer_id", customer_id)
        return self._query("by_customer", customer_id=customer_id)


class CaseRepositoryImpl(RepositoryImpl["ComplaintCase"]):
    """Complaint cases, queried by SLA breach and by customer."""

    def breaching_sla(self, at: datetime) -> list[ComplaintCase]:
        """Open cases whose SLA deadline is before ``at``, most overdue first."""
        return self._query("breaching_sla", open=1, at=to_micros(at, "at"))

    def by_customer(self, customer_id: str) -> list[ComplaintCase]:
        """A customer's cases, ordered by id."""
        _check_str("customer_id", customer_id)
        return self._query("by_customer", customer_id=customer_id)


class LoyaltyRepositoryImpl(RepositoryImpl["LoyaltyAccount"]):
    """Loyalty accounts (ledgers), queried by customer."""

    def by_customer(self, customer_id: str) -> list[LoyaltyAccount]:
        """A customer's loyalty accounts."""
        _check_str("customer_id", customer_id)
        return self._query("by_customer", customer_id=customer_id)


class CampaignContactRepositoryImpl(RepositoryImpl["CampaignContact"]):
    """Campaign contacts, queried by campaign and by customer."""

    def by_campaign(self, campaign_id: str) -> list[CampaignContact]:
        """The contacts of one campaign."""
        _check_str("campaign_id", campaign_id)
        return self._query("by_campaign", campaign_id=campaign_id)

    def by_customer(self, customer_id: str) -> list[CampaignContact]:
        """The campaign contacts of one customer."""
        _check_str("customer_id", customer_id)
        return self._query("by_customer", customer_id=customer_id)


_REPO_CLASSES: dict[str, type[RepositoryImpl[Any]]] = {
    "customers": CustomerRepositoryImpl,
    "orders": OrderRepositoryImpl,
    "interactions": InteractionRepositoryImpl,
    "shipments": ShipmentRepositoryImpl,
    "feedback": FeedbackRepositoryImpl,
    "cases": CaseRepositoryImpl,
    "loyalty": LoyaltyRepositoryImpl,
    "campaign_contacts": CampaignContactRepositoryImpl,
}


@functools.cache
def _repository_class(repo: str, streaming: bool) -> type[RepositoryImpl[Any]]:
    base = _REPO_CLASSES.get(repo, RepositoryImpl)
    if not streaming:
        return base
    return type(f"{base.__name__}", (_StreamingRepository, base), {})


def make_repository(repo: str, run: Runner, *, streaming: bool) -> RepositoryImpl[Any]:
    """The repository object for ``repo`` bound to ``run``."""
    return _repository_class(repo, streaming)(spec_for(repo), run)


class _Repos:
    """The typed repository attributes shared by UnitOfWork and the stores."""

    customers: CustomerRepositoryImpl
    interactions: InteractionRepositoryImpl
    products: RepositoryImpl[Product]
    orders: OrderRepositoryImpl
    shipments: ShipmentRepositoryImpl
    vehicles: RepositoryImpl[Vehicle]
    depots: RepositoryImpl[Depot]
    drivers: RepositoryImpl[Driver]
    feedback: FeedbackRepositoryImpl
    cases: CaseRepositoryImpl
    loyalty: LoyaltyRepositoryImpl
    campaigns: RepositoryImpl[Campaign]
    campaign_contacts: CampaignContactRepositoryImpl
    competitors: RepositoryImpl[Competitor]

    def _bind(self, run: Runner, *, streaming: bool) -> None:
        for s in specs():
            setattr(self, s.repo, make_repository(s.repo, run, streaming=streaming))

    def repository(self, name: str) -> RepositoryImpl[Any]:
        """The repository called ``name`` (``"customers"``)."""
        spec_for(name)
        return getattr(self, name)  # type: ignore[no-any-return]


class UnitOfWork(_Repos):
    """One transaction: every change made through it is committed together or not at all.

    Use it through ``with store.unit_of_work() as uow:``; leaving the block normally
    commits, an exception rolls everything back and propagates.
    """

    def __init__(self, tx: _Tx) -> None:
        self._tx = tx
        self._bind(lambda fn, write=False: fn(tx), streaming=True)
