"""Fleet sizing and what-if scenarios."""

from __future__ import annotations

from distcrm.routing import EuclideanProvider, RoutingProblem, RoutingProblemBuilder, minimum_fleet, what_if


def _day(count: int = 6) -> RoutingProblem:
    b = RoutingProblemBuilder()
    b.add_depot((0, 0), id="D")
    b.add_vehicle_type(count=count, capacity=10, depot="D", shift=(0, 400), id="van")
    for i in range(8):
        b.add_stop((5 * (i % 4) + 5, 5 * (i // 4) + 5), id=f"s{i}", demand=4, windows=[(0, 300)])
    return b.build(EuclideanProvider())


def test_minimum_fleet_reaches_the_capacity_bound() -> None:
    """Eight stops of 4 with capacity 10 need 4 vehicles, the capacity lower bound."""
    fs = minimum_fleet(_day(), time_limit=1.0, seed=1)
    assert (4, 4) == (fs.vehicles, fs.lower_bound)
    assert {"van": 4} == fs.by_type
    assert fs.plan.is_feasible()


def test_peak_day_needs_more_vehicles_and_closures_remove_stops() -> None:
    """Demand x1.5 needs more vehicles; closed stops are left out of the scenario."""
    w = what_if(_day(count=4), demand_factor=1.5, closed_stops=["s0"], time_limit=0.4, seed=1)
    assert w.fleet_needed is not None
    assert 7 == w.fleet_needed.vehicles
    assert "s0" not in [s.id for s in w.scenario.problem.stops]
    assert w.scenario.unserved
    assert "scenario" in w.summary()
    assert ["base", "scenario"] == list(w.to_frame().index)


def test_stops_over_every_capacity_are_listed() -> None:
    """A stop whose scaled demand exceeds every vehicle is listed, not an error."""
    w = what_if(_day(), demand_factor=3.0, time_limit=0.3, seed=1)
    assert 8 == len(w.over_capacity)
