"""What both engines share: integer scaling, the pre-check, and turning routes into a plan.

Integer scaling
---------------
PyVRP and OR-Tools work in integers. Distances are multiplied by ``sd`` and times by
``st``, powers of ten chosen so the longest arc is below ``1e6`` and the latest finite
time below ``1e7`` (Solomon instances get ``1000`` for both, as in PyVRP's own runs; a
city in metres and seconds gets ``10`` and ``100``). Loads are scaled the same
way, per dimension (largest below ``1e6``, so PyVRP's capacity penalties weigh like
distances). Then:

- travel times, service times, distances, demands and window *starts* are rounded **up**;
- window *ends*, shift ends, capacities, maximum durations and distances are rounded **down**.

So every integer-feasible plan is feasible in exact arithmetic: each rounding makes the
integer problem slightly tighter, never looser. (Values are first rounded to 6 decimals
of the scaled unit, so ``0.1 * 1000`` is ``100`` and not ``101``; the validator's
tolerance of ``1e-6`` covers that.) The reported schedule is then recomputed from the
route order in float arithmetic: earliest arrival, and the departure from the depot
delayed as far as it removes waiting (Savelsbergh's forward time slack), so start times
are tight. Costs are scaled to integers the same way (the objective unit is chosen so
per-unit costs are exact integers where possible).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.routing._plan import Route, RoutePlan, StopVisit, Unserved

if TYPE_CHECKING:
    from distcrm.routing._problem import RoutingProblem

__all__ = ["Scaled", "build_plan", "precheck", "scale"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def _pow10_scale(max_value: float, target: float = 1e8) -> float:
    if not (max_value > 0 and math.isfinite(max_value)):
        return 1.0
    k = math.floor(math.log10(target / max_value))
    return float(10.0 ** min(max(k, -3), 9))


def ceil_int(x: npt.ArrayLike, s: float) -> I64:
    """``ceil(x * s)`` after rounding to 6 decimals of the scaled unit."""
    return np.ceil(np.round(np.asarray(x, dtype=np.float64) * s, 6)).astype(np.int64)


def floor_int(x: npt.ArrayLike, s: float) -> I64:
    """``floor(x * s)`` after rounding to 6 decimals of the scaled unit."""
    return np.floor(np.round(np.asarray(x, dtype=np.float64) * s, 6)).astype(np.int64)


@attrs.frozen(eq=False)
class Scaled:
    """The integer version of a problem (see the module docstring)."""

    sd: float
    st: float
    so: float
    horizon: int
    dist: I64
    dur: I64
    service: I64
    demand: I64  # (N, nd)
    capacity: I64  # (K, nd)
    windows: list[list[tuple[int, int]]]  # per stop, [] = none
    shift: list[tuple[int, int]]  # per type: start window intersected with depots
    max_duration: list[int]
    max_distance: list[int]
    fixed_cost: list[int]
    unit_distance_cost: list[int]
    unit_time_cost: list[int]
    penalty: list[int | None]  # per stop, None = required


def _cost_multiplier(values: Sequence[float]) -> float:
    """Smallest power of ten making every per-unit cost an integer within 1 %.

    Small objective units matter: PyVRP's penalties for load and time violations are
    bounded per unit, so a needlessly fine cost grid would make violations look cheap.
    """
    for m in (1.0, 10.0, 100.0, 1000.0):
        if all(v == 0 or (round(v * m) >= 1 and abs(v * m - round(v * m)) <= 1e-2 * v * m) for v in values):
            return m
    return 1000.0


def scale(problem: RoutingProblem, *, time_target: float = 1e7) -> Scaled:
    """Scale ``problem`` to integers, rounding so integer-feasible means exactly feasible.

    ``time_target`` bounds the scaled latest time (OR-Tools' break reasoning needs it small).
    """
    D, T = problem.distance_matrix, problem.duration_matrix
    fin_d = D[np.isfinite(D)]
    fin_t = T[np.isfinite(T)]
    time_vals = [float(np.max(fin_t, initial=0.0))]
    for s in problem.stops:
        time_vals += [w.end for w in s.windows if math.isfinite(w.end)] + [w.start for w in s.windows]
        time_vals.append(s.service_time)
    for vt in problem.vehicle_types:
        time_vals += [x for x in (vt.shift.start, vt.shift.end, vt.max_duration) if math.isfinite(x)]
        time_vals += [b.latest + b.duration for b in vt.breaks]
    for d in problem.depots:
        time_vals += [x for x in (d.window.start, d.window.end) if math.isfinite(x)]
    finite_end = [x for x in time_vals if math.isfinite(x)]
    # a horizon past which nothing matters: the latest finite time plus a full tour
    tour = float(np.sum(np.max(np.where(np.isfinite(T), T, 0.0), axis=1))) + sum(
        s.service_time for s in problem.stops
    )
    latest = max([*finite_end, 0.0])
    horizon_f = latest + tour + 1.0
    # PyVRP's penalties are tuned for arcs of about 1e3..1e5 (its Solomon runs use x1000)
    sd = _pow10_scale(float(np.max(fin_d, initial=0.0)), 1e6)
    st = _pow10_scale(max(latest, float(np.max(fin_t, initial=0.0))), time_target)
    horizon = math.ceil(horizon_f * st)
    dist = ceil_int(np.where(np.isfinite(D), D, 0.0), sd)
    dur = ceil_int(np.where(np.isfinite(T), T, 0.0), st)
    big_d = int(min(max(int(dist.max(initial=0)) * 10, 10**9), 2**43))
    dist[~np.isfinite(D)] = big_d
    dur[~np.isfinite(T)] = horizon
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    service = (
        ceil_int([s.service_time for s in problem.stops], st) if problem.stops else np.zeros(0, np.int64)
    )
    nd = len(problem.dimensions)
    dem_f = np.asarray([s.demand for s in problem.stops], dtype=np.float64).reshape(-1, nd)
    cap_f = np.asarray([vt.capacity for vt in problem.vehicle_types], dtype=np.float64).reshape(-1, nd)
    # loads share the distances' magnitude so PyVRP's capacity penalties bite; per dimension
    fin_cap = np.where(np.isfinite(cap_f), cap_f, 0.0)
    top = np.maximum(dem_f.max(axis=0, initial=0.0), fin_cap.max(axis=0, initial=0.0))
    sl = np.array([_pow10_scale(float(x), 1e6) for x in top])
    demand = np.ceil(np.round(dem_f * sl, 6)).astype(np.int64)
    capacity = np.floor(np.round(np.where(np.isfinite(cap_f), cap_f, 2**40 / sl) * sl, 6)).astype(np.int64)
    windows = []
    for s in problem.stops:
        ws = []
        for w in s.windows:
            a = int(ceil_int(max(w.start, 0.0), st))
            b = horizon if not math.isfinite(w.end) else int(floor_int(w.end, st))
            ws.append((a, min(b, horizon)))
        windows.append(ws)
    depots = {d.id: d for d in problem.depots}
    shift, max_duration, max_distance = [], [], []
    for vt in problem.vehicle_types:
        lo = max(vt.shift.start, depots[vt.start_depot].window.start, 0.0)
        hi = min(vt.shift.end, depots[vt.end_depot].window.end)
        a = int(ceil_int(lo, st))
        b = horizon if not math.isfinite(hi) else min(int(floor_int(hi, st)), horizon)
        shift.append((a, b))
        max_duration.append(
            horizon if not math.isfinite(vt.max_duration) else int(floor_int(vt.max_duration, st))
        )
        max_distance.append(
            2**43 if not math.isfinite(vt.max_distance) else int(floor_int(vt.max_distance, sd))
        )
    # objective: one integer unit = 1/so of cost
    cds = [vt.cost_per_distance for vt in problem.vehicle_types]
    pos = (
        [c for c in cds if c > 0]
        or [vt.cost_per_time for vt in problem.vehicle_types if vt.cost_per_time > 0]
        or [1.0]
    )
    c_ref = min(pos)
    so_base = sd / c_ref if any(c > 0 for c in cds) else st / c_ref
    ratios_d = [c * so_base / sd for c in cds]
    ratios_t = [vt.cost_per_time * so_base / st for vt in problem.vehicle_types]
    m = _cost_multiplier(ratios_d + ratios_t)
    so = so_base * m
    unit_d = [round(c * so / sd) for c in cds]
    unit_t = [round(vt.cost_per_time * so / st) for vt in problem.vehicle_types]
    fixed = [round(vt.fixed_cost * so) for vt in problem.vehicle_types]
    penalty: list[int | None] = []
    for s in problem.stops:
        p = problem.penalty_of(s)
        penalty.append(None if p is None else min(round(p * so), 2**50))
    return Scaled(
        sd=sd,
        st=st,
        so=so,
        horizon=horizon,
        dist=dist,
        dur=dur,
        service=service,
        demand=demand,
        capacity=capacity,
        windows=windows,
        shift=shift,
        max_duration=max_duration,
        max_distance=max_distance,
        fixed_cost=fixed,
        unit_distance_cost=unit_d,
        unit_time_cost=unit_t,
        penalty=penalty,
    )


def precheck(problem: RoutingProblem) -> dict[str, str]:
    """Stops (by id) that no single vehicle type could serve on a route of its own, with why.

    Vectorised over stops, once per vehicle type: capacity in every dimension, skills,
    reaching a window from the depot within the shift, getting back in time, maximum
    duration and distance. A pickup-and-delivery pair is checked as pickup then delivery.
    """
    n_dep = len(problem.depots)
    N = len(problem.stops)
    if N == 0:
        return {}
    D, T = problem.distance_matrix, problem.duration_matrix
    idx = {d.id: i for i, d in enumerate(problem.depots)}
    depots = {d.id: d for d in problem.depots}
    nd = len(problem.dimensions)
    dem = np.asarray([s.demand for s in problem.stops], dtype=np.float64).reshape(N, nd)
    svc = np.asarray([s.service_time for s in problem.stops], dtype=np.float64)
    wmax = max((len(s.windows) for s in problem.stops), default=0) or 1
    ws = np.full((N, wmax), np.inf)
    we = np.full((N, wmax), -np.inf)
    for i, s in enumerate(problem.stops):
        if not s.windows:
            ws[i, 0], we[i, 0] = -np.inf, np.inf
        for k, w in enumerate(s.windows):
            ws[i, k], we[i, k] = w.start, w.end
    stop_rows = np.arange(n_dep, n_dep + N)
    ok_any = np.zeros(N, dtype=bool)
    why: list[set[str]] = [set() for _ in range(N)]
    pair_partner = dict(problem.pairs)
    sid_index = {s.id: i for i, s in enumerate(problem.stops)}
    for vt in problem.vehicle_types:
        d0, d1 = idx[vt.start_depot], idx[vt.end_depot]
        t0 = max(vt.shift.start, depots[vt.start_depot].window.start)
        t_end = min(vt.shift.end, depots[vt.end_depot].window.end)
        cap_ok = (dem <= np.asarray(vt.capacity)[None, :] + 1e-9).all(axis=1)
        skill_ok = np.array([s.skills <= vt.skills for s in problem.stops])
        arrival = t0 + T[d0, stop_rows]
        cand = np.where(we >= arrival[:, None], np.maximum(ws, arrival[:, None]), np.inf)
        start = cand.min(axis=1)
        reach_ok = np.isfinite(start)
        back = start + svc + T[stop_rows, d1]
        back_ok = back <= t_end + 1e-9
        dur_ok = (T[d0, stop_rows] + svc + T[stop_rows, d1]) <= vt.max_duration + 1e-9
        dist_ok = (D[d0, stop_rows] + D[stop_rows, d1]) <= vt.max_distance + 1e-9
        ok = cap_ok & skill_ok & reach_ok & back_ok & dur_ok & dist_ok
        # pairs: the pickup then the delivery on one route
        for a, b in pair_partner.items():
            ia, ib = sid_index[a], sid_index[b]
            dep_a = start[ia] + svc[ia]
            arr_b = dep_a + T[n_dep + ia, n_dep + ib]
            cb = [max(s0, arr_b) for s0, e0 in zip(ws[ib], we[ib], strict=True) if e0 >= arr_b]
            pair_ok = bool(ok[ia] and ok[ib] and cb and min(cb) + svc[ib] + T[n_dep + ib, d1] <= t_end + 1e-9)
            if not pair_ok:
                ok[ia] = ok[ib] = False
                if reach_ok[ia] and reach_ok[ib]:
                    why[ia].add(f"{vt.id}: cannot carry the pair to {b!r} in time")
                    why[ib].add(f"{vt.id}: cannot bring the pair from {a!r} in time")
        ok_any |= ok
        labels = (
            (cap_ok, "demand exceeds capacity"),
            (skill_ok, "lacks required skills"),
            (reach_ok, "cannot arrive before the window closes"),
            (back_ok, "cannot return to the depot before the shift ends"),
            (dur_ok, "round trip exceeds the maximum duration"),
            (dist_ok, "round trip exceeds the maximum distance"),
        )
        for mask, text in labels:
            for j in np.flatnonzero(~mask & ~ok_any):
                why[int(j)].add(f"{vt.id}: {text}")
    return {
        problem.stops[i].id: "; ".join(sorted(why[i])) or "no vehicle can serve it"
        for i in np.flatnonzero(~ok_any)
    }


def _route_schedule(
    problem: RoutingProblem, vt_index: int, stop_idx: Sequence[int]
) -> tuple[float, list[tuple[float, float, float]], float]:
    """Earliest-arrival schedule with the depot departure delayed by the forward slack."""
    vt = problem.vehicle_types[vt_index]
    n_dep = len(problem.depots)
    T = problem.duration_matrix
    dmap = {d.id: i for i, d in enumerate(problem.depots)}
    depots = {d.id: d for d in problem.depots}
    d0, d1 = dmap[vt.start_depot], dmap[vt.end_depot]
    t0 = max(vt.shift.start, depots[vt.start_depot].window.start)
    t_end = min(vt.shift.end, depots[vt.end_depot].window.end)

    def forward(
        start_time: float,
    ) -> tuple[list[tuple[float, float, float]], float, list[float], list[float]]:
        out, waits, lates = [], [], []
        prev, dep = d0, start_time
        for i in stop_idx:
            s = problem.stops[i]
            arr = dep + float(T[prev, n_dep + i])
            if s.windows:
                cands = [(max(arr, w.start), w.end) for w in s.windows if w.end >= arr - 1e-9]
                st, late = cands[0] if cands else (max(arr, s.windows[-1].start), s.windows[-1].end)
            else:
                st, late = arr, math.inf
            out.append((arr, st, st + s.service_time))
            waits.append(st - arr)
            lates.append(late - st)
            prev, dep = n_dep + i, st + s.service_time
        return out, dep + float(T[prev, d1]), waits, lates

    visits, end, waits, lates = forward(t0)
    single = all(len(problem.stops[i].windows) <= 1 for i in stop_idx)
    total_wait = sum(waits)
    if single and total_wait > 0:
        cum = np.cumsum(waits)
        slack = [cum[k] + lates[k] for k in range(len(stop_idx))] + [total_wait + (t_end - end)]
        delta = max(0.0, min(min(slack), total_wait))
        if delta > 0:
            visits2, end2, _, _ = forward(t0 + delta)
            if end2 <= end + 1e-9:
                return t0 + delta, visits2, end2
    return t0, visits, end


def build_plan(
    problem: RoutingProblem,
    routes: Sequence[tuple[int, int, Sequence[int]]],
    unserved: dict[int, str],
    *,
    engine: str,
    status: str,
    runtime: float,
    schedules: Sequence[
        tuple[float, list[tuple[float, float, float]], float, list[tuple[float, float]]] | None
    ]
    | None = None,
) -> RoutePlan:
    """A :class:`RoutePlan` from ``(vehicle_type_index, vehicle_number, stop_indices)`` routes.

    ``schedules`` (optional, per route) gives the engine's own times ``(start, [(arrival,
    start, departure)], end, breaks)``; otherwise the tight float schedule is computed.
    """
    n_dep = len(problem.depots)
    D = problem.distance_matrix
    dmap = {d.id: i for i, d in enumerate(problem.depots)}
    paired_delivery = {b for _, b in problem.pairs}
    out = []
    for k, (ti, vno, sidx) in enumerate(routes):
        if not sidx:
            continue
        vt = problem.vehicle_types[ti]
        sched = schedules[k] if schedules is not None else None
        if sched is None:
            start, visits, end = _route_schedule(problem, ti, sidx)
            breaks: list[tuple[float, float]] = []
        else:
            start, visits, end, breaks = sched
        rows = [dmap[vt.start_depot], *(n_dep + i for i in sidx), dmap[vt.end_depot]]
        dist = float(D[rows[:-1], rows[1:]].sum())
        load = np.zeros(len(problem.dimensions))
        for i in sidx:
            s = problem.stops[i]
            if s.kind == "delivery" and s.id not in paired_delivery:
                load = load + np.asarray(s.demand)
        start_load = tuple(float(x) for x in load)
        sv = []
        for i, (arr, st, dep) in zip(sidx, visits, strict=True):
            s = problem.stops[i]
            load = load + np.asarray(s.demand) if s.kind == "pickup" else load - np.asarray(s.demand)
            sv.append(StopVisit(s.id, float(arr), float(st), float(dep), tuple(float(x) for x in load)))
        cost = vt.fixed_cost + vt.cost_per_distance * dist + vt.cost_per_time * (end - start)
        out.append(
            Route(
                vehicle_type=vt.id,
                vehicle=vno,
                stop_ids=tuple(problem.stops[i].id for i in sidx),
                visits=sv,
                start_time=float(start),
                end_time=float(end),
                distance=dist,
                cost=float(cost),
                start_load=start_load,
                breaks=tuple(breaks),
            )
        )
    uns = [
        Unserved(problem.stops[i].id, reason, problem.penalty_of(problem.stops[i]))
        for i, reason in sorted(unserved.items())
    ]
    return RoutePlan(problem=problem, routes=out, unserved=uns, engine=engine, status=status, runtime=runtime)
