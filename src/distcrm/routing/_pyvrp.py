"""The PyVRP engine: the default for everything PyVRP supports.

Supported: several depots, heterogeneous vehicle types (count, multi-dimensional
capacity, shift, fixed/distance/time costs, maximum duration and distance, start and end
depots), one time window per stop, deliveries and pickups, optional stops with penalties
(PyVRP prizes), and skills (one PyVRP routing profile per distinct skill set, in which
stops the vehicle may not serve cannot be reached).
Not supported (use :class:`~distcrm.routing.OrToolsEngine`): several windows per stop,
pickup-and-delivery pairs, driver breaks.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from distcrm.errors import InfeasibleProblemError, ValidationError
from distcrm.routing._compile import build_plan, precheck, scale
from distcrm.routing._plan import RoutePlan
from distcrm.routing._problem import RoutingProblem

__all__ = ["PyVRPEngine"]

UNSUPPORTED = frozenset({"multi_window", "pairs", "breaks"})


class PyVRPEngine:
    """Solve with PyVRP's iterated local search.

    Parameters
    ----------
    display
        Print PyVRP's progress.

    Examples
    --------
    >>> from distcrm.routing import RoutingProblemBuilder, EuclideanProvider
    >>> b = RoutingProblemBuilder()
    >>> d = b.add_depot((0, 0))
    >>> _ = b.add_vehicle_type(count=2, capacity=5)
    >>> for x in range(1, 5):
    ...     _ = b.add_stop((x, x), demand=2)
    >>> plan = PyVRPEngine().solve(b.build(EuclideanProvider()), time_limit=0.2, seed=1)
    >>> plan.is_feasible(), plan.num_vehicles
    (True, 2)
    """

    name = "pyvrp"

    def __init__(self, display: bool = False) -> None:
        self.display = display

    def supports(self, problem: RoutingProblem) -> bool:
        """Whether the problem uses only features PyVRP models."""
        return not (problem.features & UNSUPPORTED)

    def solve(self, problem: RoutingProblem, *, time_limit: float = 10.0, seed: int = 0) -> RoutePlan:
        """A plan for ``problem`` found within ``time_limit`` seconds."""
        from pyvrp import Client, Depot, Location, PenaltyParams, ProblemData, SolveParams, VehicleType
        from pyvrp import solve as pyvrp_solve
        from pyvrp.exceptions import PenaltyBoundWarning
        from pyvrp.stop import MaxRuntime

        unsupported = problem.features & UNSUPPORTED
        if unsupported:
            raise ValidationError.single(
                "engine",
                "pyvrp",
                f"does not support {sorted(unsupported)}; use OrToolsEngine or engine='auto'",
            )
        if not (time_limit > 0):
            raise ValidationError.single("time_limit", time_limit, "must be > 0")
        t_start = time.perf_counter()
        bad = precheck(problem)
        required_bad = {sid: r for sid, r in bad.items() if problem.penalty_of(problem.stop(sid)) is None}
        if required_bad:
            raise InfeasibleProblemError(
                f"{len(required_bad)} stop(s) cannot be served by any vehicle: "
                + "; ".join(f"{k}: {v}" for k, v in list(required_bad.items())[:5]),
                reasons=required_bad,
            )
        sc = scale(problem)
        n_dep = len(problem.depots)
        pos = {s.id: i for i, s in enumerate(problem.stops)}
        keep = [i for i, s in enumerate(problem.stops) if s.id not in bad]
        unserved: dict[int, str] = {pos[sid]: f"cannot be served: {r}" for sid, r in bad.items()}
        if not keep:
            return build_plan(problem, [], unserved, engine=self.name, status="optimal", runtime=0.0)
        rows = np.array(list(range(n_dep)) + [n_dep + i for i in keep])
        pts = problem.points[rows]
        locations = [Location(x=float(x), y=float(y)) for x, y in pts]
        depots = [Depot(location=k, tw_early=0, tw_late=sc.horizon) for k in range(n_dep)]
        nd = len(problem.dimensions)
        clients = []
        for j, i in enumerate(keep):
            s = problem.stops[i]
            dem = [int(x) for x in sc.demand[i]]
            zero = [0] * nd
            w = sc.windows[i]
            kwargs: dict[str, Any] = {}
            if w:
                kwargs = {"tw_early": w[0][0], "tw_late": w[0][1]}
            pen = sc.penalty[i]
            clients.append(
                Client(
                    location=n_dep + j,
                    delivery=dem if s.kind == "delivery" else zero,
                    pickup=dem if s.kind == "pickup" else zero,
                    service_duration=int(sc.service[i]),
                    required=pen is None,
                    prize=0 if pen is None else int(pen),
                    name=s.id,
                    **kwargs,
                )
            )
        dist = sc.dist[np.ix_(rows, rows)]
        dur = sc.dur[np.ix_(rows, rows)]
        # one routing profile per distinct skill set
        skill_sets = sorted({vt.skills for vt in problem.vehicle_types}, key=lambda s: sorted(s))
        need = [problem.stops[i].skills for i in keep]
        if any(need):
            profile_of = {ss: k for k, ss in enumerate(skill_sets)}
            dists, durs = [], []
            big_d = int(min(max(int(dist.max()) * 10, 10**9), 2**43))
            for ss in skill_sets:
                blocked = np.array([n_dep + j for j, req in enumerate(need) if not req <= ss], dtype=np.int64)
                pd_, pu_ = dist.copy(), dur.copy()
                if blocked.size:
                    pd_[blocked, :] = big_d
                    pd_[:, blocked] = big_d
                    pu_[blocked, :] = sc.horizon
                    pu_[:, blocked] = sc.horizon
                    pd_[blocked, blocked] = 0
                    pu_[blocked, blocked] = 0
                dists.append(pd_)
                durs.append(pu_)
        else:
            profile_of = dict.fromkeys(skill_sets, 0)
            dists, durs = [dist], [dur]
        dmap = {d.id: k for k, d in enumerate(problem.depots)}
        vtypes = []
        for k, vt in enumerate(problem.vehicle_types):
            vtypes.append(
                VehicleType(
                    num_available=vt.count,
                    capacity=[int(c) for c in sc.capacity[k]],
                    start_depot=dmap[vt.start_depot],
                    end_depot=dmap[vt.end_depot],
                    fixed_cost=sc.fixed_cost[k],
                    tw_early=sc.shift[k][0],
                    tw_late=sc.shift[k][1],
                    shift_duration=sc.max_duration[k],
                    max_distance=sc.max_distance[k],
                    unit_distance_cost=sc.unit_distance_cost[k],
                    unit_duration_cost=sc.unit_time_cost[k],
                    profile=profile_of[vt.skills],
                    name=vt.id,
                )
            )
        data = ProblemData(locations, clients, depots, vtypes, dists, durs)
        with warnings.catch_warnings():
            # PyVRP warns when a penalty hits its bound while it explores infeasible space;
            # the outcome is what counts, and it is reported in ``plan.status``.
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            # PyVRP bounds its per-unit violation penalties (1e5 by default); scale them with
            # the objective unit so capacity and time stay as binding as in PyVRP's own runs
            unit = max([*sc.unit_distance_cost, 1])
            params = SolveParams(penalty=PenaltyParams(min_penalty=0.1 * unit, max_penalty=1e5 * unit))
            result = pyvrp_solve(
                data,
                params=params,
                stop=MaxRuntime(max(time_limit - (time.perf_counter() - t_start), 0.01)),
                seed=seed,
                collect_stats=False,
                display=self.display,
            )
        best = result.best
        feasible = bool(best.is_feasible())
        counters = [0] * len(problem.vehicle_types)
        routes = []
        for r in best.routes():
            ti = int(r.vehicle_type())
            sidx = [keep[a.idx] for a in r.schedule() if a.is_client()]
            routes.append((ti, counters[ti], sidx))
            counters[ti] += 1
        visited = {i for _, _, s in routes for i in s}
        for i in keep:
            if i not in visited:
                unserved[i] = (
                    "not inserted by the solver within the time limit"
                    if sc.penalty[i] is None
                    else "left unserved: serving it costs more than its penalty"
                )
        status = "feasible" if feasible else "infeasible"
        return build_plan(
            problem, routes, unserved, engine=self.name, status=status, runtime=time.perf_counter() - t_start
        )
