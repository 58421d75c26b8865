"""Fleet sizing (the fewest vehicles for a day's stops) and what-if analysis for peak days."""

from __future__ import annotations

import html
import math
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from distcrm.errors import InfeasibleProblemError, ValidationError
from distcrm.routing._plan import RoutePlan

if TYPE_CHECKING:
    from distcrm.routing._problem import RoutingProblem
    from distcrm.routing._solve import RoutingEngine

__all__ = ["FleetSizing", "WhatIf", "minimum_fleet", "what_if"]


@attrs.frozen
class FleetSizing:
    """The fewest vehicles found that serve every stop, a lower bound, and the plan."""

    vehicles: int
    by_type: dict[str, int]
    lower_bound: int
    plan: RoutePlan = attrs.field(repr=False)

    def summary(self) -> str:
        """One line."""
        return f"{self.vehicles} vehicles ({self.by_type}); lower bound {self.lower_bound}"


def _lower_bound(problem: RoutingProblem) -> int:
    if not problem.stops:
        return 0
    dem = np.asarray([s.demand for s in problem.stops], dtype=np.float64).sum(axis=0)
    cap = np.asarray([vt.capacity for vt in problem.vehicle_types], dtype=np.float64).max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cap > 0, dem / cap, 0.0)
    return max(1, math.ceil(float(ratio.max()) - 1e-9))


def minimum_fleet(
    problem: RoutingProblem,
    *,
    engine: str | RoutingEngine = "auto",
    time_limit: float = 10.0,
    seed: int = 0,
) -> FleetSizing:
    """The fewest vehicles that serve every stop within its window.

    First every vehicle gets a fixed cost larger than any route's distance cost (so the
    solver minimises vehicles, then cost); then the fleet is shrunk one vehicle at a time
    while a feasible plan is still found. ``time_limit`` is the total budget. A heuristic:
    the answer is an upper bound, reported with the capacity lower bound.

    Examples
    --------
    >>> from distcrm.routing import load_solomon
    >>> fs = minimum_fleet(load_solomon("C101"), time_limit=2.0, seed=1)
    >>> fs.vehicles, fs.lower_bound
    (10, 10)
    """
    from distcrm.errors import InfeasibleProblemError
    from distcrm.routing._solve import solve

    if not (time_limit > 0):
        raise ValidationError.single("time_limit", time_limit, "must be > 0")
    t0 = time.perf_counter()
    D = problem.distance_matrix
    big = (
        2.0
        * float(np.max(D[np.isfinite(D)], initial=1.0))
        * (len(problem.stops) + 1)
        * max(vt.cost_per_distance for vt in problem.vehicle_types)
        + 1.0
    )
    hier = problem.replace(
        vehicle_types=[attrs.evolve(vt, fixed_cost=vt.fixed_cost + big) for vt in problem.vehicle_types]
    )
    lb = _lower_bound(problem)
    best = solve(hier, engine, time_limit=time_limit * 0.5, seed=seed)
    if not best.is_feasible():
        raise InfeasibleProblemError("no feasible plan with the whole fleet was found in the time limit")
    while best.num_vehicles > lb:
        left = time_limit - (time.perf_counter() - t0)
        if left < 0.2:
            break
        used: dict[str, int] = {}
        for r in best.routes:
            used[r.vehicle_type] = used.get(r.vehicle_type, 0) + 1
        # take one vehicle away from the most used type
        drop = max(used, key=lambda k: used[k])
        types = [
            attrs.evolve(vt, count=used.get(vt.id, 0) - (vt.id == drop))
            for vt in hier.vehicle_types
            if used.get(vt.id, 0) - (vt.id == drop) > 0
        ]
        try:
            plan = solve(
                hier.replace(vehicle_types=types), engine, time_limit=min(left, time_limit * 0.25), seed=seed
            )
        except InfeasibleProblemError:
            break
        if not plan.is_feasible() or plan.unserved:
            break
        best = plan
    by_type: dict[str, int] = {}
    for r in best.routes:
        by_type[r.vehicle_type] = by_type.get(r.vehicle_type, 0) + 1
    plan = attrs.evolve(best, problem=problem)
    plan = attrs.evolve(plan, routes=[attrs.evolve(r, cost=r.cost - big) for r in plan.routes])
    return FleetSizing(vehicles=best.num_vehicles, by_type=by_type, lower_bound=lb, plan=plan)


