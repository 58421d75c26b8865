"""Tracking query: the status, history and ETA of an order, a shipment or a customer's deliveries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from distcrm.domain import Order, Shipment, ShipmentStatus
from distcrm.errors import NotFoundError, ValidationError

__all__ = ["ShipmentView", "TrackingResult", "track"]

_TEXT = {
    ShipmentStatus.PLANNED: "scheduled for delivery",
    ShipmentStatus.LOADED: "loaded on the delivery vehicle",
    ShipmentStatus.OUT_FOR_DELIVERY: "out for delivery",
    ShipmentStatus.DELIVERED: "delivered",
    ShipmentStatus.FAILED: "delivery attempt failed",
    ShipmentStatus.RETURNED: "returned to the depot",
}
_OPEN = (
    ShipmentStatus.PLANNED,
    ShipmentStatus.LOADED,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.FAILED,
)


def _round5(t: dt.datetime) -> dt.datetime:
    t = t.replace(second=0, microsecond=0)
    return t - dt.timedelta(minutes=t.minute % 5)


@attrs.frozen(kw_only=True)
class ShipmentView:
    """One shipment as a customer sees it."""

    shipment_id: str
    order_id: str
    customer_id: str
    status: str
    status_text: str
    events: tuple[tuple[dt.datetime, str, str], ...]
    eta: dt.datetime | None
    eta_window: tuple[dt.datetime, dt.datetime] | None
    planned_window: tuple[dt.datetime, dt.datetime] | None
    delivered_at: dt.datetime | None
    attempts: int
    failure_reason: str | None

    def message(self, tz: ZoneInfo | dt.tzinfo | None = None) -> str:
        """A sentence for the customer: ``Order SO-1: out for delivery, expected 14:20–14:50.``"""

        def fmt(t: dt.datetime, with_date: bool = False) -> str:
            local = t.astimezone(tz) if tz is not None else t
            return local.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")

        head = f"Order {self.order_id}: {self.status_text}"
        if self.status == ShipmentStatus.DELIVERED.value and self.delivered_at is not None:
            return f"{head} on {fmt(self.delivered_at, True)}."
        if self.status == ShipmentStatus.FAILED.value:
            why = f" ({self.failure_reason.replace('_', ' ')})" if self.failure_reason else ""
            return f"{head}{why}; we will contact you to arrange another delivery."
        if self.eta_window is not None:
            a, b = self.eta_window
            return f"{head}, expected {fmt(a, True)}–{fmt(b)}."
        if self.planned_window is not None:
            a, b = self.planned_window
            return f"{head}, planned for {fmt(a, True)}–{fmt(b)}."
        return f"{head}."


@attrs.frozen(kw_only=True)
class TrackingResult:
    """The answer to a tracking query: what was asked and the shipments found."""

    query: str
    kind: str
    shipments: tuple[ShipmentView, ...]
    orders: tuple[tuple[str, str], ...]

    def message(self, tz: ZoneInfo | dt.tzinfo | None = None) -> str:
        """The customer-facing answer (one line per shipment)."""
        if not self.shipments:
            if self.orders:
                return "\n".join(
                    f"Order {o}: {s.replace('_', ' ')}, not yet scheduled for delivery."
                    for o, s in self.orders
                )
            return "No open deliveries."
        return "\n".join(s.message(tz) for s in self.shipments)

    def __str__(self) -> str:
        return self.message()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for an API response)."""
        return attrs.asdict(self)


def _view(s: Shipment, eta: Mapping[str, dt.datetime], margin: dt.timedelta) -> ShipmentView:
    e = eta.get(s.id, eta.get(s.order_id)) if s.status in _OPEN else None
    if e is not None and (not isinstance(e, dt.datetime) or e.tzinfo is None):
        raise ValidationError.single(f"eta[{s.id!r}]", e, "must be a timezone-aware datetime")
    window = None
    if e is not None:
        lo = _round5(e - margin)
        window = (lo, lo + 2 * margin + dt.timedelta(minutes=5 if (e - margin) != lo else 0))
    pw = (s.planned_window.start, s.planned_window.end) if s.planned_window is not None else None
    return ShipmentView(
        shipment_id=s.id,
        order_id=s.order_id,
        customer_id=s.customer_id,
        status=s.status.value,
        status_text=_TEXT[s.status],
        events=tuple(
            (ev.at, ev.status.value, ev.note or (ev.place if isinstance(ev.place, str) else "") or "")
            for ev in s.events
        ),
        eta=e,
        eta_window=window,
        planned_window=pw,
        delivered_at=s.delivered_at,
        attempts=s.attempts,
        failure_reason=s.reason_code.value if s.reason_code is not None else None,
    )


def track(
    query: str,
    *,
    shipments: Sequence[Shipment],
    orders: Sequence[Order] = (),
    eta: Mapping[str, dt.datetime] | None = None,
    eta_margin: dt.timedelta = dt.timedelta(minutes=15),
) -> TrackingResult:
    """Find ``query`` as a shipment id, else an order id, else a customer id, and report.

    ``eta`` maps route stops to planned arrival times (a ``RoutePlan``'s per-stop
    arrivals, keyed by shipment id or by order id); open shipments get an ETA window of
    ``± eta_margin`` rounded to 5 minutes. A customer query lists their open shipments
    (or, if none, their latest delivered one).

    Raises
    ------
    NotFoundError
        ``query`` is no known shipment, order or customer.

    Examples
    --------
    >>> t = dt.datetime(2024, 5, 2, 8, tzinfo=dt.timezone.utc)
    >>> s = Shipment(id="SH-1", order_id="SO-1", customer_id="C-1").load(t).dispatch(t)
    >>> r = track("SO-1", shipments=[s], eta={"SH-1": t.replace(hour=14, minute=33)})
    >>> r.kind, r.message()
    ('order', 'Order SO-1: out for delivery, expected 2024-05-02 14:15–14:50.')
    """
    etas = dict(eta or {})
    by_ship = {s.id: s for s in shipments}
    if query in by_ship:
        return TrackingResult(
            query=query, kind="shipment", shipments=(_view(by_ship[query], etas, eta_margin),), orders=()
        )
    order_ids = {o.id: o for o in orders}
    mine = [s for s in shipments if s.order_id == query]
    if mine or query in order_ids:
        os_ = ((query, order_ids[query].status.value),) if query in order_ids else ()
        return TrackingResult(
            query=query, kind="order", shipments=tuple(_view(s, etas, eta_margin) for s in mine), orders=os_
        )
    theirs = [s for s in shipments if s.customer_id == query]
    their_orders = [o for o in orders if o.customer_id == query]
    if theirs or their_orders:
        open_ = [s for s in theirs if s.status in _OPEN]
        if not open_ and theirs:
            done = [s for s in theirs if s.delivered_at is not None]
            open_ = [max(done, key=lambda s: s.delivered_at)] if done else []  # type: ignore[arg-type, return-value]
        shipped = {s.order_id for s in theirs}
        pending = tuple((o.id, o.status.value) for o in their_orders if o.is_open and o.id not in shipped)
        return TrackingResult(
            query=query,
            kind="customer",
            shipments=tuple(_view(s, etas, eta_margin) for s in open_),
            orders=pending,
        )
    raise NotFoundError("order, shipment or customer", query)
