"""Conformance suite for routing engines, in the spirit of scikit-learn's ``estimator_checks``.

:func:`routing_engine_checks` yields ``(name, check)`` pairs; each check is a callable
that raises ``AssertionError`` on failure. :func:`check_routing_engine` runs them all.
Every built-in engine passes; run it on your own engine too::

    from distcrm.testing.routing import routing_engine_checks

    @pytest.mark.parametrize("name, check", list(routing_engine_checks(MyEngine())))
    def test_my_engine(name, check):
        check()

The hypothesis strategy :func:`routing_problems` generates small instances that are
feasible by construction (every stop can be served by a vehicle of its own); on each
of them the engine's plan must pass the independent validator and serve every stop.
Checks for features the engine does not support (``engine.supports(problem)`` is false)
are skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distcrm.errors import InfeasibleProblemError
from distcrm.routing import (
    Break,
    Depot,
    EuclideanProvider,
    RoutePlan,
    RoutingEngine,
    RoutingProblem,
    RoutingProblemBuilder,
    Stop,
    TimeWindow,
    VehicleType,
)

__all__ = ["check_routing_engine", "routing_engine_checks", "routing_problems"]

Check = Callable[[], None]
FEATURES = frozenset({"multi_window", "pickups", "skills", "breaks", "pairs", "multi_dimension", "optional"})


@st.composite
def routing_problems(
    draw: Any, features: frozenset[str] | set[str] = frozenset(), max_stops: int = 8
) -> RoutingProblem:
    """Small problems, feasible by construction: one vehicle per stop could serve each alone.

    ``features`` may add ``multi_window``, ``pickups``, ``skills``, ``breaks``, ``pairs``,
    ``multi_dimension`` and ``optional`` (stops with penalties).
    """
    unknown = set(features) - FEATURES
    if unknown:
        raise ValueError(f"unknown features {sorted(unknown)}")
    n = draw(st.integers(1, max_stops))
    nd = 2 if "multi_dimension" in features else 1
    coord = st.integers(0, 50)
    cap = tuple(float(draw(st.integers(10, 30))) for _ in range(nd))
    depot = Depot("D", (draw(coord), draw(coord)), TimeWindow(0, 1000))
    skills_pool = ["cold", "lift"]
    stops = []
    for i in range(n):
        width = draw(st.integers(80, 300))
        a = draw(st.integers(0, 300))
        windows = [(a, a + width)]
        if "multi_window" in features and draw(st.booleans()):
            b = a + width + draw(st.integers(10, 100))
            windows.append((b, b + draw(st.integers(80, 200))))
        if draw(st.booleans()) and i % 3 == 2:
            windows = []
        kind: Literal["delivery", "pickup"] = (
            "pickup" if "pickups" in features and draw(st.booleans()) else "delivery"
        )
        req = (
            frozenset(draw(st.sets(st.sampled_from(skills_pool), max_size=1)))
            if "skills" in features
            else frozenset()
        )
        pen = float(draw(st.integers(1, 500))) if "optional" in features and draw(st.booleans()) else None
        stops.append(
            Stop(
                id=f"s{i}",
                location=(draw(coord), draw(coord)),
                demand=tuple(float(draw(st.integers(0, int(c)))) for c in cap),
                service_time=float(draw(st.integers(0, 10))),
                windows=windows,
                kind=kind,
                skills=req,
                penalty=pen,
                priority=draw(st.integers(0, 2)),
            )
        )
    pairs: list[tuple[str, str]] = []
    if "pairs" in features and n >= 2:
        # pair s0 (pickup) with s1 (delivery): same demand, s1 open long after s0
        s0, s1 = stops[0], stops[1]
        stops[0] = Stop(id=s0.id, location=s0.location, demand=s0.demand, windows=[(0, 300)], kind="pickup")
        stops[1] = Stop(
            id=s1.id, location=s1.location, demand=s0.demand, windows=[(100, 700)], kind="delivery"
        )
        pairs.append(("s0", "s1"))
    breaks = (Break(earliest=200, latest=500, duration=30),) if "breaks" in features else ()
    types = [
        VehicleType(
            id="full",
            count=n,
            capacity=cap,
            start_depot="D",
            shift=TimeWindow(0, 1000),
            skills=frozenset(skills_pool),
            breaks=breaks,
            fixed_cost=float(draw(st.integers(0, 50))),
        ),
    ]
    if "skills" in features:
        types.append(
            VehicleType(
                id="plain",
                count=2,
                capacity=cap,
                start_depot="D",
                shift=TimeWindow(0, 1000),
                breaks=breaks,
                cost_per_distance=0.5,
            )
        )
    dims = ("kg", "m3")[:nd]
    return RoutingProblem(
        depots=[depot],
        vehicle_types=types,
        stops=stops,
        distance=EuclideanProvider(),
        dimensions=dims,
        pairs=pairs,
    )


def _assert_valid(plan: RoutePlan, *, all_served: bool = True) -> None:
    bad = plan.violations()
    assert [] == [str(v) for v in bad], plan.summary()
    if all_served:
        required_unserved = [
            u for u in plan.unserved if plan.problem.penalty_of(plan.problem.stop(u.stop_id)) is None
        ]
        assert [] == required_unserved, plan.summary()
    ids = sorted([*plan.served, *(u.stop_id for u in plan.unserved)])
    assert sorted(s.id for s in plan.problem.stops) == ids
    assert all(u.reason for u in plan.unserved)
    assert plan.status in {"optimal", "feasible", "partial", "infeasible"}


def _line(n: int, *, capacity: float = 10, count: int = 3, windows: bool = True) -> RoutingProblemBuilder:
    b = RoutingProblemBuilder(name="line")
    b.add_depot((0, 0), id="D")
    b.add_vehicle_type(count=count, capacity=capacity, depot="D", shift=(0, 1000), id="van")
    for i in range(n):
        w = [(10 * i, 10 * i + 200)] if windows else []
        b.add_stop((10 * (i + 1), 0), id=f"s{i}", demand=3, service_time=5, windows=w)
    return b


def routing_engine_checks(
    engine: RoutingEngine, *, time_limit: float = 0.3, max_examples: int = 12
) -> Iterator[tuple[str, Check]]:
    """Named conformance checks for ``engine`` (see the module docstring)."""
    tl = time_limit

    def solve(problem: RoutingProblem) -> RoutePlan:
        return engine.solve(problem, time_limit=tl, seed=7)

    def check_protocol() -> None:
        assert isinstance(engine, RoutingEngine)
        assert isinstance(engine.name, str)
        assert engine.name

    def check_no_stops() -> None:
        b = RoutingProblemBuilder()
        b.add_depot((0, 0))
        b.add_vehicle_type(count=1, capacity=1)
        plan = solve(b.build(EuclideanProvider()))
        assert 0 == plan.num_vehicles
        _assert_valid(plan)

    def check_single_stop() -> None:
        plan = solve(_line(1).build(EuclideanProvider()))
        assert 1 == plan.num_vehicles
        assert ("s0",) == plan.routes[0].stop_ids
        v = plan.routes[0].visits[0]
        assert 10.0 == v.arrival
        _assert_valid(plan)

    def check_capacity_splits_routes() -> None:
        plan = solve(_line(6, capacity=6, count=3).build(EuclideanProvider()))
        assert 3 == plan.num_vehicles
        _assert_valid(plan)

    def check_time_windows_order() -> None:
        b = RoutingProblemBuilder()
        b.add_depot((0, 0), id="D")
        b.add_vehicle_type(count=1, capacity=100, depot="D", shift=(0, 1000))
        b.add_stop((10, 0), id="late", windows=[(300, 320)])
        b.add_stop((20, 0), id="early", windows=[(50, 70)])
        plan = solve(b.build(EuclideanProvider()))
        assert ("early", "late") == plan.routes[0].stop_ids
        _assert_valid(plan)

    def check_start_times_are_tight() -> None:
        b = RoutingProblemBuilder()
        b.add_depot((0, 0), id="D")
        b.add_vehicle_type(count=1, capacity=100, depot="D", shift=(0, 1000))
        b.add_stop((10, 0), id="a", windows=[(500, 600)])
        plan = solve(b.build(EuclideanProvider()))
        r = plan.routes[0]
        assert 490.0 == r.start_time
        assert 0.0 == r.visits[0].wait
        _assert_valid(plan)

    def check_unservable_required_raises() -> None:
        b = _line(2)
        b.add_stop((500, 0), id="far", windows=[(0, 50)])
        problem = b.build(EuclideanProvider())
        try:
            solve(problem)
        except InfeasibleProblemError as exc:
            assert "far" in exc.reasons  # noqa: PT017 - the suite runs without pytest
        else:
            raise AssertionError("an unservable required stop must raise InfeasibleProblemError")

    def check_unservable_optional_is_reported() -> None:
        b = _line(2)
        b.add_stop((500, 0), id="far", windows=[(0, 50)])
        plan = solve(b.build(EuclideanProvider(), allow_unserved=True))
        assert ["far"] == [u.stop_id for u in plan.unserved]
        _assert_valid(plan)

    def check_deterministic() -> None:
        problem = _line(7, capacity=9).build(EuclideanProvider())
        a, b = solve(problem), solve(problem)
        assert [r.stop_ids for r in a.routes] == [r.stop_ids for r in b.routes]

    def check_skills() -> None:
        b = RoutingProblemBuilder()
        b.add_depot((0, 0), id="D")
        b.add_vehicle_type(count=2, capacity=100, depot="D", id="plain")
        b.add_vehicle_type(count=1, capacity=100, depot="D", id="fridge", skills={"cold"}, fixed_cost=50)
        b.add_stop((10, 0), id="ice", skills={"cold"})
        b.add_stop((0, 10), id="bread")
        problem = b.build(EuclideanProvider())
        plan = solve(problem)
        by_stop = {s: r.vehicle_type for r in plan.routes for s in r.stop_ids}
        assert "fridge" == by_stop["ice"]
        _assert_valid(plan)

    def check_multi_dimension_capacity() -> None:
        b = RoutingProblemBuilder(dimensions=("kg", "m3"))
        b.add_depot((0, 0), id="D")
        b.add_vehicle_type(count=3, capacity=(100, 2), depot="D")
        for i in range(4):
            b.add_stop((i + 1, 1), demand=(10, 1))
        plan = solve(b.build(EuclideanProvider()))
        assert 2 == plan.num_vehicles
        _assert_valid(plan)

    def check_promised_windows() -> None:
        plan = solve(_line(3).build(EuclideanProvider()))
        pw = plan.promised_windows(margin=15)
        for r in plan.routes:
            for v in r.visits:
                lo, hi = pw[v.stop_id]
                assert lo <= v.start <= hi

    @settings(
        max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(problem=routing_problems())
    def check_generated_vrptw(problem: RoutingProblem) -> None:
        _assert_valid(solve(problem))

    feats = frozenset({"multi_window", "pickups", "skills", "breaks", "pairs", "multi_dimension", "optional"})

    @settings(
        max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(problem=routing_problems(features=feats - {"pairs", "breaks", "multi_window"}))
    def check_generated_rich(problem: RoutingProblem) -> None:
        _assert_valid(solve(problem))

    @settings(
        max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(problem=routing_problems(features=feats))
    def check_generated_all_features(problem: RoutingProblem) -> None:
        if engine.supports(problem):
            _assert_valid(solve(problem))

    checks: dict[str, Check] = {
        "check_protocol": check_protocol,
        "check_no_stops": check_no_stops,
        "check_single_stop": check_single_stop,
        "check_capacity_splits_routes": check_capacity_splits_routes,
        "check_time_windows_order": check_time_windows_order,
        "check_start_times_are_tight": check_start_times_are_tight,
        "check_unservable_required_raises": check_unservable_required_raises,
        "check_unservable_optional_is_reported": check_unservable_optional_is_reported,
        "check_deterministic": check_deterministic,
        "check_skills": check_skills,
        "check_multi_dimension_capacity": check_multi_dimension_capacity,
        "check_promised_windows": check_promised_windows,
        "check_generated_vrptw": check_generated_vrptw,
        "check_generated_rich": check_generated_rich,
        "check_generated_all_features": check_generated_all_features,
    }
    yield from checks.items()


def check_routing_engine(engine: RoutingEngine, **kwargs: Any) -> None:
    """Run every conformance check on ``engine``; the first failure raises."""
    for _name, check in routing_engine_checks(engine, **kwargs):
        check()
