"""Routing quality: gap to the best-known solutions on Solomon and Gehring–Homberger VRPTW.

Three solvers run in the same process, one after the other, each on one core:

- ``default``: ``distcrm.routing.solve(problem, engine="auto")`` (PyVRP for VRPTW);
- ``pyvrp``: PyVRP 0.14 alone, on a ProblemData built directly from the file;
- ``ortools``: OR-Tools with its defaults as people use them (PATH_CHEAPEST_ARC + guided
  local search, the standard VRPTW model, no dropping);
- ``our-ortools``: ``OrToolsEngine()`` as shipped (warm start from a PyVRP run of half the
  time, then OR-Tools guided local search; dropping with penalties);
- ``pure-ortools`` (on request): ``OrToolsEngine(warm_start=None)``, OR-Tools alone with
  PARALLEL_CHEAPEST_INSERTION + GLS.

Gaps: DIMACS convention (distance only; every arc and time truncated to one decimal) and
the hierarchical convention (fewest vehicles, then exact distance; our plans are
re-measured in exact Euclidean distance and shown with their vehicle count).

Configuration (environment or command line)::

    DISTCRM_BENCH_ROUTING_TIME=10          seconds per Solomon instance
    DISTCRM_BENCH_ROUTING_GH_TIME=20       seconds per GH 200 instance
    DISTCRM_BENCH_ROUTING_INSTANCES=subset subset | all | C101,R101,...
    DISTCRM_BENCH_ROUTING_GH=default       default | all | none  (engines on GH 200)
    DISTCRM_BENCH_ROUTING_ENGINES=default,pyvrp,ortools,our-ortools[,pure-ortools]
    DISTCRM_BENCH_ROUTING_OBJECTIVE=dimacs dimacs | hierarchical (fewest vehicles first)

    .venv/bin/python -m benchmarks routing
    .venv/bin/python benchmarks/bench_routing.py --all --time 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from benchmarks._util import machine
from distcrm.routing import OrToolsEngine, RoutingProblem, available_instances, load_bks, load_solomon, solve

SUBSET = ["C103", "C201", "R101", "R104", "R205", "RC101", "RC201"]
ENGINES = ["default", "pyvrp", "ortools", "our-ortools"]


def _trunc_matrix(problem: RoutingProblem) -> np.ndarray:
    pts = problem.points
    d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
    return np.floor(d * 10 + 1e-9).astype(np.int64)  # tenths, truncated


def _exact_matrix(problem: RoutingProblem) -> np.ndarray:
    pts = problem.points
    return np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))


def _route_distance(mat: np.ndarray, routes: list[list[int]]) -> float:
    """Routes as location rows (depot 0 excluded)."""
    total = 0.0
    for r in routes:
        seq = [0, *r, 0]
        total += float(mat[seq[:-1], seq[1:]].sum())
    return total


def run_default(problem: RoutingProblem, t: float) -> tuple[list[list[int]] | None, bool]:
    plan = solve(problem, "auto", time_limit=t, seed=1)
    idx = {lid: i for i, lid in enumerate(problem.location_ids)}
    routes = [[idx[s] for s in r.stop_ids] for r in plan.routes]
    return routes, plan.is_feasible() and not plan.unserved


def run_our_ortools(problem: RoutingProblem, t: float) -> tuple[list[list[int]] | None, bool]:
    plan = OrToolsEngine().solve(problem, time_limit=t, seed=1)
    idx = {lid: i for i, lid in enumerate(problem.location_ids)}
    routes = [[idx[s] for s in r.stop_ids] for r in plan.routes]
    return routes, plan.is_feasible() and not plan.unserved


def run_pure_ortools(problem: RoutingProblem, t: float) -> tuple[list[list[int]] | None, bool]:
    plan = OrToolsEngine(warm_start=None).solve(problem, time_limit=t, seed=1)
    idx = {lid: i for i, lid in enumerate(problem.location_ids)}
    routes = [[idx[s] for s in r.stop_ids] for r in plan.routes]
    return routes, plan.is_feasible() and not plan.unserved


def _arrays(problem: RoutingProblem) -> tuple[np.ndarray, ...]:
    tw = np.array(
        [[problem.depots[0].window.start, problem.depots[0].window.end]]
        + [[s.windows[0].start, s.windows[0].end] for s in problem.stops]
    )
    service = np.array([0.0] + [s.service_time for s in problem.stops])
    demand = np.array([0.0] + [s.demand[0] for s in problem.stops])
    return tw, service, demand


def _int_data(problem: RoutingProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Integer matrix, windows, service, demand and fixed vehicle cost for the anchors.

    DIMACS: arcs truncated to tenths (x10). Hierarchical: PyVRP's own ``exact`` rounding
    (x1000, nearest integer) and a fixed vehicle cost above any plan's distance.
    """
    tw, service, demand = _arrays(problem)
    if MODE["objective"] == "dimacs":
        return (
            _trunc_matrix(problem),
            np.round(tw * 10).astype(np.int64),
            np.round(service * 10).astype(np.int64),
            demand,
            0,
        )
    mat = np.round(_exact_matrix(problem) * 1000).astype(np.int64)
    return mat, np.round(tw * 1000).astype(np.int64), np.round(service * 1000).astype(np.int64), demand, 10**9


