"""The independent plan validator.

It re-checks a plan against the problem in float arithmetic, using the provider's
matrices and nothing the engines computed except the plan itself: routes (stop order,
vehicle), the reported times, loads, and breaks. It shares no code with the engines, so
an engine bug cannot hide itself. Tolerance: ``1e-6`` absolute plus ``1e-9`` relative.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import attrs
import numpy as np

if TYPE_CHECKING:
    from distcrm.routing._plan import RoutePlan
    from distcrm.routing._problem import RoutingProblem

__all__ = ["Violation", "validate_plan"]


@attrs.frozen
class Violation:
    """One broken rule: ``kind`` (``capacity``, ``window``, ...), where, and a message."""

    kind: str
    message: str
    route: int | None = None
    stop_id: str | None = None

    def __str__(self) -> str:
        where = f"route {self.route}" if self.route is not None else "plan"
        if self.stop_id is not None:
            where += f", stop {self.stop_id!r}"
        return f"[{self.kind}] {where}: {self.message}"


def _le(a: float, b: float) -> bool:
    """``a <= b`` up to the validator's tolerance."""
    if b == math.inf or a == -math.inf:
        return True
    return a <= b + 1e-6 + 1e-9 * max(abs(a), abs(b))


def validate_plan(problem: RoutingProblem, plan: RoutePlan) -> list[Violation]:
    """Every violated rule of ``plan`` for ``problem`` (empty when the plan is feasible).

    Checks: vehicle counts; start/end depots; each stop served at most once and every
    stop either served or reported unserved (a required stop unserved is a violation);
    skills; capacity in every dimension at every point of the route (deliveries are on
    board from the depot, pickups are added, paired goods travel from pickup to
    delivery on one vehicle, pickup first); travel times between reported times; time
    windows; depot windows and shifts; maximum duration and distance; breaks; and that
    reported distance and duration match the matrices.
    """
    v: list[Violation] = []
    D = problem.distance_matrix
    T = problem.duration_matrix
    idx = {lid: i for i, lid in enumerate(problem.location_ids)}
    stops = {s.id: s for s in problem.stops}
    types = {vt.id: vt for vt in problem.vehicle_types}
    depots = {d.id: d for d in problem.depots}
    pair_of_pickup = dict(problem.pairs)
    pair_of_delivery = {b: a for a, b in problem.pairs}
    nd = len(problem.dimensions)

    used: dict[str, int] = {}
    seen: dict[str, int] = {}
    position: dict[str, tuple[int, int]] = {}
    for r, route in enumerate(plan.routes):
        vt = types.get(route.vehicle_type)
        if vt is None:
            v.append(Violation("vehicle", f"unknown vehicle type {route.vehicle_type!r}", r))
            continue
        used[vt.id] = used.get(vt.id, 0) + 1
        if len(route.visits) != len(route.stop_ids) or any(
            a.stop_id != b for a, b in zip(route.visits, route.stop_ids, strict=False)
        ):
            v.append(Violation("schedule", "visits do not match stop_ids", r))
            continue
        for k, sid in enumerate(route.stop_ids):
            if sid not in stops:
                v.append(Violation("stop", "unknown stop id", r, sid))
                continue
            seen[sid] = seen.get(sid, 0) + 1
            position[sid] = (r, k)
        if any(sid not in stops for sid in route.stop_ids):
            continue
        s_dep, e_dep = depots[vt.start_depot], depots[vt.end_depot]
        # -- loads ----------------------------------------------------------------
        caps = np.asarray(vt.capacity, dtype=np.float64)
        load = np.zeros(nd)
        for sid in route.stop_ids:
            s = stops[sid]
            if s.kind == "delivery" and sid not in pair_of_delivery:
                load += np.asarray(s.demand)
        if not all(_le(float(x), float(c)) for x, c in zip(load, caps, strict=True)):
            v.append(
                Violation("capacity", f"load {load.tolist()} leaving the depot exceeds {caps.tolist()}", r)
            )
        for visit in route.visits:
            s = stops[visit.stop_id]
            dem = np.asarray(s.demand)
            load = load + dem if s.kind == "pickup" else load - dem
            if not all(_le(float(x), float(c)) for x, c in zip(load, caps, strict=True)):
                v.append(Violation("capacity", f"load {load.tolist()} exceeds {caps.tolist()}", r, s.id))
            if visit.load is not None and not np.allclose(np.asarray(visit.load), load, rtol=1e-9, atol=1e-6):
                v.append(Violation("load", f"reported load {list(visit.load)} != {load.tolist()}", r, s.id))
        # -- skills ---------------------------------------------------------------
        for sid in route.stop_ids:
            missing = stops[sid].skills - vt.skills
            if missing:
                v.append(Violation("skills", f"vehicle lacks skills {sorted(missing)}", r, sid))
        # -- times ----------------------------------------------------------------
        if not (_le(vt.shift.start, route.start_time) and _le(s_dep.window.start, route.start_time)):
            v.append(
                Violation("shift", f"leaves the depot at {route.start_time} before the shift/depot opens", r)
            )
        prev_loc, prev_dep = idx[s_dep.id], route.start_time
        intervals: list[tuple[float, float, float]] = []  # gaps: (from, to, travel)
        dist = 0.0
        for visit in route.visits:
            s = stops[visit.stop_id]
            loc = idx[s.id]
            travel = float(T[prev_loc, loc])
            dist += float(D[prev_loc, loc])
            if not _le(prev_dep + travel, visit.arrival):
                v.append(
                    Violation("travel", f"arrives at {visit.arrival} < {prev_dep} + travel {travel}", r, s.id)
                )
            if not _le(visit.arrival, visit.start):
                v.append(
                    Violation(
                        "schedule", f"starts at {visit.start} before arriving at {visit.arrival}", r, s.id
                    )
                )
            ok = not s.windows or any(
                _le(w.start, visit.start) and _le(visit.start, w.end) for w in s.windows
            )
            if not ok:
                ws = [(w.start, w.end) for w in s.windows]
                v.append(Violation("window", f"service starts at {visit.start}, outside {ws}", r, s.id))
            if not _le(visit.start + s.service_time, visit.departure):
                v.append(Violation("schedule", f"departs at {visit.departure} before service ends", r, s.id))
            intervals.append((prev_dep, visit.start, travel))
            prev_loc, prev_dep = loc, visit.departure
        end_travel = float(T[prev_loc, idx[e_dep.id]])
        dist += float(D[prev_loc, idx[e_dep.id]])
        intervals.append((prev_dep, route.end_time, end_travel))
        if not _le(prev_dep + end_travel, route.end_time):
            v.append(
                Violation("travel", f"back at the depot at {route.end_time} < {prev_dep} + {end_travel}", r)
            )
        if not (_le(route.end_time, vt.shift.end) and _le(route.end_time, e_dep.window.end)):
            v.append(
                Violation("shift", f"back at the depot at {route.end_time}, after the shift/depot closes", r)
            )
        if not _le(route.end_time - route.start_time, vt.max_duration):
            v.append(
                Violation("duration", f"duration {route.end_time - route.start_time} > {vt.max_duration}", r)
            )
        if not _le(dist, vt.max_distance):
            v.append(Violation("distance", f"distance {dist} > {vt.max_distance}", r))
        if not math.isclose(dist, route.distance, rel_tol=1e-6, abs_tol=1e-6):
            v.append(Violation("report", f"reported distance {route.distance} != {dist}", r))
        if not math.isclose(route.duration, route.end_time - route.start_time, rel_tol=1e-9, abs_tol=1e-6):
            v.append(Violation("report", f"reported duration {route.duration} != end - start", r))
        # -- breaks ---------------------------------------------------------------
        if len(route.breaks) != len(vt.breaks):
            v.append(
                Violation("break", f"{len(route.breaks)} breaks reported, vehicle needs {len(vt.breaks)}", r)
            )
        else:
            for brk, (b0, b1) in zip(vt.breaks, route.breaks, strict=True):
                if not (_le(brk.earliest, b0) and _le(b0, brk.latest) and _le(b0 + brk.duration, b1)):
                    v.append(Violation("break", f"break ({b0}, {b1}) not within its rule {brk}", r))
                    continue
                outside = _le(b1, route.start_time) or _le(route.end_time, b0)
                if not outside and not any(_le(a, b0) and _le(b1, c) for a, c, _ in intervals):
                    v.append(Violation("break", f"break ({b0}, {b1}) overlaps a service", r))
            for a, c, travel in intervals:
                inside = sum(b1 - b0 for b0, b1 in route.breaks if _le(a, b0) and _le(b1, c))
                if inside and not _le(a + travel + inside, c):
                    v.append(
                        Violation("break", f"no time to drive {travel} and rest {inside} in ({a}, {c})", r)
                    )
    for vt in problem.vehicle_types:
        if used.get(vt.id, 0) > vt.count:
            v.append(Violation("vehicle", f"{used[vt.id]} routes use type {vt.id!r}, only {vt.count} exist"))
    # -- each stop once, pairs -----------------------------------------------------
    unserved = {u.stop_id for u in plan.unserved}
    for sid, n in seen.items():
        if n > 1:
            v.append(Violation("served_once", f"served {n} times", None, sid))
        if sid in unserved:
            v.append(Violation("served_once", "served and reported unserved", None, sid))
    for s in problem.stops:
        if s.id not in seen:
            if s.id not in unserved:
                v.append(Violation("served_once", "neither served nor reported unserved", None, s.id))
            elif problem.penalty_of(s) is None:
                v.append(Violation("unserved", "a required stop is unserved", None, s.id))
    for pk, dk in problem.pairs:
        pa, pb = position.get(pk), position.get(dk)
        if (pa is None) != (pb is None):
            v.append(
                Violation(
                    "pair", f"pickup {pk!r} and delivery {dk!r} must both be served or both not", None, pk
                )
            )
        elif pa is not None and pb is not None:
            if pa[0] != pb[0]:
                v.append(
                    Violation("pair", f"pickup {pk!r} and delivery {dk!r} are on different routes", pa[0], pk)
                )
            elif pa[1] >= pb[1]:
                v.append(Violation("pair", f"delivery {dk!r} comes before its pickup {pk!r}", pa[0], dk))
    del pair_of_pickup
    return v
