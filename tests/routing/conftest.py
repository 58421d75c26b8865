"""Named small routing fixtures (tests/data/routing) behind session fixtures."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from distcrm.routing import EuclideanProvider, RoutingProblem, RoutingProblemBuilder, read_solomon

matplotlib.use("Agg")

DATA = Path(__file__).resolve().parents[1] / "data" / "routing"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def c101_10() -> RoutingProblem:
    return read_solomon(DATA / "C101_10.txt")


@pytest.fixture
def small() -> RoutingProblem:
    b = RoutingProblemBuilder(name="small")
    b.add_depot((0, 0), id="D")
    b.add_vehicle_type(count=2, capacity=10, depot="D", shift=(0, 500), id="van")
    for i in range(4):
        b.add_stop((10 * (i + 1), 0), id=f"s{i}", demand=4, service_time=5, windows=[(0, 400)])
    return b.build(EuclideanProvider())
