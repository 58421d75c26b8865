"""RoutingProblem.from_domain: today's orders become tomorrow's problem, VIPs first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from distcrm.domain import (
    Address,
    Customer,
    Depot,
    GeoPoint,
    Money,
    Order,
    OrderLine,
    Product,
    TimeWindow,
    Vehicle,
)
from distcrm.errors import ValidationError
from distcrm.routing import EuclideanProvider, RoutingProblem, solve

TZ = dt.UTC
DAY = dt.date(2024, 5, 7)


def _eur(s: str) -> Money:
    return Money(amount=Decimal(s), currency="EUR")


def _order(i: int, cid: str, qty: int, window: tuple[int, int] | None = None) -> Order:
    pw = None
    if window is not None:
        pw = TimeWindow(
            start=dt.datetime(2024, 5, 7, window[0], tzinfo=TZ),
            end=dt.datetime(2024, 5, 7, window[1], tzinfo=TZ),
        )
    return Order(
        id=f"O-{i}",
        customer_id=cid,
        created_at=dt.datetime(2024, 5, 6, 10, tzinfo=TZ),
        currency="EUR",
        lines=(OrderLine(product_id="P-1", quantity=Decimal(qty), unit_price=_eur("2.00")),),
        promised_window=pw,
    ).confirm(dt.datetime(2024, 5, 6, 11, tzinfo=TZ))


@pytest.fixture
def world() -> dict[str, object]:
    depot = Depot(
        id="DEP", name="Main", location=GeoPoint(lat=52.37, lon=4.89), opening=(dt.time(6), dt.time(20))
    )
    van = Vehicle(
        id="V-1",
        name="Van",
        capacity_weight_kg=100,
        capacity_volume_m3=5,
        capacity_units=50,
        shift=(dt.time(8), dt.time(16)),
        cost_per_km=_eur("0.40"),
        cost_per_hour=_eur("20"),
        fixed_cost=_eur("50"),
        depot_id="DEP",
    )
    customers = {
        f"C-{k}": Customer(id=f"C-{k}", name=f"Shop {k}", tags=frozenset({"vip"} if k == 3 else set()))
        for k in range(4)
    }
    addresses = {
        f"C-{k}": Address(
            line1=f"Street {k}",
            city="Amsterdam",
            country="NL",
            geo=GeoPoint(lat=52.37 + 0.01 * k, lon=4.90 + 0.01 * k),
        )
        for k in range(4)
    }
    product = Product(id="P-1", sku="CRATE", name="Crate", weight_kg=2.0, volume_m3=0.01)
    return {
        "depot": depot,
        "van": van,
        "customers": customers,
        "addresses": addresses,
        "products": {"P-1": product},
    }


def _problem(world: dict[str, object], orders: list[Order]) -> RoutingProblem:
    return RoutingProblem.from_domain(
        orders,
        world["addresses"],
        [world["van"]],
        DAY,
        depots=[world["depot"]],
        products=world["products"],
        customers=world["customers"],
    )


def test_orders_become_stops_with_demand_windows_and_priority(world: dict[str, object]) -> None:
    """One stop per customer address; demand in kg, m3 and units; promised windows in seconds."""
    orders = [_order(0, "C-0", 5, (9, 11)), _order(1, "C-0", 5), _order(2, "C-3", 4)]
    p = _problem(world, orders)
    s0, s3 = p.stops
    assert ("C-0", ("O-0", "O-1"), (20.0, 0.1, 10.0)) == (s0.id, s0.refs, pytest.approx(s0.demand))
    assert (9 * 3600.0, 11 * 3600.0) == (s0.windows[0].start, s0.windows[0].end)
    assert (0, 10) == (s0.priority, s3.priority)
    vt = p.vehicle_types[0]
    assert (8 * 3600.0, 0.0004) == (vt.shift.start, pytest.approx(vt.cost_per_distance))


def test_vips_are_served_first_when_capacity_is_short(world: dict[str, object]) -> None:
    """With room for two of four customers, the VIP is among those served."""
    orders = [_order(k, f"C-{k}", 20) for k in range(4)]
    plan = solve(_problem(world, orders), time_limit=0.5, seed=1)
    assert "C-3" in plan.served
    assert 2 == len(plan.unserved)
    assert plan.is_feasible()


def test_orders_without_location_are_reported(world: dict[str, object]) -> None:
    """An order whose customer has no geocoded address is named in the error."""
    with pytest.raises(ValidationError) as exc:
        _problem(world, [_order(9, "C-unknown", 1)])
    assert "O-9" == exc.value.value


def test_explicit_provider_is_used(world: dict[str, object]) -> None:
    """A given distance provider replaces the default haversine."""
    p = RoutingProblem.from_domain(
        [_order(0, "C-1", 1)],
        world["addresses"],
        [world["van"]],
        DAY,
        depots=[world["depot"]],
        products=world["products"],
        distance=EuclideanProvider(),
    )
    assert isinstance(p.distance, EuclideanProvider)
