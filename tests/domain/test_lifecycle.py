"""The shared lifecycle mechanism and the exported names of distcrm.domain."""

from __future__ import annotations

import enum

import pytest

import distcrm.domain as d
from distcrm.domain import Campaign, ComplaintCase, Lifecycle, Order, Shipment
from distcrm.errors import InvalidTransition

MACHINES = [Order.lifecycle, Shipment.lifecycle, ComplaintCase.lifecycle, Campaign.lifecycle]


def test_every_name_in_all_resolves_and_is_sorted() -> None:
    """Each name in distcrm.domain.__all__ exists, and the list is sorted."""
    assert [] == [n for n in d.__all__ if not hasattr(d, n)]
    assert sorted(d.__all__) == d.__all__


def test_every_public_class_and_enum_is_exported() -> None:
    """Every domain class and enum defined in the private modules is in __all__."""
    import inspect

    from distcrm.domain import (
        _campaign,
        _competitor,
        _customer,
        _delivery,
        _feedback,
        _lifecycle,
        _loyalty,
        _sales,
        _values,
    )

    mods = [_campaign, _competitor, _customer, _delivery, _feedback, _lifecycle, _loyalty, _sales, _values]
    defined = {
        name
        for m in mods
        for name, obj in vars(m).items()
        if inspect.isclass(obj) and obj.__module__ == m.__name__ and not name.startswith("_")
    }
    assert set() == defined - set(d.__all__)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.kind)
def test_every_state_is_reachable_from_the_initial_one(machine: Lifecycle[enum.Enum]) -> None:
    """Each lifecycle's states are all reachable from its first state (no dead states)."""
    states = {s for pair in machine.pairs for s in pair}
    start = next(iter(type(next(iter(states)))))
    seen, frontier = {start}, [start]
    while frontier:
        for nxt in machine.next_states(frontier.pop()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert set(type(start)) == seen


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.kind)
def test_fire_agrees_with_can_fire(machine: Lifecycle[enum.Enum]) -> None:
    """fire raises InvalidTransition exactly when can_fire is False, naming the event's target."""
    enum_cls = type(next(iter(machine.pairs))[0])
    for event in machine.events:
        for state in enum_cls:
            if machine.can_fire(event, state):
                assert machine.target(event) == machine.fire(event, state)
            else:
                with pytest.raises(InvalidTransition) as info:
                    machine.fire(event, state)
                assert (state, machine.target(event)) == (info.value.from_state, info.value.to_state)


def test_terminal_states() -> None:
    """Delivered/returned shipments, cancelled/closed orders and finished campaigns go nowhere."""
    assert frozenset() == Shipment.lifecycle.next_states(d.ShipmentStatus.DELIVERED)
    assert frozenset() == Shipment.lifecycle.next_states(d.ShipmentStatus.RETURNED)
    assert frozenset() == Order.lifecycle.next_states(d.OrderStatus.CANCELLED)
    assert frozenset() == Order.lifecycle.next_states(d.OrderStatus.CLOSED)
    assert frozenset() == Campaign.lifecycle.next_states(d.CampaignStatus.FINISHED)
    assert frozenset({d.CaseStatus.IN_PROGRESS}) == ComplaintCase.lifecycle.next_states(d.CaseStatus.CLOSED)