@attrs.frozen
class WhatIf:
    """A scenario next to the base day: plans, the scenario's fleet need, and dropped stops."""

    base: RoutePlan = attrs.field(repr=False)
    scenario: RoutePlan = attrs.field(repr=False)
    fleet_needed: FleetSizing | None = attrs.field(repr=False)
    over_capacity: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()

    def rows(self) -> list[dict[str, Any]]:
        """Base vs scenario figures."""
        out = []
        for name, p in (("base", self.base), ("scenario", self.scenario)):
            out.append(
                {
                    "case": name,
                    "vehicles": p.num_vehicles,
                    "distance": p.distance,
                    "cost": p.cost,
                    "served": len(p.served),
                    "unserved": len(p.unserved),
                    "feasible": p.is_feasible(),
                }
            )
        return out

    def to_frame(self) -> Any:
        """The comparison as a pandas DataFrame."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="WhatIf.to_frame")
        return pd.DataFrame(self.rows()).set_index("case")

    def summary(self) -> str:
        """A short text comparison."""
        lines = []
        for r in self.rows():
            lines.append(
                f"{r['case']:>8}: {r['vehicles']} vehicles, distance {r['distance']:.1f}, cost {r['cost']:.1f}, "
                f"served {r['served']}, unserved {r['unserved']}"
            )
        if self.fleet_needed is not None:
            lines.append(f"scenario needs {self.fleet_needed.vehicles} vehicles to serve every stop")
        if self.over_capacity:
            lines.append(
                f"{len(self.over_capacity)} stops exceed every vehicle's capacity: {list(self.over_capacity)[:10]}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def what_if(
    problem: RoutingProblem,
    *,
    demand_factor: float = 1.0,
    closed_stops: Iterable[str] = (),
    fleet_factor: int = 3,
    engine: str | RoutingEngine = "auto",
    time_limit: float = 10.0,
    seed: int = 0,
) -> WhatIf:
    """Plan a peak or holiday scenario next to the base day.

    The scenario multiplies every demand by ``demand_factor`` (a peak: ``1.5``) and removes
    ``closed_stops`` (customers closed on a holiday). It is solved with the same fleet,
    stops allowed to be unserved (so you see what would be missed), and its fleet need is
    sized with ``fleet_factor`` times the fleet available. Stops whose scaled demand no
    vehicle can carry are listed in ``over_capacity``. ``time_limit`` is per solve.

    Examples
    --------
    >>> from distcrm.routing import load_solomon
    >>> w = what_if(load_solomon("C201"), demand_factor=1.5, time_limit=0.5, seed=1)
    >>> w.base.num_vehicles <= w.fleet_needed.vehicles
    True
    """
    from distcrm.routing._solve import solve

    if not (demand_factor > 0 and math.isfinite(demand_factor)):
        raise ValidationError.single("demand_factor", demand_factor, "must be a finite number > 0")
    if fleet_factor < 1:
        raise ValidationError.single("fleet_factor", fleet_factor, "must be >= 1")
    closed = tuple(closed_stops)
    base = solve(problem, engine, time_limit=time_limit, seed=seed)
    scen = problem.without_stops(closed) if closed else problem
    cap = np.asarray([vt.capacity for vt in problem.vehicle_types], dtype=np.float64)
    over = tuple(
        s.id for s in scen.stops if not (np.asarray(s.demand) * demand_factor <= cap + 1e-9).all(axis=1).any()
    )
    if over:
        scen = scen.without_stops(over)
    scen = scen.scale_demand(demand_factor)
    scenario_plan = solve(scen.replace(allow_unserved=True), engine, time_limit=time_limit, seed=seed)
    fleet_needed: FleetSizing | None
    try:
        bigger = scen.replace(
            vehicle_types=[attrs.evolve(vt, count=vt.count * fleet_factor) for vt in scen.vehicle_types]
        )
        fleet_needed = minimum_fleet(bigger, engine=engine, time_limit=time_limit, seed=seed)
    except (InfeasibleProblemError, ValidationError):  # an infeasible scenario has no fleet answer
        fleet_needed = None
    return WhatIf(
        base=base, scenario=scenario_plan, fleet_needed=fleet_needed, over_capacity=over, closed=closed
    )
