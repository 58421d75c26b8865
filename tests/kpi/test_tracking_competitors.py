"""Tests of the tracking query and the competitor summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import matplotlib
import pytest

from distcrm.domain import (
    Competitor,
    Customer,
    DeliveryFailureReason,
    LostDeal,
    Money,
    Order,
    OrderLine,
    PricePosition,
    Shipment,
    TimeWindow,
)
from distcrm.errors import NotFoundError, ValidationError
from distcrm.kpi import competitor_summary, track

matplotlib.use("Agg")

T = dt.datetime(2024, 5, 2, 8, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _shipments() -> list[Shipment]:
    win = TimeWindow(start=T + 4 * H, end=T + 6 * H)
    out = Shipment(id="SH-1", order_id="SO-1", customer_id="C1", planned_window=win).load(T).dispatch(T + H)
    done = (
        Shipment(id="SH-0", order_id="SO-0", customer_id="C1")
        .load(T - 48 * H)
        .dispatch(T - 47 * H)
        .deliver(T - 46 * H)
    )
    failed = (
        Shipment(id="SH-2", order_id="SO-2", customer_id="C2")
        .load(T)
        .dispatch(T + H)
        .fail(T + 2 * H, DeliveryFailureReason.CUSTOMER_ABSENT)
    )
    planned = Shipment(id="SH-3", order_id="SO-3", customer_id="C3", planned_window=win)
    return [out, done, failed, planned]


def test_track_by_shipment_with_eta_window_and_history() -> None:
    """A shipment id gives status, events in order and a 5-minute-rounded ETA window."""
    r = track("SH-1", shipments=_shipments(), eta={"SH-1": T + 6 * H + dt.timedelta(minutes=33)})
    (v,) = r.shipments
    assert "shipment" == r.kind
    assert ["loaded", "out_for_delivery"] == [e[1] for e in v.events]
    assert (T + 6 * H + dt.timedelta(minutes=15), T + 6 * H + dt.timedelta(minutes=50)) == v.eta_window
    assert "Order SO-1: out for delivery, expected 2024-05-02 22:15–22:50." == r.message(SHANGHAI)


def test_track_order_falls_back_to_planned_window_and_failed_message() -> None:
    """Without an ETA the planned window is quoted; a failed attempt names the reason."""
    assert "planned for 2024-05-02 12:00–14:00" in track("SO-3", shipments=_shipments()).message()
    msg = track("SO-2", shipments=_shipments()).message()
    assert "Order SO-2: delivery attempt failed (customer absent); we will contact you" in msg


def test_track_customer_lists_open_or_last_delivered() -> None:
    """A customer query lists open shipments; with none open, the latest delivered one."""
    r = track("C1", shipments=_shipments(), eta={"SO-1": T + 5 * H})
    assert ["SH-1"] == [s.shipment_id for s in r.shipments]
    assert "customer" == r.kind
    only_done = [s for s in _shipments() if s.id == "SH-0"]
    assert "delivered on 2024-04-30 10:00" in track("C1", shipments=only_done).message()


def test_track_customer_with_unscheduled_order() -> None:
    """A confirmed order without a shipment is reported as not yet scheduled."""
    line = OrderLine(product_id="p", quantity=Decimal(1), unit_price=Money.of("5", "CNY"))
    o = Order(id="SO-9", customer_id="C9", created_at=T, currency="CNY", lines=(line,)).confirm(T)
    assert (
        "Order SO-9: confirmed, not yet scheduled for delivery."
        == track("C9", shipments=[], orders=[o]).message()
    )


def test_track_unknown_and_naive_eta() -> None:
    """An unknown id raises NotFoundError; a naive ETA raises ValidationError."""
    with pytest.raises(NotFoundError):
        track("nope", shipments=_shipments())
    with pytest.raises(ValidationError):
        track("SH-1", shipments=_shipments(), eta={"SH-1": dt.datetime(2024, 5, 2, 14)})


def _competitors() -> list[Competitor]:
    a = Competitor(
        id="K1",
        name="FreshCo",
        price_position=PricePosition.LOWER,
        strengths=("price",),
        customer_ids=frozenset({"C1", "C2"}),
        lost_deals=(
            LostDeal(
                customer_id="C1", at=T, reason="Price", value=Money.of("500", "CNY"), product_category="tea"
            ),
            LostDeal(
                customer_id="C2", at=T, reason=" price", value=Money.of("300", "CNY"), product_category="tea"
            ),
        ),
    )
    b = Competitor(
        id="K2",
        name="QuickShip",
        lost_deals=(LostDeal(customer_id="C3", at=T, reason="Delivery speed", value=Money.of("900", "CNY")),),
    )
    return [a, b]


def test_competitor_summary_by_competitor_reason_and_territory() -> None:
    """Deals and values add up by competitor, normalised reason and customer territory."""
    customers = [
        Customer(id="C1", name="a", territory="North"),
        Customer(id="C2", name="b", territory="North"),
        Customer(id="C3", name="c", territory="South", segment="key"),
    ]
    s = competitor_summary(_competitors(), customers)
    assert ["QuickShip", "FreshCo"] == s.by_competitor["competitor"].tolist()
    assert [1, 2] == s.by_competitor["lost_deals"].tolist()
    assert "price" == s.by_competitor.lookup(competitor="FreshCo")["top_reason"]
    assert 2 == s.by_competitor.lookup(competitor="FreshCo")["customers_linked"]
    assert {"price": 800.0, "delivery speed": 900.0} == dict(
        zip(s.by_reason["reason"].tolist(), s.by_reason["lost_value"].tolist(), strict=True)
    )
    assert {"North": 800.0, "South": 900.0} == dict(
        zip(s.by_territory["territory"].tolist(), s.by_territory["lost_value"].tolist(), strict=True)
    )
    assert "3 deals lost worth 1,700.00 CNY; most to QuickShip" in s.summary()
    assert "why deals are lost" == s.plot().get_title()


def test_competitor_summary_rejects_mixed_currencies() -> None:
    """Lost deals in two currencies raise ValidationError."""
    k = Competitor(
        id="K",
        name="X",
        lost_deals=(
            LostDeal(customer_id="C1", at=T, reason="price", value=Money.of("1", "CNY")),
            LostDeal(customer_id="C1", at=T, reason="price", value=Money.of("1", "USD")),
        ),
    )
    with pytest.raises(ValidationError):
        competitor_summary([k])
