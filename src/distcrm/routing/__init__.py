"""Delivery routing: validated problems, PyVRP and OR-Tools engines, self-checking plans.

The shape follows PyVRP: an immutable :class:`RoutingProblem` (built directly, with
:class:`RoutingProblemBuilder`, from a file, or from today's orders), a free
:func:`solve` that picks an engine by the problem's features, and a :class:`RoutePlan`
that checks itself with an independent validator. ``pyvrp`` and ``ortools`` are imported
only when a problem is solved.

Examples
--------
>>> from distcrm.routing import load_solomon, solve
>>> plan = solve(load_solomon("C101"), time_limit=1.0, seed=1)
>>> plan.is_feasible(), plan.num_vehicles
(True, 10)
"""

from distcrm.routing._compile import precheck
from distcrm.routing._distance import (
    CachedProvider,
    DistanceProvider,
    EuclideanProvider,
    HaversineProvider,
    MatrixProvider,
    OSRMProvider,
    RoutingServiceError,
    SpeedProfile,
)
from distcrm.routing._domain import VIP_PRIORITY, problem_from_domain
from distcrm.routing._fleet import FleetSizing, WhatIf, minimum_fleet, what_if
from distcrm.routing._ortools import OrToolsEngine
from distcrm.routing._plan import Route, RoutePlan, StopVisit, Unserved
from distcrm.routing._problem import (
    Break,
    Depot,
    RoutingProblem,
    RoutingProblemBuilder,
    Stop,
    TimeWindow,
    VehicleType,
)
from distcrm.routing._pyvrp import PyVRPEngine
from distcrm.routing._readers import (
    BKS,
    CVRPLibSolution,
    available_instances,
    load_bks,
    load_cvrplib,
    load_cvrplib_solution,
    load_solomon,
    read_cvrplib,
    read_cvrplib_solution,
    read_solomon,
)
from distcrm.routing._solve import RoutingEngine, choose_engine, solve
from distcrm.routing._validate import Violation, validate_plan

__all__ = [
    "BKS",
    "VIP_PRIORITY",
    "Break",
    "CVRPLibSolution",
    "CachedProvider",
    "Depot",
    "DistanceProvider",
    "EuclideanProvider",
    "FleetSizing",
    "HaversineProvider",
    "MatrixProvider",
    "OSRMProvider",
    "OrToolsEngine",
    "PyVRPEngine",
    "Route",
    "RoutePlan",
    "RoutingEngine",
    "RoutingProblem",
    "RoutingProblemBuilder",
    "RoutingServiceError",
    "SpeedProfile",
    "Stop",
    "StopVisit",
    "TimeWindow",
    "Unserved",
    "VehicleType",
    "Violation",
    "WhatIf",
    "available_instances",
    "choose_engine",
    "load_bks",
    "load_cvrplib",
    "load_cvrplib_solution",
    "load_solomon",
    "minimum_fleet",
    "precheck",
    "problem_from_domain",
    "read_cvrplib",
    "read_cvrplib_solution",
    "read_solomon",
    "solve",
    "validate_plan",
    "what_if",
]