def run_pyvrp(problem: RoutingProblem, t: float) -> tuple[list[list[int]] | None, bool]:
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType
    from pyvrp import solve as psolve
    from pyvrp.stop import MaxRuntime

    mat, tw10, svc, demand, fixed = _int_data(problem)
    locs = [Location(x=float(x), y=float(y)) for x, y in problem.points]
    clients = [
        Client(
            location=i,
            delivery=[int(demand[i])],
            service_duration=int(svc[i]),
            tw_early=int(tw10[i, 0]),
            tw_late=int(tw10[i, 1]),
        )
        for i in range(1, len(locs))
    ]
    vt = problem.vehicle_types[0]
    data = ProblemData(
        locs,
        clients,
        [Depot(location=0, tw_early=int(tw10[0, 0]), tw_late=int(tw10[0, 1]))],
        [
            VehicleType(
                vt.count,
                capacity=[int(vt.capacity[0])],
                tw_early=int(tw10[0, 0]),
                tw_late=int(tw10[0, 1]),
                fixed_cost=fixed,
            )
        ],
        [mat],
        [mat],
    )
    res = psolve(data, MaxRuntime(t), seed=1, display=False, collect_stats=False)
    routes = [[a.idx + 1 for a in r.schedule() if a.is_client()] for r in res.best.routes()]
    return routes, bool(res.best.is_feasible())


