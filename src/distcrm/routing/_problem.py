"""The routing problem: depots, vehicle types, stops, and the builder that makes them.

A :class:`RoutingProblem` is immutable and validated on construction: every bad field is
reported at once in one :class:`~distcrm.errors.ValidationError`. Travel matrices come
from a :class:`~distcrm.routing.DistanceProvider` and are computed once, when the
problem is built, over the locations ``[*depots, *stops]`` in that order.

Units are the caller's: times are numbers on one clock (seconds since midnight for
problems built from domain objects; the file's units for Solomon instances), distances
are whatever the provider returns (metres for haversine and OSRM).
"""

from __future__ import annotations

import datetime
import itertools
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.errors import FieldError, ValidationError

if TYPE_CHECKING:
    from distcrm.routing._distance import DistanceProvider

__all__ = [
    "Break",
    "Depot",
    "RoutingProblem",
    "RoutingProblemBuilder",
    "Stop",
    "TimeWindow",
    "VehicleType",
]

StopKind = Literal["delivery", "pickup"]
Point = tuple[float, float]
_INF = math.inf


def _finite(x: float) -> bool:
    return isinstance(x, numbers.Real) and math.isfinite(x)


@attrs.frozen
class TimeWindow:
    """A closed interval ``[start, end]`` of times; ``end`` may be ``inf``.

    Examples
    --------
    >>> TimeWindow(8 * 3600, 12 * 3600).width
    14400
    >>> TimeWindow(5, 3)
    Traceback (most recent call last):
    ...
    distcrm.errors.ValidationError: $.window: end must be after start (inverted window), got (5, 3)
    """

    start: float
    end: float = _INF

    def __attrs_post_init__(self) -> None:
        if not _finite(self.start):
            raise ValidationError.single("window.start", self.start, "must be a finite number")
        if not isinstance(self.end, numbers.Real) or math.isnan(self.end):
            raise ValidationError.single("window.end", self.end, "must be a number (inf allowed)")
        if self.end < self.start:
            raise ValidationError.single(
                "window", (self.start, self.end), "end must be after start (inverted window)"
            )
        if self.end == self.start:
            raise ValidationError.single("window", (self.start, self.end), "is empty (zero length)")

    @property
    def width(self) -> float:
        """``end - start``."""
        return self.end - self.start

    def contains(self, t: float) -> bool:
        """Whether ``start <= t <= end``."""
        return self.start <= t <= self.end


def _windows(value: Any) -> tuple[TimeWindow, ...]:
    if value is None:
        return ()
    if isinstance(value, TimeWindow):
        return (value,)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, numbers.Real) for v in value):
        return (TimeWindow(*value),)
    out = []
    for w in value:
        out.append(w if isinstance(w, TimeWindow) else TimeWindow(*w))
    return tuple(out)


def _tuple_floats(value: Any) -> tuple[float, ...]:
    if isinstance(value, numbers.Real):
        return (float(value),)
    return tuple(float(v) for v in value)


