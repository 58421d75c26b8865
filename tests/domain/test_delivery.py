"""Shipment lifecycle, vehicles, depots and drivers."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from distcrm.domain import (
    DeliveryFailureReason,
    Depot,
    Driver,
    GeoPoint,
    ProofOfDelivery,
    Shipment,
    ShipmentStatus,
    Vehicle,
)
from distcrm.errors import InvalidTransition, ValidationError

from .conftest import T0, eur

H = dt.timedelta(hours=1)


def _shipment() -> Shipment:
    return Shipment(id="SH-1", order_id="SO-1", customer_id="C-1")


def test_shipment_fail_then_redispatch_counts_attempts() -> None:
    """A failed attempt can be re-dispatched; each dispatch increments attempts."""
    s = _shipment().load(T0).dispatch(T0 + H)
    s = s.fail(T0 + 2 * H, DeliveryFailureReason.CUSTOMER_ABSENT, place=GeoPoint(lat=31.2, lon=121.5))
    assert (ShipmentStatus.FAILED, 1, DeliveryFailureReason.CUSTOMER_ABSENT) == (
        s.status,
        s.attempts,
        s.reason_code,
    )
    s = s.replan(T0 + 3 * H).dispatch(T0 + 24 * H)
    pod = ProofOfDelivery(signed_by="王芳", at=T0 + 25 * H)
    s = s.deliver(T0 + 25 * H, pod)
    assert (ShipmentStatus.DELIVERED, 2, T0 + 25 * H, pod) == (
        s.status,
        s.attempts,
        s.delivered_at,
        s.proof_of_delivery,
    )
    expected = ["loaded", "out_for_delivery", "failed", "planned", "out_for_delivery", "delivered"]
    assert expected == [e.status.value for e in s.events]


def test_shipment_return_after_failure() -> None:
    """A failed shipment may be returned, with a reason."""
    s = _shipment().dispatch(T0).fail(T0 + H, DeliveryFailureReason.REFUSED)
    s = s.return_(T0 + 2 * H, DeliveryFailureReason.REFUSED, note="customer refused goods")
    assert (ShipmentStatus.RETURNED, "customer refused goods") == (s.status, s.reason_note)


@pytest.mark.parametrize(
    ("path", "action", "frm", "to"),
    [
        ([], lambda s: s.deliver(T0 + H), "planned", "delivered"),
        (["load"], lambda s: s.load(T0 + H), "loaded", "loaded"),
        (
            ["dispatch", "deliver"],
            lambda s: s.fail(T0 + H, DeliveryFailureReason.OTHER),
            "delivered",
            "failed",
        ),
        (["dispatch", "deliver"], lambda s: s.dispatch(T0 + H), "delivered", "out_for_delivery"),
        ([], lambda s: s.return_(T0 + H, DeliveryFailureReason.OTHER), "planned", "returned"),
    ],
)
def test_shipment_illegal_transitions(path, action, frm, to) -> None:  # type: ignore[no-untyped-def]
    """Illegal shipment moves raise InvalidTransition(kind, from, to)."""
    s = _shipment()
    for step in path:
        s = s.deliver(T0) if step == "deliver" else getattr(s, step)(T0)
    with pytest.raises(InvalidTransition) as info:
        action(s)
    assert ("shipment", frm, to) == (info.value.kind, info.value.from_state.value, info.value.to_state.value)


def test_shipment_invariants() -> None:
    """A delivered shipment needs delivered_at; a failed one a reason; out_for_delivery an attempt."""
    s = _shipment()
    with pytest.raises(ValidationError) as info:
        attrs.evolve(s, status=ShipmentStatus.DELIVERED)
    assert ["$.attempts", "$.delivered_at"] == info.value.paths
    with pytest.raises(ValidationError) as info:
        attrs.evolve(s, status=ShipmentStatus.FAILED)
    assert ["$.reason_code"] == info.value.paths


def test_shipment_events_cannot_go_back_in_time() -> None:
    """A lifecycle step earlier than the last tracking event is rejected."""
    s = _shipment().load(T0 + H)
    with pytest.raises(ValidationError, match="must not be before"):
        s.dispatch(T0)


def test_vehicle_costs_share_a_currency_and_shift_is_ordered() -> None:
    """Mixed cost currencies and a shift ending before it starts are all reported."""
    with pytest.raises(ValidationError) as info:
        Vehicle(
            name="Van",
            capacity_weight_kg=1000,
            capacity_volume_m3=8,
            capacity_units=50,
            shift=(dt.time(18), dt.time(6)),
            cost_per_km=eur("0.3"),
            cost_per_hour=eur("20"),
            fixed_cost=eur("50"),
            depot_id="D-1",
        )
    assert ["$.shift"] == info.value.paths
    with pytest.raises(ValidationError) as info:
        Vehicle(
            name="Van",
            capacity_weight_kg=-1,
            capacity_volume_m3=8,
            capacity_units=50,
            shift=(dt.time(6), dt.time(18)),
            cost_per_km=eur("0.3"),
            cost_per_hour=eur("20"),
            fixed_cost=eur("50"),
            depot_id="D-1",
        )
    assert ["$.capacity_weight_kg"] == info.value.paths


def test_vehicle_cost_currency_mismatch() -> None:
    """cost_per_hour in another currency than cost_per_km is rejected."""
    from distcrm.domain import Money

    with pytest.raises(ValidationError) as info:
        Vehicle(
            name="Van",
            capacity_weight_kg=1,
            capacity_volume_m3=1,
            capacity_units=1,
            shift=(dt.time(6), dt.time(18)),
            cost_per_km=eur("0.3"),
            cost_per_hour=Money.of("20", "USD"),
            fixed_cost=eur("50"),
            depot_id="D-1",
        )
    assert ["$.cost_per_hour.currency"] == info.value.paths


def test_depot_and_driver() -> None:
    """Depot needs a location; Driver shift must be ordered."""
    assert GeoPoint(lat=1, lon=2) == Depot(name="Hub", location=GeoPoint(lat=1, lon=2)).location
    with pytest.raises(ValidationError) as info:
        Driver(name="", shift=(dt.time(9), dt.time(8)))
    assert ["$.name", "$.shift"] == info.value.paths