def run_ortools_default(problem: RoutingProblem, t: float) -> tuple[list[list[int]] | None, bool]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    mat, tw10, svc10, demand, fixed = _int_data(problem)
    n = len(mat)
    vt = problem.vehicle_types[0]
    manager = pywrapcp.RoutingIndexManager(n, vt.count, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost = routing.RegisterTransitMatrix(mat.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    if fixed:
        routing.SetFixedCostOfAllVehicles(fixed)
    tcb = routing.RegisterTransitMatrix((mat + svc10[:, None]).tolist())
    horizon = int(tw10[0, 1])
    routing.AddDimension(tcb, horizon, horizon, False, "time")
    td = routing.GetDimensionOrDie("time")
    for i in range(1, n):
        td.CumulVar(manager.NodeToIndex(i)).SetRange(int(tw10[i, 0]), int(tw10[i, 1]))
    dcb = routing.RegisterUnaryTransitVector([int(x) for x in demand])
    routing.AddDimensionWithVehicleCapacity(dcb, 0, [int(vt.capacity[0])] * vt.count, True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(t * 1000))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        return None, False
    routes = []
    for v in range(vt.count):
        i = sol.Value(routing.NextVar(routing.Start(v)))
        r = []
        while not routing.IsEnd(i):
            r.append(manager.IndexToNode(i))
            i = sol.Value(routing.NextVar(i))
        if r:
            routes.append(r)
    return routes, True


MODE = {"objective": "dimacs"}

RUNNERS: dict[str, Callable[[RoutingProblem, float], tuple[list[list[int]] | None, bool]]] = {
    "default": run_default,
    "pyvrp": run_pyvrp,
    "ortools": run_ortools_default,
    "our-ortools": run_our_ortools,
    "pure-ortools": run_pure_ortools,
}


def bench(names: list[str], engines: list[str], t: float) -> dict[str, list[dict[str, object]]]:
    bks = load_bks()
    out: dict[str, list[dict[str, object]]] = {e: [] for e in engines}
    print(
        f"  {'instance':<9} {'engine':<12} {'veh':>4} {'dimacs':>9} {'bks':>8} {'gap%':>6} "
        f"{'veh(h)':>7} {'exact':>9} {'bks(h)':>8} {'gap%(h)':>8}  feasible  time"
    )
    for name in names:
        if MODE["objective"] == "dimacs":
            problem = load_solomon(name, convention="dimacs")
        else:  # fewest vehicles first: a fixed cost above any plan's distance
            base = load_solomon(name, convention="exact")
            vt = attrs.evolve(base.vehicle_types[0], fixed_cost=1e6)
            problem = base.replace(vehicle_types=[vt])
        tr = _trunc_matrix(problem) / 10.0
        ex = _exact_matrix(problem)
        bd = bks.get((name, "dimacs"))
        bh = bks.get((name, "hierarchical"))
        for e in engines:
            t0 = time.perf_counter()
            routes, feasible = RUNNERS[e](problem, t)
            el = time.perf_counter() - t0
            served = sorted(i for r in routes for i in r) if routes else []
            ok = bool(routes is not None and feasible and served == list(range(1, len(problem.stops) + 1)))
            rec: dict[str, object] = {"instance": name, "feasible": ok}
            if routes is None:
                print(f"  {name:<9} {e:<12}  no solution ({el:.1f} s)")
                out[e].append(rec)
                continue
            d = _route_distance(tr, routes)
            dx = _route_distance(ex, routes)
            gap = 100 * (d - bd.distance) / bd.distance if bd else float("nan")
            gaph = 100 * (dx - bh.distance) / bh.distance if bh else float("nan")
            rec.update(vehicles=len(routes), dimacs=d, gap=gap, exact=dx, gap_h=gaph)
            out[e].append(rec)
            print(
                f"  {name:<9} {e:<12} {len(routes):>4} {d:>9.1f} {bd.distance if bd else float('nan'):>8.1f} "
                f"{gap:>6.2f} {bh.vehicles if bh else '-':>7} {dx:>9.2f} {bh.distance if bh else float('nan'):>8.2f} "
                f"{gaph:>8.2f}  {'yes' if ok else 'NO':>8} {el:5.1f}",
                flush=True,
            )
    return out


def report(title: str, res: dict[str, list[dict[str, object]]], anchor: str = "pyvrp") -> None:
    key = "gap" if MODE["objective"] == "dimacs" else "gap_h"
    conv = "DIMACS" if key == "gap" else "hierarchical"
    print(f"  -- {title}: medians ({conv} gap)")
    med_anchor = None
    if anchor in res:
        gaps = [float(r[key]) for r in res[anchor] if key in r and r[key] == r[key]]  # type: ignore[arg-type]
        med_anchor = statistics.median(gaps) if gaps else None
    for e, rows in res.items():
        gaps = [float(r[key]) for r in rows if key in r and r[key] == r[key]]  # type: ignore[arg-type]
        feas = sum(bool(r["feasible"]) for r in rows)
        if not gaps:
            print(f"  {e:<12} no solutions")
            continue
        med = statistics.median(gaps)
        veh = statistics.median([float(r["vehicles"]) for r in rows if "vehicles" in r])  # type: ignore[arg-type]
        ratio = f" | {anchor} {med_anchor:.2f} %" if med_anchor is not None and e != anchor else ""
        print(
            f"  {e:<12} median {conv} gap {med:6.2f} %{ratio}; median vehicles {veh:.0f}; "
            f"feasible {feas}/{len(rows)}; failures {len(rows) - feas}; gap over {len(gaps)} with a BKS"
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="all 28 bundled Solomon instances")
    ap.add_argument("--instances", default=os.environ.get("DISTCRM_BENCH_ROUTING_INSTANCES", "subset"))
    ap.add_argument("--time", type=float, default=float(os.environ.get("DISTCRM_BENCH_ROUTING_TIME", "10")))
    ap.add_argument(
        "--gh-time", type=float, default=float(os.environ.get("DISTCRM_BENCH_ROUTING_GH_TIME", "20"))
    )
    ap.add_argument("--gh", default=os.environ.get("DISTCRM_BENCH_ROUTING_GH", "default"))
    ap.add_argument(
        "--objective",
        choices=["dimacs", "hierarchical"],
        default=os.environ.get("DISTCRM_BENCH_ROUTING_OBJECTIVE", "dimacs"),
        help="dimacs: distance only, truncated arcs; hierarchical: fewest vehicles, then exact distance",
    )
    ap.add_argument("--engines", default=os.environ.get("DISTCRM_BENCH_ROUTING_ENGINES", ",".join(ENGINES)))
    args = ap.parse_args(argv if argv is not None else [])
    inst = available_instances()
    if args.all or args.instances == "all":
        names = inst["solomon"]
    elif args.instances == "subset":
        names = SUBSET
    else:
        names = [n.strip() for n in args.instances.split(",") if n.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    MODE["objective"] = args.objective
    print(
        f"  machine: {machine()} (shared with other jobs: a {args.time:g} s budget buys less CPU than usual)"
    )
    print(
        f"  Solomon 100: {len(names)} instances x {engines} at {args.time:g} s each, one core, "
        f"objective {args.objective}"
    )
    res = bench(names, engines, args.time)
    report("Solomon 100", res)
    if args.gh != "none":
        gh_engines = engines if args.gh == "all" else ["default"]
        print(f"  Gehring-Homberger 200: {inst['gh200']} x {gh_engines} at {args.gh_time:g} s each")
        res_gh = bench(inst["gh200"], gh_engines, args.gh_time)
        report("GH 200", res_gh)
    print(
        "  targets: default median DIMACS gap <= 1 % with 100 % feasible; our OR-Tools <= 3 %, no failures; "
        "GH 200 default median <= 2 %"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