def _skills(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _breaks(value: Iterable[Break]) -> tuple[Break, ...]:
    return tuple(value)


def _depots(value: Iterable[Depot]) -> tuple[Depot, ...]:
    return tuple(value)


def _types(value: Iterable[VehicleType]) -> tuple[VehicleType, ...]:
    return tuple(value)


def _stops(value: Iterable[Stop]) -> tuple[Stop, ...]:
    return tuple(value)


def _pairs(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in value)


def _point(value: Any) -> Point:
    x, y = value
    return (float(x), float(y))


@attrs.frozen
class Break:
    """A driver break of ``duration`` that must start between ``earliest`` and ``latest``.

    Examples
    --------
    >>> Break(earliest=12 * 3600, latest=13 * 3600, duration=1800).duration
    1800
    """

    earliest: float
    latest: float
    duration: float

    def __attrs_post_init__(self) -> None:
        errors = []
        for name in ("earliest", "latest", "duration"):
            v = getattr(self, name)
            if not _finite(v) or v < 0:
                errors.append(FieldError(f"$.{name}", "must be a finite number >= 0", v))
        if not errors and self.latest < self.earliest:
            errors.append(FieldError("$.latest", "must be >= earliest", self.latest))
        if not errors and self.duration <= 0:
            errors.append(FieldError("$.duration", "must be > 0", self.duration))
        if errors:
            raise ValidationError(errors, title="Break")


@attrs.frozen
class Depot:
    """A depot: where vehicles start and end, open during ``window``.

    Examples
    --------
    >>> Depot("D", (0.0, 0.0)).window
    TimeWindow(start=0.0, end=inf)
    """

    id: str
    location: Point = attrs.field(converter=_point)
    window: TimeWindow = TimeWindow(0.0, _INF)


@attrs.frozen(kw_only=True)
class VehicleType:
    """A kind of vehicle and how many of them there are.

    Attributes
    ----------
    capacity
        One capacity per load dimension of the problem (weight, volume, units, ...).
    shift
        The vehicle must leave its start depot and be back at its end depot within it.
    max_duration, max_distance
        Upper bounds on the route's duration (end - start) and distance.
    skills
        What this vehicle can do; a stop's required skills must be a subset.
    breaks
        Driver breaks (OR-Tools engine).

    Examples
    --------
    >>> VehicleType(id="van", count=3, capacity=(100.0,), start_depot="D").end_depot
    'D'
    """

    id: str
    count: int
    capacity: tuple[float, ...] = attrs.field(converter=_tuple_floats)
    start_depot: str
    end_depot: str = attrs.field(default=attrs.Factory(lambda self: self.start_depot, takes_self=True))
    shift: TimeWindow = TimeWindow(0.0, _INF)
    fixed_cost: float = 0.0
    cost_per_distance: float = 1.0
    cost_per_time: float = 0.0
    max_duration: float = _INF
    max_distance: float = _INF
    skills: frozenset[str] = attrs.field(default=frozenset(), converter=_skills)
    breaks: tuple[Break, ...] = attrs.field(default=(), converter=_breaks)

    def __attrs_post_init__(self) -> None:
        errors = []
        if not isinstance(self.count, numbers.Integral) or isinstance(self.count, bool) or self.count < 1:
            errors.append(FieldError("$.count", "must be an integer >= 1", self.count))
        if not self.capacity:
            errors.append(FieldError("$.capacity", "needs at least one dimension", self.capacity))
        for k, c in enumerate(self.capacity):
            if math.isnan(c) or c < 0:
                errors.append(FieldError(f"$.capacity[{k}]", "must be >= 0", c))
        for name in ("fixed_cost", "cost_per_distance", "cost_per_time"):
            v = getattr(self, name)
            if not _finite(v) or v < 0:
                errors.append(FieldError(f"$.{name}", "must be a finite number >= 0", v))
        for name in ("max_duration", "max_distance"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Real) or math.isnan(v) or v <= 0:
                errors.append(FieldError(f"$.{name}", "must be > 0 (inf for no limit)", v))
        if errors:
            raise ValidationError(errors, title=f"VehicleType {self.id!r}")


@attrs.frozen(kw_only=True)
class Stop:
    """A place to deliver to or pick up from.

    Attributes
    ----------
    demand
        Amount per load dimension (delivered, or picked up when ``kind="pickup"``).
    windows
        One or more time windows; service must *start* inside one of them. Empty means
        any time in the vehicle's shift.
    priority
        Larger is more important; used for the default unserved penalty.
    penalty
        Cost of leaving the stop unserved. ``None`` makes the stop required (unless the
        problem allows unserved stops, when a default derived from ``priority`` is used).
    skills
        Skills a vehicle needs to serve this stop.
    kind
        ``"delivery"`` (goods loaded at the depot) or ``"pickup"`` (goods brought back).
    refs
        The caller's references served by this stop (order ids).

    Examples
    --------
    >>> Stop(id="S1", location=(1, 2), demand=3, windows=[(0, 10)]).windows
    (TimeWindow(start=0, end=10),)
    """

    id: str
    location: Point = attrs.field(converter=_point)
    demand: tuple[float, ...] = attrs.field(default=(0.0,), converter=_tuple_floats)
    service_time: float = 0.0
    windows: tuple[TimeWindow, ...] = attrs.field(default=(), converter=_windows)
    priority: int = 0
    penalty: float | None = None
    skills: frozenset[str] = attrs.field(default=frozenset(), converter=_skills)
    kind: StopKind = "delivery"
    refs: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def __attrs_post_init__(self) -> None:
        errors = []
        for k, d in enumerate(self.demand):
            if not _finite(d) or d < 0:
                errors.append(FieldError(f"$.demand[{k}]", "must be a finite number >= 0", d))
        if not _finite(self.service_time) or self.service_time < 0:
            errors.append(FieldError("$.service_time", "must be a finite number >= 0", self.service_time))
        if self.penalty is not None and (not _finite(self.penalty) or self.penalty < 0):
            errors.append(FieldError("$.penalty", "must be a finite number >= 0 or None", self.penalty))
        if self.kind not in ("delivery", "pickup"):
            errors.append(FieldError("$.kind", "must be 'delivery' or 'pickup'", self.kind))
        ws = sorted(self.windows, key=lambda w: w.start)
        for a, b in itertools.pairwise(ws):
            if b.start <= a.end:
                errors.append(FieldError("$.windows", "windows overlap or touch", (a, b)))
        if errors:
            raise ValidationError(errors, title=f"Stop {self.id!r}")
        object.__setattr__(self, "windows", tuple(ws))

    @property
    def earliest(self) -> float:
        """Start of the first window (``-inf`` when the stop has none)."""
        return self.windows[0].start if self.windows else -_INF

    @property
    def latest(self) -> float:
        """End of the last window (``inf`` when the stop has none)."""
        return self.windows[-1].end if self.windows else _INF


def _check_latlon(points: npt.NDArray[np.float64], ids: list[str]) -> list[FieldError]:
    bad = (np.abs(points[:, 0]) > 90) | (np.abs(points[:, 1]) > 180) | ~np.isfinite(points).all(axis=1)
    return [
        FieldError(f"$.locations[{ids[i]!r}]", "is not a (latitude, longitude) in range", tuple(points[i]))
        for i in np.flatnonzero(bad)[:10]
    ]


@attrs.frozen(eq=False)
class RoutingProblem:
    """An immutable, validated vehicle routing problem.

    Build one directly, with :class:`RoutingProblemBuilder`, from a file
    (:func:`~distcrm.routing.read_solomon`) or from today's orders
    (:meth:`from_domain`). Modified copies come from :meth:`replace`.

    Parameters
    ----------
    depots, vehicle_types, stops
        The problem's parts; ids are unique within each kind.
    distance
        A :class:`~distcrm.routing.DistanceProvider`; matrices are computed once here.
    dimensions
        Names of the load dimensions (``("weight", "volume")``).
    pairs
        ``(pickup_id, delivery_id)``: goods picked up at the first stop are carried, on
        the same vehicle, to the second.
    allow_unserved
        When true, stops that cannot be served become unserved stops with a reason,
        and every stop without a ``penalty`` gets a default one from its priority.
    name
        A label for summaries.

    Examples
    --------
    >>> from distcrm.routing import EuclideanProvider
    >>> p = RoutingProblem(
    ...     depots=[Depot("D", (0, 0))],
    ...     vehicle_types=[VehicleType(id="v", count=1, capacity=10, start_depot="D")],
    ...     stops=[Stop(id="a", location=(3, 4), demand=2)],
    ...     distance=EuclideanProvider(),
    ... )
    >>> float(p.distance_matrix[0, 1])
    5.0
    """

    depots: tuple[Depot, ...] = attrs.field(converter=_depots)
    vehicle_types: tuple[VehicleType, ...] = attrs.field(converter=_types)
    stops: tuple[Stop, ...] = attrs.field(converter=_stops)
    distance: DistanceProvider
    dimensions: tuple[str, ...] = attrs.field(default=("units",), converter=_str_tuple)
    pairs: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    allow_unserved: bool = False
    name: str = ""
    _distance_matrix: npt.NDArray[np.float64] = attrs.field(init=False, repr=False)
    _duration_matrix: npt.NDArray[np.float64] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        nd = len(self.dimensions)
        if not self.depots:
            errors.append(FieldError("$.depots", "needs at least one depot", []))
        if not self.vehicle_types:
            errors.append(FieldError("$.vehicle_types", "needs at least one vehicle type", []))
        for kind, items in (
            ("depots", self.depots),
            ("vehicle_types", self.vehicle_types),
            ("stops", self.stops),
        ):
            seen: set[str] = set()
            for it in items:
                if it.id in seen:
                    errors.append(FieldError(f"$.{kind}[{it.id!r}]", "duplicate id", it.id))
                seen.add(it.id)
        depot_ids = {d.id for d in self.depots}
        all_skills: set[str] = set()
        caps = np.zeros((max(len(self.vehicle_types), 1), nd))
        for i, vt in enumerate(self.vehicle_types):
            p = f"$.vehicle_types[{vt.id!r}]"
            for name in ("start_depot", "end_depot"):
                if getattr(vt, name) not in depot_ids:
                    errors.append(FieldError(f"{p}.{name}", "is not a depot id", getattr(vt, name)))
            if len(vt.capacity) != nd:
                errors.append(
                    FieldError(f"{p}.capacity", f"must have {nd} dimensions {self.dimensions}", vt.capacity)
                )
            else:
                caps[i] = vt.capacity
            all_skills |= vt.skills
        stop_ids = {s.id for s in self.stops}
        for s in self.stops:
            p = f"$.stops[{s.id!r}]"
            if len(s.demand) != nd:
                errors.append(
                    FieldError(f"{p}.demand", f"must have {nd} dimensions {self.dimensions}", s.demand)
                )
            elif self.vehicle_types and not (np.asarray(s.demand) <= caps).all(axis=1).any():
                errors.append(
                    FieldError(f"{p}.demand", "exceeds the capacity of every vehicle type", s.demand)
                )
            unknown = s.skills - all_skills
            if unknown:
                errors.append(
                    FieldError(f"{p}.skills", "no vehicle has these skills (unknown skill)", sorted(unknown))
                )
        paired: set[str] = set()
        for k, (a, b) in enumerate(self.pairs):
            for sid in (a, b):
                if sid not in stop_ids:
                    errors.append(FieldError(f"$.pairs[{k}]", "is not a stop id", sid))
                elif sid in paired:
                    errors.append(FieldError(f"$.pairs[{k}]", "stop is in more than one pair", sid))
                paired.add(sid)
            if a == b:
                errors.append(FieldError(f"$.pairs[{k}]", "pickup and delivery must differ", a))
        if errors:
            raise ValidationError(errors, title="RoutingProblem")
        by_id = {s.id: s for s in self.stops}
        for k, (a, b) in enumerate(self.pairs):
            if by_id[a].demand != by_id[b].demand:
                errors.append(FieldError(f"$.pairs[{k}]", "pickup and delivery demand must be equal", (a, b)))
        if errors:
            raise ValidationError(errors, title="RoutingProblem")
        points = self.points
        if getattr(self.distance, "geographic", False):
            errors.extend(_check_latlon(points, self.location_ids))
        if errors:
            raise ValidationError(errors, title="RoutingProblem")
        dist, dur = self.distance.matrices(points)
        n = len(points)
        for name, m in (("distance", dist), ("duration", dur)):
            if m.ndim != 2 or m.shape[0] != m.shape[1]:
                raise ValidationError.single(f"{name}_matrix", m.shape, "must be square")
            if m.shape != (n, n):
                raise ValidationError.single(f"{name}_matrix", m.shape, f"must be {n} x {n} (depots + stops)")
            if np.isnan(m).any() or (m < 0).any():
                raise ValidationError.single(f"{name}_matrix", "NaN or negative", "must be >= 0")
        dist = np.array(dist, dtype=np.float64)
        dur = np.array(dur, dtype=np.float64)
        dist.setflags(write=False)
        dur.setflags(write=False)
        object.__setattr__(self, "_distance_matrix", dist)
        object.__setattr__(self, "_duration_matrix", dur)

    # -- views -------------------------------------------------------------------
    @property
    def points(self) -> npt.NDArray[np.float64]:
        """Coordinates of ``[*depots, *stops]``, shape ``(n, 2)``."""
        pts = [d.location for d in self.depots] + [s.location for s in self.stops]
        return np.asarray(pts, dtype=np.float64).reshape(-1, 2)

    @property
    def location_ids(self) -> list[str]:
        """Ids of ``[*depots, *stops]`` (the row order of the matrices)."""
        return [d.id for d in self.depots] + [s.id for s in self.stops]

    @property
    def distance_matrix(self) -> npt.NDArray[np.float64]:
        """Travel distances between ``[*depots, *stops]`` (read-only)."""
        return self._distance_matrix

    @property
    def duration_matrix(self) -> npt.NDArray[np.float64]:
        """Travel times between ``[*depots, *stops]`` (read-only)."""
        return self._duration_matrix

    def index(self, location_id: str) -> int:
        """Row of a depot or stop id in the matrices."""
        return self._index_map()[location_id]

    def _index_map(self) -> dict[str, int]:
        return {lid: i for i, lid in enumerate(self.location_ids)}

    def stop(self, stop_id: str) -> Stop:
        """The stop with this id."""
        for s in self.stops:
            if s.id == stop_id:
                return s
        raise KeyError(stop_id)

    @property
    def num_vehicles(self) -> int:
        """Total vehicles over all types."""
        return sum(vt.count for vt in self.vehicle_types)

    # -- features ----------------------------------------------------------------
    @property
    def features(self) -> frozenset[str]:
        """Modelling features used: ``multi_window``, ``pairs``, ``breaks``, ``pickups``, ``skills``, ..."""
        f = set()
        if any(len(s.windows) > 1 for s in self.stops):
            f.add("multi_window")
        if self.pairs:
            f.add("pairs")
        if any(vt.breaks for vt in self.vehicle_types):
            f.add("breaks")
        if any(s.kind == "pickup" for s in self.stops):
            f.add("pickups")
        if any(s.skills for s in self.stops):
            f.add("skills")
        if self.allow_unserved or any(s.penalty is not None for s in self.stops):
            f.add("optional_stops")
        if len(self.vehicle_types) > 1:
            f.add("heterogeneous_fleet")
        if len(self.dimensions) > 1:
            f.add("multi_dimension")
        return frozenset(f)

    def penalty_of(self, stop: Stop) -> float | None:
        """The unserved penalty used for ``stop`` (``None``: required)."""
        if stop.penalty is not None:
            return stop.penalty
        if not self.allow_unserved:
            return None
        return self._base_penalty() * (1 + max(stop.priority, 0))

    def _base_penalty(self) -> float:
        d = self._distance_matrix
        t = self._duration_matrix
        finite_d = float(np.max(d[np.isfinite(d)], initial=0.0))
        finite_t = float(np.max(t[np.isfinite(t)], initial=0.0))
        worst = max(
            (vt.fixed_cost + 2 * finite_d * vt.cost_per_distance + 2 * finite_t * vt.cost_per_time)
            for vt in self.vehicle_types
        )
        return 2.0 * max(worst, 1.0)

    # -- copies ------------------------------------------------------------------
    def replace(self, **changes: Any) -> RoutingProblem:
        """A validated copy with some fields replaced (``problem.replace(stops=...)``)."""
        return attrs.evolve(self, **changes)

    def scale_demand(self, factor: float) -> RoutingProblem:
        """A copy with every stop's demand multiplied by ``factor`` (a peak day)."""
        stops = [attrs.evolve(s, demand=tuple(d * factor for d in s.demand)) for s in self.stops]
        return self.replace(stops=stops)

    def without_stops(self, stop_ids: Iterable[str]) -> RoutingProblem:
        """A copy without the given stops (and without pairs that use them)."""
        drop = set(stop_ids)
        missing = drop - {s.id for s in self.stops}
        if missing:
            raise ValidationError.single("stop_ids", sorted(missing), "are not stops of this problem")
        pairs = [p for p in self.pairs if p[0] not in drop and p[1] not in drop]
        return self.replace(stops=[s for s in self.stops if s.id not in drop], pairs=pairs)

    def __repr__(self) -> str:
        return (
            f"RoutingProblem({self.name + ': ' if self.name else ''}{len(self.depots)} depots, "
            f"{len(self.stops)} stops, {self.num_vehicles} vehicles in {len(self.vehicle_types)} types)"
        )

    @classmethod
    def from_domain(
        cls,
        orders: Iterable[Any],
        addresses: Mapping[str, Any] | None,
        fleet: Sequence[Any],
        date: datetime.date,
        *,
        depots: Sequence[Any],
        **options: Any,
    ) -> RoutingProblem:
        """Tomorrow's routing problem from today's orders.

        ``orders`` (domain ``Order``), ``addresses`` (``customer_id -> Address``, used when an
        order has no geocoded shipping address), ``fleet`` (domain ``Vehicle``), the delivery
        ``date`` and the ``depots`` (domain ``Depot``); further options (``products``,
        ``customers``, ``priority``, ``skills``, ``distance``, ``service_time``, ``tz``,
        ``allow_unserved``) are those of :func:`distcrm.routing.problem_from_domain`. VIP
        customers get a high unserved penalty, so they are served first.
        """
        from distcrm.routing._domain import problem_from_domain

        return problem_from_domain(orders, addresses, fleet, date, depots=depots, **options)


class RoutingProblemBuilder:
    """A small mutable builder; its ``add_*`` methods return the ids to refer to.

    Examples
    --------
    >>> from distcrm.routing import EuclideanProvider
    >>> b = RoutingProblemBuilder(dimensions=("kg",))
    >>> d = b.add_depot((0, 0))
    >>> v = b.add_vehicle_type(count=2, capacity=100, depot=d)
    >>> s = b.add_stop((1, 1), demand=10, windows=[(0, 50)])
    >>> problem = b.build(EuclideanProvider())
    >>> (d, v, s, len(problem.stops))
    ('depot-0', 'vehicle-0', 'stop-0', 1)
    """

    def __init__(self, dimensions: Sequence[str] = ("units",), *, name: str = "") -> None:
        self.dimensions = tuple(dimensions)
        self.name = name
        self._depots: list[Depot] = []
        self._types: list[VehicleType] = []
        self._stops: list[Stop] = []
        self._pairs: list[tuple[str, str]] = []

    def add_depot(
        self, location: Point, *, window: tuple[float, float] | None = None, id: str | None = None
    ) -> str:
        """Add a depot; returns its id."""
        did = id if id is not None else f"depot-{len(self._depots)}"
        w = TimeWindow(*window) if window is not None else TimeWindow(0.0, _INF)
        self._depots.append(Depot(did, location, w))
        return did

    def add_vehicle_type(
        self,
        *,
        count: int = 1,
        capacity: float | Sequence[float],
        depot: str | None = None,
        end_depot: str | None = None,
        shift: tuple[float, float] | None = None,
        id: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Add a vehicle type (keywords as :class:`VehicleType`); returns its id."""
        vid = id if id is not None else f"vehicle-{len(self._types)}"
        start = depot if depot is not None else (self._depots[0].id if self._depots else "")
        vt = VehicleType(
            id=vid,
            count=count,
            capacity=capacity,
            start_depot=start,
            end_depot=end_depot if end_depot is not None else start,
            shift=TimeWindow(*shift) if shift is not None else TimeWindow(0.0, _INF),
            **kwargs,
        )
        self._types.append(vt)
        return vid

    def add_stop(self, location: Point, *, id: str | None = None, **kwargs: Any) -> str:
        """Add a stop (keywords as :class:`Stop`); returns its id."""
        sid = id if id is not None else f"stop-{len(self._stops)}"
        self._stops.append(Stop(id=sid, location=location, **kwargs))
        return sid

    def add_pickup_delivery(
        self,
        pickup_location: Point,
        delivery_location: Point,
        *,
        demand: float | Sequence[float],
        pickup: Mapping[str, Any] | None = None,
        delivery: Mapping[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Add a pickup-and-delivery pair; returns ``(pickup_id, delivery_id)``."""
        p = self.add_stop(pickup_location, demand=demand, kind="pickup", **dict(pickup or {}))
        d = self.add_stop(delivery_location, demand=demand, kind="delivery", **dict(delivery or {}))
        self._pairs.append((p, d))
        return p, d

    def build(self, distance: DistanceProvider, *, allow_unserved: bool = False) -> RoutingProblem:
        """The validated, immutable problem."""
        return RoutingProblem(
            depots=self._depots,
            vehicle_types=self._types,
            stops=self._stops,
            distance=distance,
            dimensions=self.dimensions,
            pairs=self._pairs,
            allow_unserved=allow_unserved,
            name=self.name,
        )
