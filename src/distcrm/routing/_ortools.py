"""The OR-Tools engine: everything PyVRP models plus several time windows per stop,
pickup-and-delivery pairs and driver breaks.

Design choices that make it dependable:

- Every stop is in a disjunction. Required stops carry a penalty larger than any plan's
  cost, optional ones their own penalty. A first solution therefore always exists
  (``PARALLEL_CHEAPEST_INSERTION`` by default, then guided local search), so the engine
  never answers "no solution" on a feasible instance; a required stop it could not
  insert in time is reported unserved with that reason and the plan's status is
  ``"partial"``. Should OR-Tools still fail, a second search from an all-unperformed
  start is run and, at worst, a plan with every stop unserved is returned.
- ``RoutePlan.solver_status`` always carries OR-Tools' own status name.
- Waiting is minimised without bending the objective: solution finalizers minimise each
  route's end time, then maximise its start, then minimise every visit time, so the
  reported times are tight (and for single-window routes without breaks the schedule is
  recomputed in float arithmetic from the order, as for PyVRP).
- Loads: deliveries are on board from the depot. With pickups or pairs, a per-dimension
  load dimension starts at the route's total delivery (tied to a second dimension that
  counts deliveries) and moves by ``+pickup -delivery`` at every stop.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np

from distcrm.errors import InfeasibleProblemError, ValidationError
from distcrm.routing._compile import build_plan, precheck, scale
from distcrm.routing._plan import RoutePlan
from distcrm.routing._problem import RoutingProblem
from distcrm.routing._pyvrp import PyVRPEngine

__all__ = ["OrToolsEngine"]

_STRATEGIES = {
    "parallel_cheapest_insertion": "PARALLEL_CHEAPEST_INSERTION",
    "path_cheapest_arc": "PATH_CHEAPEST_ARC",
    "savings": "SAVINGS",
    "local_cheapest_insertion": "LOCAL_CHEAPEST_INSERTION",
    "automatic": "AUTOMATIC",
}


class OrToolsEngine:
    """Solve with OR-Tools' routing library (guided local search by default).

    Parameters
    ----------
    first_solution
        ``"parallel_cheapest_insertion"`` (default), ``"path_cheapest_arc"``,
        ``"savings"``, ``"local_cheapest_insertion"`` or ``"automatic"``.
    metaheuristic
        ``"guided_local_search"`` (default), ``"simulated_annealing"``, ``"tabu_search"``
        or ``"greedy_descent"``.
    warm_start
        ``"auto"`` (default): when PyVRP models the problem, a PyVRP run of
        ``warm_fraction`` of the time limit gives the first solution and OR-Tools improves
        it; otherwise OR-Tools constructs its own. ``"pyvrp"`` always tries, ``None`` never.
    warm_fraction
        Share of the time limit given to the warm start.

    Examples
    --------
    >>> from distcrm.routing import RoutingProblemBuilder, EuclideanProvider
    >>> b = RoutingProblemBuilder()
    >>> _ = b.add_depot((0, 0))
    >>> _ = b.add_vehicle_type(count=1, capacity=10)
    >>> _ = b.add_stop((5, 0), windows=[(0, 2), (8, 12)])
    >>> plan = OrToolsEngine().solve(b.build(EuclideanProvider()), time_limit=0.2)
    >>> plan.routes[0].visits[0].start, plan.is_feasible()
    (8.0, True)
    """

    name = "ortools"

    def __init__(
        self,
        first_solution: str = "parallel_cheapest_insertion",
        metaheuristic: str = "guided_local_search",
        warm_start: str | None = "auto",
        warm_fraction: float = 0.5,
    ) -> None:
        self.first_solution = first_solution
        self.metaheuristic = metaheuristic
        self.warm_start = warm_start
        self.warm_fraction = warm_fraction

    def supports(self, problem: RoutingProblem) -> bool:
        """OR-Tools models every feature of :class:`RoutingProblem`."""
        return True

    def _warm_start(
        self,
        problem: RoutingProblem,
        budget: float,
        seed: int,
        manager: Any,
        routing: Any,
        params: Any,
        veh_type: list[int],
        node_of_stop: dict[int, int],
        pos: dict[str, int],
    ) -> Any:
        """An initial OR-Tools assignment from a short PyVRP run (None when it does not fit)."""
        if budget <= 0:
            return None
        plan = PyVRPEngine().solve(problem, time_limit=budget, seed=seed)
        if plan.status not in ("feasible", "optimal"):
            return None
        type_index = {vt.id: k for k, vt in enumerate(problem.vehicle_types)}
        free: dict[int, list[int]] = {}
        for v, k in enumerate(veh_type):
            free.setdefault(k, []).append(v)
        routes: list[list[int]] = [[] for _ in veh_type]
        for r in plan.routes:
            vs = free.get(type_index[r.vehicle_type])
            if not vs:
                return None
            routes[vs.pop(0)] = [manager.NodeToIndex(node_of_stop[pos[sid]]) for sid in r.stop_ids]
        routing.CloseModelWithParameters(params)
        return routing.ReadAssignmentFromRoutes(routes, True)

    def solve(self, problem: RoutingProblem, *, time_limit: float = 10.0, seed: int = 0) -> RoutePlan:
        """A plan for ``problem`` found within about ``time_limit`` seconds.

        OR-Tools' search is deterministic; ``seed`` is accepted for the common engine interface.
        """
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2

        if self.first_solution not in _STRATEGIES:
            raise ValidationError.single(
                "first_solution", self.first_solution, f"must be one of {sorted(_STRATEGIES)}"
            )
        metas = {"guided_local_search", "simulated_annealing", "tabu_search", "greedy_descent"}
        if self.metaheuristic not in metas:
            raise ValidationError.single(
                "metaheuristic", self.metaheuristic, f"must be one of {sorted(metas)}"
            )
        if not (time_limit > 0):
            raise ValidationError.single("time_limit", time_limit, "must be > 0")
        if self.warm_start not in (None, "auto", "pyvrp"):
            raise ValidationError.single("warm_start", self.warm_start, "must be 'auto', 'pyvrp' or None")
        if not (0.0 <= self.warm_fraction < 1.0):
            raise ValidationError.single("warm_fraction", self.warm_fraction, "must be in [0, 1)")
        t_start = time.perf_counter()
        bad = precheck(problem)
        required_bad = {sid: r for sid, r in bad.items() if problem.penalty_of(problem.stop(sid)) is None}
        if required_bad:
            raise InfeasibleProblemError(
                f"{len(required_bad)} stop(s) cannot be served by any vehicle: "
                + "; ".join(f"{k}: {v}" for k, v in list(required_bad.items())[:5]),
                reasons=required_bad,
            )
        # OR-Tools' break propagation stalls on fine time grids: keep times below ~1e5 then
        sc = scale(problem, time_target=1e5 if "breaks" in problem.features else 1e7)
        n_dep = len(problem.depots)
        N = len(problem.stops)
        pos = {s.id: i for i, s in enumerate(problem.stops)}
        unserved: dict[int, str] = {pos[sid]: f"cannot be served: {r}" for sid, r in bad.items()}
        # also drop the partner of an unservable pair member
        for a, b in problem.pairs:
            if (pos[a] in unserved) != (pos[b] in unserved):
                for x in (a, b):
                    unserved.setdefault(pos[x], "its pickup-and-delivery partner cannot be served")
        keep = [i for i in range(N) if i not in unserved]
        if not keep:
            return build_plan(problem, [], unserved, engine=self.name, status="optimal", runtime=0.0)
        node_of_stop = {i: n_dep + j for j, i in enumerate(keep)}
        rows = np.array(list(range(n_dep)) + [n_dep + i for i in keep])
        n_nodes = len(rows)
        dist = sc.dist[np.ix_(rows, rows)]
        dur = sc.dur[np.ix_(rows, rows)]
        service = np.zeros(n_nodes, dtype=np.int64)
        service[n_dep:] = sc.service[keep]
        dmap = {d.id: k for k, d in enumerate(problem.depots)}
        veh_type: list[int] = []
        for k, vt in enumerate(problem.vehicle_types):
            veh_type += [k] * vt.count
        V = len(veh_type)
        starts = [dmap[problem.vehicle_types[k].start_depot] for k in veh_type]
        ends = [dmap[problem.vehicle_types[k].end_depot] for k in veh_type]
        manager = pywrapcp.RoutingIndexManager(n_nodes, V, starts, ends)
        routing = pywrapcp.RoutingModel(manager)
        solver = routing.solver()

        # arc costs per vehicle type
        cost_cb: dict[int, int] = {}
        for k in sorted(set(veh_type)):
            u = sc.unit_distance_cost[k]
            cost_cb[k] = routing.RegisterTransitMatrix((dist * u).tolist())
        for v, k in enumerate(veh_type):
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[k], v)
            routing.SetFixedCostOfVehicle(int(sc.fixed_cost[k]), v)

        # time
        time_cb = routing.RegisterTransitMatrix((dur + service[:, None]).tolist())
        H = sc.horizon
        routing.AddDimension(time_cb, H, H, False, "time")
        tdim = routing.GetDimensionOrDie("time")
        for i in keep:
            idx = manager.NodeToIndex(node_of_stop[i])
            ws = sc.windows[i]
            cv = tdim.CumulVar(idx)
            if ws:
                cv.SetRange(ws[0][0], ws[-1][1])
                for (_, b0), (a1, _) in itertools.pairwise(ws):
                    if a1 - 1 >= b0 + 1:
                        cv.RemoveInterval(b0 + 1, a1 - 1)
        for v, k in enumerate(veh_type):
            s0, s1 = sc.shift[k]
            tdim.CumulVar(routing.Start(v)).SetRange(s0, s1)
            tdim.CumulVar(routing.End(v)).SetRange(s0, s1)
            if sc.max_duration[k] < H:
                tdim.SetSpanUpperBoundForVehicle(int(sc.max_duration[k]), v)
            if sc.unit_time_cost[k]:
                tdim.SetSpanCostCoefficientForVehicle(int(sc.unit_time_cost[k]), v)

        # distance limit
        if any(md < 2**43 for md in sc.max_distance):
            dcb = routing.RegisterTransitMatrix(dist.tolist())
            routing.AddDimensionWithVehicleCapacity(
                dcb, 0, [int(min(sc.max_distance[k], 2**62)) for k in veh_type], True, "distance"
            )

        # loads
        paired_delivery = {b for _, b in problem.pairs}
        complex_load = bool(problem.pairs) or any(problem.stops[i].kind == "pickup" for i in keep)
        for d, _dname in enumerate(problem.dimensions):
            caps = [int(sc.capacity[k][d]) for k in veh_type]
            if not complex_load:
                vec = [0] * n_nodes
                for i in keep:
                    vec[node_of_stop[i]] = int(sc.demand[i][d])
                cb = routing.RegisterUnaryTransitVector(vec)
                routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"load{d}")
                continue
            delta = [0] * n_nodes
            deliv = [0] * n_nodes
            for i in keep:
                s = problem.stops[i]
                q = int(sc.demand[i][d])
                delta[node_of_stop[i]] = q if s.kind == "pickup" else -q
                if s.kind == "delivery" and s.id not in paired_delivery:
                    deliv[node_of_stop[i]] = q
            cb = routing.RegisterUnaryTransitVector(delta)
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, False, f"load{d}")
            cb2 = routing.RegisterUnaryTransitVector(deliv)
            routing.AddDimensionWithVehicleCapacity(cb2, 0, caps, True, f"delivered{d}")
            ld = routing.GetDimensionOrDie(f"load{d}")
            dd = routing.GetDimensionOrDie(f"delivered{d}")
            for v in range(V):
                solver.Add(ld.CumulVar(routing.Start(v)) == dd.CumulVar(routing.End(v)))

        # skills
        for i in keep:
            req = problem.stops[i].skills
            if req:
                allowed = [v for v, k in enumerate(veh_type) if req <= problem.vehicle_types[k].skills]
                routing.VehicleVar(manager.NodeToIndex(node_of_stop[i])).SetValues([-1, *allowed])

        # pairs
        for a, b in problem.pairs:
            ia, ib = pos[a], pos[b]
            if ia in unserved:
                continue
            pi = manager.NodeToIndex(node_of_stop[ia])
            di = manager.NodeToIndex(node_of_stop[ib])
            routing.AddPickupAndDelivery(pi, di)
            solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
            solver.Add(tdim.CumulVar(pi) <= tdim.CumulVar(di))

        # dropping: every stop is optional, required ones at a prohibitive price
        max_arc = int(dist.max()) * max([*sc.unit_distance_cost, 1]) + int(dur.max()) * max(
            [*sc.unit_time_cost, 1]
        )
        big = int(min(2**44, 10 * (max([*sc.fixed_cost, 0]) + 2 * max_arc * 2 + 1) * 2))
        big = max(big, max((p for p in sc.penalty if p is not None), default=0) * 4, 1)
        pair_deliveries = {pos[b] for _, b in problem.pairs}
        pair_of = {pos[a]: pos[b] for a, b in problem.pairs}
        for i in keep:
            if i in pair_deliveries:
                continue
            idxs = [manager.NodeToIndex(node_of_stop[i])]
            pen = sc.penalty[i]
            if i in pair_of:
                j = pair_of[i]
                idxs2 = [manager.NodeToIndex(node_of_stop[j])]
                p1 = big if pen is None else int(pen)
                pen_j = sc.penalty[j]
                p2 = big if pen_j is None else int(pen_j)
                routing.AddDisjunction(idxs, p1)
                routing.AddDisjunction(idxs2, p2)
                solver.Add(routing.ActiveVar(idxs[0]) == routing.ActiveVar(idxs2[0]))
                continue
            routing.AddDisjunction(idxs, big if pen is None else int(pen))

        # breaks
        break_vars: dict[int, list[Any]] = {}
        if any(problem.vehicle_types[k].breaks for k in veh_type):
            transits = [0] * routing.Size()
            for index in range(routing.Size()):
                node = manager.IndexToNode(index)
                transits[index] = int(service[node])
            for v, k in enumerate(veh_type):
                vt = problem.vehicle_types[k]
                if not vt.breaks:
                    continue
                ivs = []
                for bn, brk in enumerate(vt.breaks):
                    smin = math.ceil(round(brk.earliest * sc.st, 6))
                    smax = math.floor(round(brk.latest * sc.st, 6))
                    bdur = math.ceil(round(brk.duration * sc.st, 6))
                    ivs.append(solver.FixedDurationIntervalVar(smin, smax, bdur, False, f"break-{v}-{bn}"))
                tdim.SetBreakIntervalsOfVehicle(ivs, v, transits)
                break_vars[v] = ivs

        # tight times (break starts first: they must be fixed before the route's times)
        for ivs in break_vars.values():
            for iv in ivs:
                routing.AddVariableMinimizedByFinalizer(iv.SafeStartExpr(0).Var())
        for v in range(V):
            routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.End(v)))
        for v in range(V):
            routing.AddVariableMaximizedByFinalizer(tdim.CumulVar(routing.Start(v)))
        for i in keep:
            routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(manager.NodeToIndex(node_of_stop[i])))

        params = pywrapcp.DefaultRoutingSearchParameters()
        fs = routing_enums_pb2.FirstSolutionStrategy
        params.first_solution_strategy = getattr(fs, _STRATEGIES[self.first_solution])
        lsm = routing_enums_pb2.LocalSearchMetaheuristic
        params.local_search_metaheuristic = getattr(lsm, self.metaheuristic.upper())
        params.log_search = False
        params.time_limit.FromMilliseconds(int(time_limit * 1000))
        initial = None
        warm = self.warm_start == "pyvrp" or (self.warm_start == "auto" and PyVRPEngine().supports(problem))
        if warm:
            initial = self._warm_start(
                problem,
                time_limit * self.warm_fraction,
                seed,
                manager,
                routing,
                params,
                veh_type,
                node_of_stop,
                pos,
            )
        remaining = max(time_limit - (time.perf_counter() - t_start), 0.05)
        params.time_limit.FromMilliseconds(int(remaining * 1000))
        if initial is not None:
            solution = routing.SolveFromAssignmentWithParameters(initial, params)
        else:
            solution = routing.SolveWithParameters(params)
        status_names = routing_enums_pb2.RoutingSearchStatus.Value
        solver_status = status_names.Name(routing.status())
        if solution is None:
            params.first_solution_strategy = fs.ALL_UNPERFORMED
            remaining = max(time_limit - (time.perf_counter() - t_start), 0.5)
            params.time_limit.FromMilliseconds(int(remaining * 1000))
            solution = routing.SolveWithParameters(params)
            solver_status += " -> " + status_names.Name(routing.status())
        if solution is None:
            for i in keep:
                unserved[i] = "the solver found no solution in the time limit"
            plan = build_plan(
                problem,
                [],
                unserved,
                engine=self.name,
                status="partial",
                runtime=time.perf_counter() - t_start,
            )
            return _with_status(plan, solver_status)

        routes = []
        schedules: list[Any] = []
        counters = [0] * len(problem.vehicle_types)
        stop_of_node = {node: i for i, node in node_of_stop.items()}
        brk_values: dict[int, list[tuple[float, float]]] = {}
        if break_vars:
            container = solution.IntervalVarContainer()
            by_name = {}
            for j in range(container.Size()):
                el = container.Element(j)
                by_name[el.Var().Name()] = (el.StartValue(), el.StartValue() + el.DurationValue())
            for v, ivs in break_vars.items():
                brk_values[v] = [
                    (by_name[iv.Name()][0] / sc.st, by_name[iv.Name()][0] / sc.st + brk.duration)
                    for iv, brk in zip(ivs, problem.vehicle_types[veh_type[v]].breaks, strict=True)
                ]
        T = problem.duration_matrix
        for v, k in enumerate(veh_type):
            index = solution.Value(routing.NextVar(routing.Start(v)))
            sidx, times = [], []
            while not routing.IsEnd(index):
                sidx.append(stop_of_node[manager.IndexToNode(index)])
                times.append(solution.Value(tdim.CumulVar(index)) / sc.st)
                index = solution.Value(routing.NextVar(index))
            if not sidx:
                continue
            routes.append((k, counters[k], sidx))
            counters[k] += 1
            needs_cumuls = v in brk_values or any(len(problem.stops[i].windows) > 1 for i in sidx)
            if not needs_cumuls:
                schedules.append(None)
                continue
            t_begin = solution.Value(tdim.CumulVar(routing.Start(v))) / sc.st
            t_end = solution.Value(tdim.CumulVar(routing.End(v))) / sc.st
            brks = brk_values.get(v, [])
            vt = problem.vehicle_types[k]
            prev, dep = dmap[vt.start_depot], t_begin
            visits = []
            for i, st in zip(sidx, times, strict=True):
                row = n_dep + i
                rest = sum(b1 - b0 for b0, b1 in brks if b0 >= dep - 1e-9 and b1 <= st + 1e-9)
                arr = min(dep + float(T[prev, row]) + rest, st)
                visits.append((arr, st, st + problem.stops[i].service_time))
                prev, dep = row, st + problem.stops[i].service_time
            schedules.append((t_begin, visits, t_end, brks))
        visited = {i for _, _, s in routes for i in s}
        missing_required = False
        for i in keep:
            if i not in visited:
                if sc.penalty[i] is None:
                    missing_required = True
                    unserved[i] = "not inserted by the solver within the time limit"
                else:
                    unserved[i] = "left unserved: serving it costs more than its penalty"
        status = (
            "partial"
            if missing_required
            else ("optimal" if solver_status == "ROUTING_OPTIMAL" else "feasible")
        )
        plan = build_plan(
            problem,
            routes,
            unserved,
            engine=self.name,
            status=status,
            runtime=time.perf_counter() - t_start,
            schedules=schedules,
        )
        return _with_status(plan, solver_status)


def _with_status(plan: RoutePlan, solver_status: str) -> RoutePlan:
    import attrs

    return attrs.evolve(plan, solver_status=solver_status)
