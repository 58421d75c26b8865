"""Products and sales orders (with their lifecycle)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar

import attrs

from distcrm.domain._lifecycle import Lifecycle, StatusChange
from distcrm.domain._validation import (
    Record,
    between,
    checks,
    each,
    err,
    ge,
    gt,
    ident,
    new_id,
    nonblank,
    opt,
)
from distcrm.domain._values import Address, Money, TimeWindow, currency_code
from distcrm.errors import FieldError, ValidationError

__all__ = ["ORDER_LIFECYCLE", "Order", "OrderLine", "OrderStatus", "Product"]


@attrs.frozen(kw_only=True)
class Product(Record):
    """A sellable item, with the weight and volume vehicle capacity is checked against.

    Examples
    --------
    >>> from decimal import Decimal
    >>> p = Product(sku="MILK-1L", name="Fresh milk 1 L", category="dairy", unit="bottle",
    ...             weight_kg=1.05, volume_m3=0.0011, list_price=Money(amount=Decimal("1.20"), currency="EUR"))
    >>> p.active
    True
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    sku: str = attrs.field(metadata=checks(ident))
    name: str = attrs.field(metadata=checks(nonblank))
    category: str | None = None
    brand: str | None = None
    unit: str = attrs.field(default="unit", metadata=checks(nonblank))
    weight_kg: float = attrs.field(default=0.0, metadata=checks(ge(0)))
    volume_m3: float = attrs.field(default=0.0, metadata=checks(ge(0)))
    list_price: Money | None = None
    active: bool = True
    barcode: str | None = attrs.field(default=None, metadata=checks(opt(nonblank)))
    description: str = ""
    tags: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        if self.list_price is not None and self.list_price.amount < 0:
            yield err("list_price.amount", "must be >= 0", self.list_price.amount)


@attrs.frozen(kw_only=True)
class OrderLine(Record):
    """One line of an order: quantity × unit price, less a fractional discount.

    Examples
    --------
    >>> from decimal import Decimal
    >>> line = OrderLine(product_id="P-1", quantity=Decimal(3), unit_price=Money(amount=Decimal("2.50"), currency="EUR"),
    ...                  discount=Decimal("0.1"))
    >>> line.total()
    Money(amount=Decimal('6.750'), currency='EUR')
    """

    product_id: str = attrs.field(metadata=checks(ident))
    quantity: Decimal = attrs.field(metadata=checks(gt(0)))
    unit_price: Money
    discount: Decimal = attrs.field(default=Decimal(0), metadata=checks(between(0, 1, hi_open=True)))
    delivered_quantity: Decimal = attrs.field(default=Decimal(0), metadata=checks(ge(0)))
    description: str = ""

    def _check(self) -> Iterator[FieldError]:
        if self.unit_price.amount < 0:
            yield err("unit_price.amount", "must be >= 0", self.unit_price.amount)
        if self.delivered_quantity > self.quantity:
            yield err("delivered_quantity", f"must be <= quantity ({self.quantity})", self.delivered_quantity)

    def subtotal(self) -> Money:
        """Quantity × unit price, before discount."""
        return self.unit_price * self.quantity

    def discount_amount(self) -> Money:
        """The discount in money."""
        return self.subtotal() * self.discount

    def total(self) -> Money:
        """Quantity × unit price × (1 − discount)."""
        return self.subtotal() - self.discount_amount()

    @property
    def remaining_quantity(self) -> Decimal:
        """Quantity still to deliver."""
        return self.quantity - self.delivered_quantity


