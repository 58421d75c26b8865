"""Shipments (with their lifecycle), vehicles, depots and drivers."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from decimal import Decimal
from typing import ClassVar

import attrs

from distcrm.domain._lifecycle import Lifecycle
from distcrm.domain._validation import Record, checks, each, err, ge, gt, ident, new_id, nonblank, opt
from distcrm.domain._values import Address, GeoPoint, Money, TimeWindow
from distcrm.errors import FieldError, ValidationError

__all__ = [
    "SHIPMENT_LIFECYCLE",
    "DeliveryFailureReason",
    "Depot",
    "Driver",
    "ProofOfDelivery",
    "Shipment",
    "ShipmentLine",
    "ShipmentStatus",
    "TrackingEvent",
    "Vehicle",
]


class ShipmentStatus(enum.Enum):
    """Where a shipment is in its lifecycle."""

    PLANNED = "planned"
    LOADED = "loaded"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETURNED = "returned"


class DeliveryFailureReason(enum.Enum):
    """Why a delivery attempt failed or a shipment was returned."""

    CUSTOMER_ABSENT = "customer_absent"
    ADDRESS_NOT_FOUND = "address_not_found"
    REFUSED = "refused"
    DAMAGED = "damaged"
    VEHICLE_ISSUE = "vehicle_issue"
    OTHER = "other"


_S = ShipmentStatus
SHIPMENT_LIFECYCLE: Lifecycle[ShipmentStatus] = Lifecycle(
    "shipment",
    {
        "load": ({_S.PLANNED}, _S.LOADED),
        "dispatch": ({_S.PLANNED, _S.LOADED, _S.FAILED}, _S.OUT_FOR_DELIVERY),
        "deliver": ({_S.OUT_FOR_DELIVERY}, _S.DELIVERED),
        "fail": ({_S.LOADED, _S.OUT_FOR_DELIVERY}, _S.FAILED),
        "replan": ({_S.FAILED}, _S.PLANNED),
        "return": ({_S.OUT_FOR_DELIVERY, _S.FAILED}, _S.RETURNED),
    },
)


@attrs.frozen(kw_only=True)
class TrackingEvent(Record):
    """A tracking scan: when, which status, where (a place name or a position), and a note."""

    at: dt.datetime
    status: ShipmentStatus
    place: str | GeoPoint | None = None
    note: str = ""


@attrs.frozen(kw_only=True)
class ProofOfDelivery(Record):
    """Who signed for a delivery, when, and a reference to a photo."""

    signed_by: str | None = None
    at: dt.datetime
    photo_ref: str | None = None
    location: GeoPoint | None = None

    def _check(self) -> Iterator[FieldError]:
        if self.signed_by is None and self.photo_ref is None:
            yield err("signed_by", "a proof of delivery needs signed_by or photo_ref")


@attrs.frozen(kw_only=True)
class ShipmentLine(Record):
    """A quantity of one product in a shipment (referring to an order line's product)."""

    product_id: str = attrs.field(metadata=checks(ident))
    quantity: Decimal = attrs.field(metadata=checks(gt(0)))


@attrs.frozen(kw_only=True)
class Shipment(Record):
    """A delivery of (part of) an order to a customer.

    ``planned → loaded → out_for_delivery → delivered``; an attempt may fail
    (``failed``, with a reason), after which the shipment is re-planned or re-dispatched
    (each dispatch counts an attempt) or returned.

    Examples
    --------
    >>> from datetime import datetime, timezone, timedelta
    >>> t = datetime(2024, 5, 2, 8, tzinfo=timezone.utc)
    >>> s = Shipment(id="SH-1", order_id="SO-1", customer_id="C-1")
    >>> s = s.load(t).dispatch(t + timedelta(minutes=30))
    >>> s = s.fail(t + timedelta(hours=2), DeliveryFailureReason.CUSTOMER_ABSENT)
    >>> s = s.dispatch(t + timedelta(days=1)).deliver(t + timedelta(days=1, hours=1),
    ...     ProofOfDelivery(signed_by="Li Wei", at=t + timedelta(days=1, hours=1)))
    >>> s.status.value, s.attempts
    ('delivered', 2)
    >>> s.load(t + timedelta(days=2))
    Traceback (most recent call last):
    ...
    distcrm.errors.InvalidTransition: shipment cannot go from delivered to loaded: 'load' is allowed only from planned
    """

    lifecycle: ClassVar[Lifecycle[ShipmentStatus]] = SHIPMENT_LIFECYCLE
    """The state machine of ``status`` (events, sources, targets)."""

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    order_id: str = attrs.field(metadata=checks(ident))
    customer_id: str = attrs.field(metadata=checks(ident))
    status: ShipmentStatus = ShipmentStatus.PLANNED
    planned_window: TimeWindow | None = None
    address: Address | None = None
    lines: tuple[ShipmentLine, ...] = ()
    vehicle_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    driver_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    depot_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    events: tuple[TrackingEvent, ...] = ()
    attempts: int = attrs.field(default=0, metadata=checks(ge(0)))
    reason_code: DeliveryFailureReason | None = None
    reason_note: str | None = None
    proof_of_delivery: ProofOfDelivery | None = None
    delivered_at: dt.datetime | None = None
    weight_kg: float | None = attrs.field(default=None, metadata=checks(opt(ge(0))))
    volume_m3: float | None = attrs.field(default=None, metadata=checks(opt(ge(0))))
    carrier: str | None = None
    tracking_ref: str | None = None
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        for i in range(1, len(self.events)):
            if self.events[i].at < self.events[i - 1].at:
                yield err(
                    f"events[{i}].at",
                    f"must not be before the previous event ({self.events[i - 1].at.isoformat()})",
                    self.events[i].at,
                )
        st = self.status
        if st in (_S.OUT_FOR_DELIVERY, _S.DELIVERED) and self.attempts < 1:
            yield err("attempts", f"must be >= 1 when the shipment is {st.value}", self.attempts)
        if st is _S.FAILED and self.reason_code is None:
            yield err("reason_code", "is required when the shipment failed")
        if st is _S.DELIVERED and self.delivered_at is None:
            yield err("delivered_at", "is required when the shipment is delivered")
        if st is not _S.DELIVERED and self.delivered_at is not None:
            yield err("delivered_at", "must be null unless the shipment is delivered", self.delivered_at)
        if st is not _S.DELIVERED and self.proof_of_delivery is not None:
            yield err("proof_of_delivery", "must be null unless the shipment is delivered")

    def _move(
        self, event: str, at: dt.datetime, place: str | GeoPoint | None, note: str, **changes: object
    ) -> Shipment:
        new = SHIPMENT_LIFECYCLE.fire(event, self.status)
        if not isinstance(at, dt.datetime) or at.tzinfo is None:
            raise ValidationError.single("at", at, "must be a timezone-aware datetime")
        if self.events and at < self.events[-1].at:
            raise ValidationError.single("at", at, f"must not be before {self.events[-1].at.isoformat()}")
        ev = TrackingEvent(at=at, status=new, place=place, note=note)
        return attrs.evolve(self, status=new, events=(*self.events, ev), **changes)  # type: ignore[arg-type]

    def load(self, at: dt.datetime, *, place: str | GeoPoint | None = None, note: str = "") -> Shipment:
        """planned → loaded."""
        return self._move("load", at, place, note)

    def dispatch(self, at: dt.datetime, *, place: str | GeoPoint | None = None, note: str = "") -> Shipment:
        """planned/loaded/failed → out_for_delivery; counts one more attempt."""
        return self._move("dispatch", at, place, note, attempts=self.attempts + 1)

    def deliver(
        self,
        at: dt.datetime,
        proof: ProofOfDelivery | None = None,
        *,
        place: str | GeoPoint | None = None,
        note: str = "",
    ) -> Shipment:
        """out_for_delivery → delivered."""
        return self._move(
            "deliver", at, place, note, delivered_at=at, proof_of_delivery=proof, reason_code=None
        )

    def fail(
        self,
        at: dt.datetime,
        reason: DeliveryFailureReason,
        *,
        place: str | GeoPoint | None = None,
        note: str = "",
    ) -> Shipment:
        """loaded/out_for_delivery → failed, with a reason code."""
        return self._move(
            "fail", at, place, note or reason.value, reason_code=reason, reason_note=note or None
        )

    def replan(self, at: dt.datetime, window: TimeWindow | None = None, *, note: str = "") -> Shipment:
        """failed → planned (a new attempt will be dispatched later)."""
        return self._move("replan", at, None, note, planned_window=window or self.planned_window)

    def return_(
        self,
        at: dt.datetime,
        reason: DeliveryFailureReason,
        *,
        place: str | GeoPoint | None = None,
        note: str = "",
    ) -> Shipment:
        """out_for_delivery/failed → returned, with a reason code."""
        return self._move(
            "return", at, place, note or reason.value, reason_code=reason, reason_note=note or None
        )


def _shift_check(v: tuple[dt.time, dt.time]) -> str | None:
    return None if v[0] < v[1] else "must be (start, end) with start < end"


@attrs.frozen(kw_only=True)
class Vehicle(Record):
    """A delivery vehicle: capacities, shift, costs, home depot and skills.

    Examples
    --------
    >>> from datetime import time
    >>> from decimal import Decimal
    >>> eur = lambda s: Money(amount=Decimal(s), currency="EUR")
    >>> v = Vehicle(id="V-1", name="Van 1", capacity_weight_kg=1200, capacity_volume_m3=9.5,
    ...             capacity_units=80, shift=(time(7), time(17)), cost_per_km=eur("0.35"),
    ...             cost_per_hour=eur("24"), fixed_cost=eur("60"), depot_id="D-1")
    >>> v.shift_hours
    10.0
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    name: str = attrs.field(metadata=checks(nonblank))
    capacity_weight_kg: float = attrs.field(metadata=checks(ge(0)))
    capacity_volume_m3: float = attrs.field(metadata=checks(ge(0)))
    capacity_units: int = attrs.field(metadata=checks(ge(0)))
    shift: tuple[dt.time, dt.time] = attrs.field(metadata=checks(_shift_check))
    cost_per_km: Money
    cost_per_hour: Money
    fixed_cost: Money
    depot_id: str = attrs.field(metadata=checks(ident))
    skills: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    license_plate: str | None = None
    fuel_type: str | None = None
    active: bool = True
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        cur = self.cost_per_km.currency
        for name in ("cost_per_km", "cost_per_hour", "fixed_cost"):
            m: Money = getattr(self, name)
            if m.amount < 0:
                yield err(f"{name}.amount", "must be >= 0", m.amount)
            if m.currency != cur:
                yield err(f"{name}.currency", f"must be {cur} like cost_per_km", m.currency)

    @property
    def shift_hours(self) -> float:
        """Length of the shift in hours."""
        a, b = self.shift
        return (b.hour * 3600 + b.minute * 60 + b.second - a.hour * 3600 - a.minute * 60 - a.second) / 3600


@attrs.frozen(kw_only=True)
class Depot(Record):
    """A warehouse vehicles start from and return to."""

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    name: str = attrs.field(metadata=checks(nonblank))
    location: GeoPoint
    address: Address | None = None
    opening: tuple[dt.time, dt.time] = attrs.field(
        default=(dt.time(0), dt.time(23, 59, 59)), metadata=checks(_shift_check)
    )
    version: int = attrs.field(default=0, metadata=checks(ge(0)))


@attrs.frozen(kw_only=True)
class Driver(Record):
    """A driver: skills (licences, hazmat, cold chain ...), home depot and shift."""

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    name: str = attrs.field(metadata=checks(nonblank))
    skills: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    depot_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    shift: tuple[dt.time, dt.time] | None = attrs.field(default=None, metadata=checks(opt(_shift_check)))
    phone: str | None = None
    active: bool = True
    version: int = attrs.field(default=0, metadata=checks(ge(0)))
