"""RoutingProblem, its parts and the builder: validation and copies."""

from __future__ import annotations

import math

import pytest

from distcrm.errors import ValidationError
from distcrm.routing import (
    Break,
    Depot,
    EuclideanProvider,
    HaversineProvider,
    MatrixProvider,
    RoutingProblem,
    RoutingProblemBuilder,
    Stop,
    TimeWindow,
    VehicleType,
)


def _problem(**changes: object) -> RoutingProblem:
    parts: dict[str, object] = {
        "depots": [Depot("D", (0, 0))],
        "vehicle_types": [VehicleType(id="v", count=2, capacity=(10, 5), start_depot="D", skills={"cold"})],
        "stops": [Stop(id="a", location=(1, 1), demand=(3, 1))],
        "distance": EuclideanProvider(),
        "dimensions": ("kg", "m3"),
    }
    parts.update(changes)
    return RoutingProblem(**parts)  # type: ignore[arg-type]


def test_inverted_window_is_rejected() -> None:
    """A window whose end precedes its start raises ValidationError naming the window."""
    with pytest.raises(ValidationError) as exc:
        TimeWindow(10, 5)
    assert "$.window" == exc.value.field
    assert (10, 5) == exc.value.value


def test_empty_window_is_rejected() -> None:
    """A zero-length window is empty and rejected."""
    with pytest.raises(ValidationError, match="empty"):
        Stop(id="a", location=(0, 0), windows=[(5, 5)])


def test_overlapping_windows_are_rejected() -> None:
    """Two windows of one stop may not overlap."""
    with pytest.raises(ValidationError, match="overlap"):
        Stop(id="a", location=(0, 0), windows=[(0, 10), (5, 20)])


def test_windows_are_sorted() -> None:
    """Several windows are kept in time order."""
    s = Stop(id="a", location=(0, 0), windows=[(50, 60), (0, 10)])
    assert (0, 60) == (s.earliest, s.latest)


def test_demand_exceeding_every_vehicle_is_rejected_before_solving() -> None:
    """A stop heavier than every vehicle type names the stop's demand field."""
    with pytest.raises(ValidationError) as exc:
        _problem(stops=[Stop(id="big", location=(1, 1), demand=(3, 6))])
    assert "$.stops['big'].demand" == exc.value.field


def test_unknown_skill_is_rejected() -> None:
    """A required skill no vehicle has is a ValidationError listing the skill."""
    with pytest.raises(ValidationError) as exc:
        _problem(stops=[Stop(id="a", location=(1, 1), demand=(1, 1), skills={"crane"})])
    assert ["crane"] == exc.value.value


def test_coordinates_out_of_range_are_rejected_for_geographic_providers() -> None:
    """Latitude beyond 90 degrees is rejected when the provider is geographic."""
    with pytest.raises(ValidationError) as exc:
        _problem(stops=[Stop(id="a", location=(95.0, 4.0), demand=(1, 1))], distance=HaversineProvider())
    assert "$.locations['a']" == exc.value.field


def test_non_square_matrix_is_rejected() -> None:
    """An explicit matrix must be square."""
    with pytest.raises(ValidationError, match="square"):
        MatrixProvider([[0, 1, 2], [1, 0, 2]])


def test_matrix_of_wrong_size_is_rejected() -> None:
    """An explicit matrix must match depots + stops."""
    with pytest.raises(ValidationError, match="2 x 2"):
        _problem(distance=MatrixProvider([[0, 1, 2], [1, 0, 2], [2, 2, 0]]))


def test_every_bad_field_is_reported_at_once() -> None:
    """Several problems come back in one error."""
    with pytest.raises(ValidationError) as exc:
        _problem(
            stops=[
                Stop(id="a", location=(1, 1), demand=(30, 1)),
                Stop(id="a", location=(1, 1), demand=(1,)),
            ]
        )
    assert 3 == len(exc.value.errors)


def test_vehicle_type_fields_are_validated() -> None:
    """Count, capacity and costs are checked together."""
    with pytest.raises(ValidationError) as exc:
        VehicleType(id="v", count=0, capacity=(-1,), start_depot="D", fixed_cost=-3)
    assert {"$.count", "$.capacity[0]", "$.fixed_cost"} == set(exc.value.paths)


def test_break_rules() -> None:
    """A break's latest start may not precede its earliest."""
    with pytest.raises(ValidationError):
        Break(earliest=10, latest=5, duration=1)


def test_pairs_must_name_stops_with_equal_demand() -> None:
    """A pickup-delivery pair must use known stops with the same demand."""
    with pytest.raises(ValidationError, match="not a stop id"):
        _problem(pairs=[("a", "zz")])
    stops = [
        Stop(id="p", location=(0, 1), demand=(1, 1), kind="pickup"),
        Stop(id="d", location=(1, 0), demand=(2, 1)),
    ]
    with pytest.raises(ValidationError, match="equal"):
        _problem(stops=stops, pairs=[("p", "d")])


def test_builder_returns_handles_and_builds() -> None:
    """add_* return the ids used to refer to what was added."""
    b = RoutingProblemBuilder()
    d = b.add_depot((0, 0), window=(0, 100))
    v = b.add_vehicle_type(count=1, capacity=5, depot=d)
    p, q = b.add_pickup_delivery((1, 0), (2, 0), demand=2)
    problem = b.build(EuclideanProvider())
    assert ("depot-0", "vehicle-0", "stop-0", "stop-1") == (d, v, p, q)
    assert (("stop-0", "stop-1"),) == problem.pairs
    assert {"pairs", "pickups"} <= problem.features


def test_matrices_follow_depots_then_stops() -> None:
    """Rows of the matrices are depots first, then stops, and are read-only."""
    p = _problem(stops=[Stop(id="a", location=(3, 4), demand=(1, 1))])
    assert ["D", "a"] == p.location_ids
    assert 5.0 == p.distance_matrix[0, 1]
    with pytest.raises(ValueError):
        p.distance_matrix[0, 1] = 1.0


def test_replace_scale_and_without() -> None:
    """Copies are validated and leave the original unchanged."""
    p = _problem(
        stops=[Stop(id="a", location=(1, 1), demand=(2, 1)), Stop(id="b", location=(2, 2), demand=(2, 1))]
    )
    assert (3.0, 1.5) == p.scale_demand(1.5).stops[0].demand
    assert ["b"] == [s.id for s in p.without_stops(["a"]).stops]
    assert 2 == len(p.stops)
    with pytest.raises(ValidationError):
        p.scale_demand(10.0)
    with pytest.raises(ValidationError):
        p.without_stops(["nope"])


def test_penalty_defaults_grow_with_priority() -> None:
    """With allow_unserved, a priority-2 stop is worth three times a priority-0 stop."""
    p = _problem(
        stops=[
            Stop(id="a", location=(1, 1), demand=(1, 1)),
            Stop(id="b", location=(2, 2), demand=(1, 1), priority=2),
        ],
        allow_unserved=True,
    )
    pa, pb = (p.penalty_of(s) for s in p.stops)
    assert pa is not None
    assert pb is not None
    assert math.isclose(3 * pa, pb)
    assert _problem().penalty_of(_problem().stops[0]) is None
