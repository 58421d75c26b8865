"""Solomon and CVRPLIB readers, bundled instances and best-known solutions."""

from __future__ import annotations

from pathlib import Path

import pytest

from distcrm.errors import NotFoundError, ValidationError
from distcrm.routing import (
    CVRPLibSolution,
    RoutingProblem,
    available_instances,
    load_bks,
    load_cvrplib,
    load_cvrplib_solution,
    load_solomon,
    read_cvrplib,
    read_solomon,
)
from distcrm.routing._compile import build_plan


def test_read_solomon_fixture(c101_10: RoutingProblem) -> None:
    """Stop ids are the file's customer numbers; windows, service and fleet are read."""
    assert [str(i) for i in range(1, 11)] == [s.id for s in c101_10.stops]
    s1 = c101_10.stops[0]
    assert ((45.0, 68.0), (10.0,), 90.0) == (s1.location, s1.demand, s1.service_time)
    assert (912.0, 967.0) == (s1.windows[0].start, s1.windows[0].end)
    vt = c101_10.vehicle_types[0]
    assert (25, (200.0,), 1236.0) == (vt.count, vt.capacity, vt.shift.end)


def test_dimacs_convention_truncates_arcs(data_dir: Path) -> None:
    """convention='dimacs' truncates each arc to one decimal."""
    exact = read_solomon(data_dir / "C101_10.txt")
    dimacs = read_solomon(data_dir / "C101_10.txt", convention="dimacs")
    assert 18.681 == pytest.approx(exact.distance_matrix[0, 1], abs=1e-3)
    assert 18.6 == dimacs.distance_matrix[0, 1]


def test_bad_files_raise_validation_errors(tmp_path: Path) -> None:
    """Unreadable and malformed files name the path."""
    with pytest.raises(ValidationError):
        read_solomon(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\n")
    with pytest.raises(ValidationError, match="Solomon"):
        read_solomon(bad)
    with pytest.raises(ValidationError, match="CVRPLIB"):
        read_cvrplib(bad)


def test_bundled_instances_are_listed() -> None:
    """28 Solomon, 3 GH 200 and the CVRPLIB sets are bundled."""
    inst = available_instances()
    assert (28, 3) == (len(inst["solomon"]), len(inst["gh200"]))
    assert "X-n101-k25" in inst["cvrp"]
    with pytest.raises(NotFoundError):
        load_solomon("Z999")


def test_gh200_instance_loads() -> None:
    """A Gehring-Homberger instance has 200 customers and 50 vehicles."""
    p = load_solomon("R1_2_1")
    assert (200, 50) == (len(p.stops), p.vehicle_types[0].count)


@pytest.mark.parametrize("name", ["A-n32-k5", "P-n16-k8", "X-n101-k25"])
def test_cvrplib_bks_cost_is_reproduced_and_valid(name: str) -> None:
    """The bundled .sol routes cost exactly the published BKS with rounded arcs and pass the validator."""
    problem = load_cvrplib(name)
    sol = load_cvrplib_solution(name)
    pos = {s.id: i for i, s in enumerate(problem.stops)}
    routes = [(0, k, [pos[str(c)] for c in r]) for k, r in enumerate(sol.routes)]
    plan = build_plan(problem, routes, {}, engine="bks", status="feasible", runtime=0.0)
    assert load_bks()[name, "cvrplib-nint"].distance == plan.distance
    assert sol.cost == plan.distance
    assert [] == plan.violations()


def test_read_cvrplib_dispatches_on_suffix() -> None:
    """A .sol path gives a CVRPLibSolution."""
    from importlib import resources

    f = resources.files("distcrm.datasets").joinpath("data", "vrp", "cvrp", "A-n32-k5.sol")
    with resources.as_file(f) as path:
        sol = read_cvrplib(path)
    assert isinstance(sol, CVRPLibSolution)
    assert (5, 784.0) == (sol.num_routes, sol.cost)


def test_bks_conventions() -> None:
    """Both VRPTW conventions are available, with vehicles."""
    bks = load_bks()
    assert (10, 828.94) == (bks["C101", "hierarchical"].vehicles, bks["C101", "hierarchical"].distance)
    assert 827.3 == bks["C101", "dimacs"].distance
