"""The independent validator finds each kind of broken rule."""

from __future__ import annotations

import attrs
import pytest

from distcrm.routing import (
    Break,
    EuclideanProvider,
    Route,
    RoutePlan,
    RoutingProblem,
    RoutingProblemBuilder,
    StopVisit,
    Unserved,
)


@pytest.fixture
def problem() -> RoutingProblem:
    b = RoutingProblemBuilder()
    b.add_depot((0, 0), id="D")
    b.add_vehicle_type(
        count=1, capacity=10, depot="D", shift=(0, 100), id="van", skills={"cold"}, breaks=[Break(30, 60, 5)]
    )
    b.add_stop((10, 0), id="a", demand=6, windows=[(0, 50)], service_time=2)
    b.add_stop((20, 0), id="b", demand=4, windows=[(10, 60)], service_time=2, skills={"cold"})
    return b.build(EuclideanProvider())


def _plan(
    problem: RoutingProblem, visits: list[StopVisit], *, end: float = 50.0, breaks=((0.0, 5.0),), unserved=()
) -> RoutePlan:
    route = Route(
        vehicle_type="van",
        vehicle=0,
        stop_ids=[v.stop_id for v in visits],
        visits=visits,
        start_time=5.0,
        end_time=end,
        distance=40.0,
        cost=40.0,
        breaks=breaks,
    )
    return RoutePlan(problem=problem, routes=[route], unserved=unserved, engine="hand", status="feasible")


def _good(problem: RoutingProblem) -> RoutePlan:
    visits = [StopVisit("a", 15.0, 15.0, 17.0, (4.0,)), StopVisit("b", 27.0, 27.0, 29.0, (0.0,))]
    return _plan(problem, visits, end=54.0, breaks=((30.0, 35.0),))


def _kinds(plan: RoutePlan) -> set[str]:
    return {v.kind for v in plan.violations()}


def test_a_good_plan_passes(problem: RoutingProblem) -> None:
    """A hand-checked plan (break taken after the last stop) has no violation."""
    assert [] == [str(v) for v in _good(problem).violations()]


def test_window_violation(problem: RoutingProblem) -> None:
    """Starting service after the window closes is a window violation."""
    plan = _good(problem)
    r = plan.routes[0]
    late = attrs.evolve(r, visits=[r.visits[0], StopVisit("b", 65.0, 65.0, 67.0, (0.0,))], end_time=90.0)
    assert "window" in _kinds(attrs.evolve(plan, routes=[late]))


def test_travel_too_fast(problem: RoutingProblem) -> None:
    """Arriving sooner than the travel time allows is flagged."""
    r = _good(problem).routes[0]
    fast = attrs.evolve(r, visits=[StopVisit("a", 10.0, 10.0, 12.0, (4.0,)), r.visits[1]])
    assert "travel" in _kinds(attrs.evolve(_good(problem), routes=[fast]))


def test_capacity_violation(problem: RoutingProblem) -> None:
    """A load above capacity is flagged at the depot."""
    big = problem.scale_demand(1.0).replace(
        vehicle_types=[attrs.evolve(problem.vehicle_types[0], capacity=(9.0,))]
    )
    assert "capacity" in _kinds(attrs.evolve(_good(problem), problem=big))


def test_served_twice_and_missing(problem: RoutingProblem) -> None:
    """A stop served twice, and one neither served nor reported, are both flagged."""
    r = _good(problem).routes[0]
    twice = attrs.evolve(
        r, stop_ids=["a", "a"], visits=[r.visits[0], StopVisit("a", 40.0, 40.0, 42.0, (0.0,))]
    )
    kinds = [v.kind for v in attrs.evolve(_good(problem), routes=[twice]).violations()]
    assert 2 <= kinds.count("served_once")


def test_required_stop_unserved(problem: RoutingProblem) -> None:
    """Reporting a required stop unserved is a violation."""
    r = _good(problem).routes[0]
    only_a = attrs.evolve(r, stop_ids=["a"], visits=[StopVisit("a", 15.0, 15.0, 17.0, (0.0,))], end_time=40.0)
    plan = attrs.evolve(_good(problem), routes=[only_a], unserved=[Unserved("b", "no time")])
    assert {"unserved"} == _kinds(plan) - {"report", "capacity", "load"}


def test_skills_violation(problem: RoutingProblem) -> None:
    """A vehicle without the stop's skill is flagged."""
    van = attrs.evolve(problem.vehicle_types[0], skills=frozenset({"x"}))
    fridge = attrs.evolve(problem.vehicle_types[0], id="fridge", skills=frozenset({"cold"}))
    other = problem.replace(vehicle_types=[van, fridge])
    assert {"skills"} == _kinds(attrs.evolve(_good(problem), problem=other))


def test_break_must_be_taken_in_its_window(problem: RoutingProblem) -> None:
    """A break outside its allowed start range, or missing, is flagged."""
    assert "break" in _kinds(
        attrs.evolve(_good(problem), routes=[attrs.evolve(_good(problem).routes[0], breaks=[(70.0, 75.0)])])
    )
    assert "break" in _kinds(
        attrs.evolve(_good(problem), routes=[attrs.evolve(_good(problem).routes[0], breaks=[])])
    )


def test_break_overlapping_service(problem: RoutingProblem) -> None:
    """A break during a service is flagged."""
    r = _good(problem).routes[0]
    during = attrs.evolve(
        r,
        visits=[StopVisit("a", 15.0, 30.0, 32.0, (4.0,)), StopVisit("b", 42.0, 42.0, 44.0, (0.0,))],
        breaks=[(31.0, 36.0)],
        end_time=64.0,
    )
    assert "break" in _kinds(attrs.evolve(_good(problem), routes=[during]))


def test_pair_order() -> None:
    """A delivery before its pickup is flagged."""
    b = RoutingProblemBuilder()
    b.add_depot((0, 0), id="D")
    b.add_vehicle_type(count=1, capacity=10, depot="D", id="van")
    p, d = b.add_pickup_delivery((10, 0), (20, 0), demand=3)
    problem = b.build(EuclideanProvider())
    visits = [StopVisit(d, 20.0, 20.0, 20.0, (-3.0,)), StopVisit(p, 30.0, 30.0, 30.0, (0.0,))]
    route = Route(
        vehicle_type="van",
        vehicle=0,
        stop_ids=[d, p],
        visits=visits,
        start_time=0.0,
        end_time=40.0,
        distance=40.0,
        cost=40.0,
    )
    plan = RoutePlan(problem=problem, routes=[route], unserved=[], engine="hand", status="feasible")
    assert "pair" in _kinds(plan)