class OrderStatus(enum.Enum):
    """Where an order is in its lifecycle."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


_O = OrderStatus
ORDER_LIFECYCLE: Lifecycle[OrderStatus] = Lifecycle(
    "order",
    {
        "confirm": ({_O.DRAFT}, _O.CONFIRMED),
        "deliver_part": ({_O.CONFIRMED, _O.PARTIALLY_DELIVERED}, _O.PARTIALLY_DELIVERED),
        "deliver_all": ({_O.CONFIRMED, _O.PARTIALLY_DELIVERED}, _O.DELIVERED),
        "close": ({_O.DELIVERED, _O.PARTIALLY_DELIVERED}, _O.CLOSED),
        "cancel": ({_O.DRAFT, _O.CONFIRMED, _O.PARTIALLY_DELIVERED}, _O.CANCELLED),
    },
)


def _nonempty(v: tuple[OrderLine, ...]) -> str | None:
    return None if v else "must have at least one line"


@attrs.frozen(kw_only=True)
class Order(Record):
    """A sales order: lines, a promised delivery window, and a lifecycle.

    ``draft → confirmed → partially_delivered → delivered → closed``; cancellation is
    allowed until delivery is complete, and a partially delivered order may be closed
    short. Lifecycle methods return a new order and append to ``history``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> t = datetime(2024, 5, 1, 9, tzinfo=timezone.utc)
    >>> eur = lambda s: Money(amount=Decimal(s), currency="EUR")
    >>> o = Order(id="SO-1", customer_id="C-1", created_at=t, currency="EUR",
    ...           lines=(OrderLine(product_id="P-1", quantity=Decimal(10), unit_price=eur("2")),))
    >>> o = o.confirm(t).record_delivery([Decimal(4)], t)
    >>> o.status.value, str(o.total())
    ('partially_delivered', '20 EUR')
    >>> o.record_delivery(None, t).status.value
    'delivered'
    """

    lifecycle: ClassVar[Lifecycle[OrderStatus]] = ORDER_LIFECYCLE
    """The state machine of ``status`` (events, sources, targets)."""

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    customer_id: str = attrs.field(metadata=checks(ident))
    lines: tuple[OrderLine, ...] = attrs.field(metadata=checks(_nonempty))
    status: OrderStatus = OrderStatus.DRAFT
    created_at: dt.datetime
    currency: str = attrs.field(metadata=checks(currency_code))
    promised_window: TimeWindow | None = None
    shipping_address: Address | None = None
    history: tuple[StatusChange[OrderStatus], ...] = ()
    reference: str | None = None
    salesperson: str | None = None
    sales_channel: str | None = None
    note: str = ""
    cancel_reason: str | None = None
    tags: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        for i, line in enumerate(self.lines):
            if line.unit_price.currency != self.currency:
                yield err(
                    f"lines[{i}].unit_price.currency",
                    f"must be the order currency {self.currency}",
                    line.unit_price.currency,
                )
        yield from ORDER_LIFECYCLE.check_history(self.history, self.status, since=self.created_at)
        delivered = [line.delivered_quantity for line in self.lines]
        complete = all(line.delivered_quantity == line.quantity for line in self.lines)
        if self.status in (OrderStatus.DRAFT, OrderStatus.CONFIRMED) and any(delivered):
            yield err("status", "a draft or confirmed order has nothing delivered yet", self.status.value)
        if self.status is OrderStatus.PARTIALLY_DELIVERED and (not any(delivered) or complete):
            yield err(
                "status", "partially_delivered needs some but not all quantity delivered", self.status.value
            )
        if self.status is OrderStatus.DELIVERED and not complete:
            yield err("status", "delivered needs every line fully delivered", self.status.value)

    # ------------------------------------------------------------------ amounts
    def subtotal(self) -> Money:
        """Sum of quantity × unit price over the lines, before discounts."""
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.subtotal()
        return total

    def discount_total(self) -> Money:
        """Sum of the line discounts."""
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.discount_amount()
        return total

    def total(self) -> Money:
        """Subtotal less discounts."""
        return self.subtotal() - self.discount_total()

    # ---------------------------------------------------------------- lifecycle
    def _last_at(self) -> dt.datetime:
        return self.history[-1].at if self.history else self.created_at

    def _move(self, event: str, at: dt.datetime, note: str, **changes: object) -> Order:
        new = ORDER_LIFECYCLE.fire(event, self.status)
        if not isinstance(at, dt.datetime) or at.tzinfo is None:
            raise ValidationError.single("at", at, "must be a timezone-aware datetime")
        last = self._last_at()
        if at < last:
            raise ValidationError.single("at", at, f"must not be before {last.isoformat()}")
        step = StatusChange(at=at, from_status=self.status, to_status=new, note=note)
        return attrs.evolve(self, status=new, history=(*self.history, step), **changes)  # type: ignore[arg-type]

    def confirm(self, at: dt.datetime, note: str = "") -> Order:
        """draft → confirmed."""
        return self._move("confirm", at, note)

    def record_delivery(
        self,
        quantities: Sequence[Decimal] | Mapping[int, Decimal] | None,
        at: dt.datetime,
        note: str = "",
    ) -> Order:
        """Record delivered quantities: per line (a sequence, or a mapping line index → quantity),
        or ``None`` for everything still outstanding. Moves to partially_delivered or delivered."""
        if quantities is None:
            add = {i: line.remaining_quantity for i, line in enumerate(self.lines)}
        elif isinstance(quantities, Mapping):
            add = dict(quantities)
        else:
            if len(quantities) != len(self.lines):
                raise ValidationError.single(
                    "quantities", len(quantities), f"must have one quantity per line ({len(self.lines)})"
                )
            add = dict(enumerate(quantities))
        errors: list[FieldError] = []
        new_lines = list(self.lines)
        for i, q in add.items():
            if not isinstance(i, int) or not 0 <= i < len(self.lines):
                errors.append(err(f"quantities[{i!r}]", f"is not a line index (0..{len(self.lines) - 1})", i))
                continue
            if isinstance(q, bool) or not isinstance(q, (int, Decimal)) or q < 0:
                errors.append(err(f"quantities[{i}]", "must be a Decimal >= 0", q))
                continue
            line = self.lines[i]
            if q > line.remaining_quantity:
                errors.append(
                    err(f"quantities[{i}]", f"must be <= the remaining quantity {line.remaining_quantity}", q)
                )
                continue
            new_lines[i] = attrs.evolve(line, delivered_quantity=line.delivered_quantity + q)
        if errors:
            raise ValidationError(errors)
        complete = all(line.delivered_quantity == line.quantity for line in new_lines)
        event = "deliver_all" if complete else "deliver_part"
        return self._move(event, at, note, lines=tuple(new_lines))

    def close(self, at: dt.datetime, note: str = "") -> Order:
        """delivered (or partially delivered, closing short) → closed."""
        return self._move("close", at, note)

    def cancel(self, at: dt.datetime, reason: str) -> Order:
        """→ cancelled, before delivery is complete."""
        return self._move("cancel", at, reason, cancel_reason=reason)

    @property
    def is_open(self) -> bool:
        """Whether the order still expects deliveries."""
        return self.status in (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED)
