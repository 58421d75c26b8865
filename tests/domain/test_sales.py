"""Products and the order lifecycle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings

from distcrm.domain import Order, OrderLine, OrderStatus, Product, StatusChange
from distcrm.errors import InvalidTransition, ValidationError
from distcrm.testing.strategies import strategy_for

from .conftest import T0, eur

H = dt.timedelta(hours=1)


def _order(*qty: int) -> Order:
    lines = tuple(
        OrderLine(product_id=f"P-{i}", quantity=Decimal(q), unit_price=eur("2.50")) for i, q in enumerate(qty)
    )
    return Order(id="SO-1", customer_id="C-1", lines=lines, created_at=T0, currency="EUR")


def test_order_totals_with_discount() -> None:
    """subtotal, discount_total and total are exact Decimal sums over the lines."""
    lines = (
        OrderLine(product_id="A", quantity=Decimal(4), unit_price=eur("2.50"), discount=Decimal("0.1")),
        OrderLine(product_id="B", quantity=Decimal("1.5"), unit_price=eur("10")),
    )
    o = Order(customer_id="C-1", lines=lines, created_at=T0, currency="EUR")
    assert (eur("25.0"), eur("1.0"), eur("24.0")) == (o.subtotal(), o.discount_total(), o.total())


def test_order_line_reports_quantity_and_discount() -> None:
    """quantity <= 0 and discount outside [0, 1) are both reported."""
    with pytest.raises(ValidationError) as info:
        OrderLine(product_id="A", quantity=Decimal(-3), unit_price=eur("1"), discount=Decimal(1))
    assert ["$.quantity", "$.discount"] == info.value.paths
    assert "$.quantity: must be > 0, got Decimal('-3')" == str(info.value.errors[0])


def test_order_needs_lines_in_its_currency() -> None:
    """An order without lines, or with a line in another currency, is rejected."""
    with pytest.raises(ValidationError) as info:
        Order(customer_id="C-1", lines=(), created_at=T0, currency="EUR")
    assert ["$.lines"] == info.value.paths
    usd = OrderLine(product_id="A", quantity=Decimal(1), unit_price=eur("1"))
    with pytest.raises(ValidationError) as info:
        Order(customer_id="C-1", lines=(usd,), created_at=T0, currency="USD")
    assert ["$.lines[0].unit_price.currency"] == info.value.paths


def test_order_happy_path_records_history() -> None:
    """draft -> confirmed -> partially_delivered -> delivered -> closed, each step in history."""
    o = _order(10, 5).confirm(T0 + H)
    o = o.record_delivery([Decimal(4), Decimal(5)], T0 + 2 * H)
    assert OrderStatus.PARTIALLY_DELIVERED == o.status
    assert [Decimal(4), Decimal(5)] == [ln.delivered_quantity for ln in o.lines]
    o = o.record_delivery({0: Decimal(6)}, T0 + 3 * H).close(T0 + 4 * H, "invoiced")
    expected = ["confirmed", "partially_delivered", "delivered", "closed"]
    assert expected == [s.to_status.value for s in o.history]
    assert "invoiced" == o.history[-1].note


def test_order_record_delivery_none_delivers_everything() -> None:
    """record_delivery(None) delivers all outstanding quantity."""
    o = _order(3, 2).confirm(T0).record_delivery(None, T0)
    assert (OrderStatus.DELIVERED, Decimal(0)) == (o.status, sum(ln.remaining_quantity for ln in o.lines))


def test_order_over_delivery_is_rejected() -> None:
    """Delivering more than remains, or to a missing line, raises ValidationError naming them."""
    o = _order(3).confirm(T0)
    with pytest.raises(ValidationError) as info:
        o.record_delivery({0: Decimal(4), 5: Decimal(1)}, T0)
    assert ["$.quantities[0]", "$.quantities[5]"] == info.value.paths


@pytest.mark.parametrize(
    ("prepare", "action", "frm", "to"),
    [
        (lambda o: o, lambda o: o.record_delivery(None, T0 + H), "draft", "delivered"),
        (lambda o: o, lambda o: o.close(T0 + H), "draft", "closed"),
        (lambda o: o.confirm(T0), lambda o: o.confirm(T0 + H), "confirmed", "confirmed"),
        (
            lambda o: o.confirm(T0).record_delivery(None, T0),
            lambda o: o.cancel(T0 + H, "late"),
            "delivered",
            "cancelled",
        ),
        (lambda o: o.cancel(T0, "dup"), lambda o: o.confirm(T0 + H), "cancelled", "confirmed"),
    ],
)
def test_order_illegal_transitions(prepare, action, frm, to) -> None:  # type: ignore[no-untyped-def]
    """Illegal moves raise InvalidTransition naming from and to states."""
    o = prepare(_order(2))
    with pytest.raises(InvalidTransition) as info:
        action(o)
    assert ("order", frm, to) == (info.value.kind, info.value.from_state.value, info.value.to_state.value)


def test_order_time_cannot_go_backwards() -> None:
    """A transition earlier than the last one (or creation) is rejected."""
    o = _order(2).confirm(T0 + 2 * H)
    with pytest.raises(ValidationError, match="must not be before"):
        o.cancel(T0 + H, "x")
    with pytest.raises(ValidationError):
        _order(2).confirm(T0 - H)


def test_order_state_must_match_deliveries_and_history() -> None:
    """A 'delivered' order with nothing delivered, or a history not ending in its status, cannot be built."""
    o = _order(2)
    with pytest.raises(ValidationError) as info:
        attrs.evolve(o, status=OrderStatus.DELIVERED)
    assert ["$.status"] == info.value.paths
    bad_history = (StatusChange(at=T0, from_status=OrderStatus.DRAFT, to_status=OrderStatus.CLOSED),)
    with pytest.raises(ValidationError) as info:
        attrs.evolve(o, history=bad_history, status=OrderStatus.CLOSED)
    assert ["$.history[0]"] == info.value.paths


def test_order_cancel_records_reason() -> None:
    """cancel stores the reason on the order and in the history note."""
    o = _order(1).cancel(T0, "customer changed mind")
    assert ("customer changed mind", "customer changed mind") == (o.cancel_reason, o.history[-1].note)


@settings(max_examples=30, deadline=None)
@given(strategy_for(Order))
def test_generated_orders_respect_the_lifecycle(o: Order) -> None:
    """Every history step of a generated order is a legal transition and delivered <= ordered."""
    assert all(Order.lifecycle.allows(s.from_status, s.to_status) for s in o.history)
    assert all(ln.delivered_quantity <= ln.quantity for ln in o.lines)


def test_product_rejects_negative_weight_and_price() -> None:
    """Negative weight, volume and list price are reported together."""
    with pytest.raises(ValidationError) as info:
        Product(sku="S", name="N", weight_kg=-1, volume_m3=-0.5, list_price=eur("-1"))
    assert ["$.weight_kg", "$.volume_m3"] == info.value.paths
