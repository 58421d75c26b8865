"""Both engines pass the conformance suite; engine-specific behaviour and solve()."""

from __future__ import annotations

import pytest

from distcrm.errors import InfeasibleProblemError, ValidationError
from distcrm.routing import (
    Break,
    EuclideanProvider,
    OrToolsEngine,
    PyVRPEngine,
    RoutingProblem,
    RoutingProblemBuilder,
    choose_engine,
    load_bks,
    load_solomon,
    solve,
)
from distcrm.testing.routing import routing_engine_checks

ENGINES = {"pyvrp": PyVRPEngine(), "ortools": OrToolsEngine(), "ortools-pure": OrToolsEngine(warm_start=None)}
CHECKS = [
    (k, n, c) for k, e in ENGINES.items() for n, c in routing_engine_checks(e, time_limit=0.2, max_examples=8)
]


@pytest.mark.parametrize(("engine", "name", "check"), CHECKS, ids=[f"{k}-{n}" for k, n, _ in CHECKS])
def test_conformance(engine: str, name: str, check: object) -> None:
    """Every built-in engine passes every conformance check."""
    check()  # type: ignore[operator]


def test_auto_picks_pyvrp_for_vrptw_and_ortools_for_breaks(small: RoutingProblem) -> None:
    """The choice depends only on the problem's features."""
    assert "pyvrp" == choose_engine(small).name
    b = RoutingProblemBuilder()
    b.add_depot((0, 0))
    b.add_vehicle_type(count=1, capacity=5, breaks=[Break(10, 20, 5)])
    b.add_stop((1, 0))
    assert "ortools" == choose_engine(b.build(EuclideanProvider())).name


def test_pyvrp_rejects_what_it_cannot_model() -> None:
    """Asking PyVRP for several windows per stop is a ValidationError naming the feature."""
    b = RoutingProblemBuilder()
    b.add_depot((0, 0))
    b.add_vehicle_type(count=1, capacity=5)
    b.add_stop((1, 0), windows=[(0, 5), (10, 20)])
    with pytest.raises(ValidationError, match="multi_window"):
        PyVRPEngine().solve(b.build(EuclideanProvider()), time_limit=0.1)


def test_solve_validates_arguments(small: RoutingProblem) -> None:
    """Unknown engines and non-positive time limits are rejected."""
    with pytest.raises(ValidationError):
        solve(small, "gurobi", time_limit=1)
    with pytest.raises(ValidationError):
        solve(small, time_limit=0)


def test_ortools_multi_window_pairs_and_breaks() -> None:
    """OR-Tools serves a pair in order, picks the later window, and schedules a break."""
    b = RoutingProblemBuilder()
    b.add_depot((0, 0), id="D")
    b.add_vehicle_type(count=1, capacity=5, depot="D", shift=(0, 500), breaks=[Break(100, 150, 20)])
    p, d = b.add_pickup_delivery((10, 0), (20, 0), demand=5, delivery={"windows": [(0, 5), (200, 260)]})
    b.add_stop((0, 10), id="x", demand=0, windows=[(0, 40)])
    plan = solve(b.build(EuclideanProvider()), time_limit=0.3, seed=1)
    assert "ortools" == plan.engine
    order = plan.routes[0].stop_ids
    assert order.index(p) < order.index(d)
    assert 200.0 <= {v.stop_id: v.start for v in plan.routes[0].visits}[d]
    assert 1 == len(plan.routes[0].breaks)
    assert plan.solver_status.startswith("ROUTING_")
    assert [] == plan.violations()


def test_infeasible_combination_names_the_reason() -> None:
    """A stop needing skills no single vehicle has raises InfeasibleProblemError with reasons."""
    b = RoutingProblemBuilder()
    b.add_depot((0, 0))
    b.add_vehicle_type(count=1, capacity=5, skills={"cold"})
    b.add_vehicle_type(count=1, capacity=5, skills={"lift"})
    b.add_stop((1, 0), id="both", skills={"cold", "lift"})
    with pytest.raises(InfeasibleProblemError) as exc:
        solve(b.build(EuclideanProvider()), time_limit=0.2)
    assert "lacks required skills" in exc.value.reasons["both"]


def test_c101_matches_the_published_dimacs_bks() -> None:
    """On C101 (DIMACS convention) the default engine finds the published 827.3 with 10 vehicles."""
    plan = solve(load_solomon("C101", convention="dimacs"), time_limit=1.0, seed=1)
    assert plan.is_feasible()
    assert 10 == plan.num_vehicles
    assert load_bks()["C101", "dimacs"].distance == pytest.approx(plan.distance, rel=0.01)


def test_ortools_never_returns_no_solution_on_r101() -> None:
    """R101, where OR-Tools' default strategy finds no first solution, gets a feasible plan."""
    plan = OrToolsEngine(warm_start=None).solve(load_solomon("R101", convention="dimacs"), time_limit=1.0)
    assert plan.status in {"feasible", "optimal"}
    assert [] == plan.violations()


def test_optional_stops_with_real_costs_are_served_when_they_fit() -> None:
    """A city day (metres, seconds, euro costs, allow_unserved) serves every stop it can."""
    import numpy as np

    from distcrm.routing import HaversineProvider

    rng = np.random.default_rng(0)
    b = RoutingProblemBuilder(dimensions=("kg", "m3"))
    d = b.add_depot((52.37, 4.89), window=(6 * 3600, 20 * 3600))
    b.add_vehicle_type(
        count=6,
        capacity=(1200, 9.5),
        depot=d,
        shift=(8 * 3600, 17 * 3600),
        fixed_cost=60,
        cost_per_distance=0.00035,
        cost_per_time=24 / 3600,
    )
    for _ in range(120):
        a = int(rng.integers(8, 15)) * 3600
        loc = (52.37 + rng.normal(0, 0.03), 4.89 + rng.normal(0, 0.05))
        b.add_stop(
            loc,
            demand=(rng.uniform(5, 80), rng.uniform(0.01, 0.5)),
            service_time=300,
            windows=[(a, a + 7200)],
        )
    plan = solve(b.build(HaversineProvider(), allow_unserved=True), time_limit=2.0, seed=0)
    assert [] == [u.stop_id for u in plan.unserved]
    assert plan.is_feasible()
