"""The :class:`RoutingEngine` protocol and :func:`solve`, which picks an engine by features."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from distcrm.errors import ValidationError
from distcrm.routing._ortools import OrToolsEngine
from distcrm.routing._plan import RoutePlan
from distcrm.routing._problem import RoutingProblem
from distcrm.routing._pyvrp import UNSUPPORTED as PYVRP_UNSUPPORTED
from distcrm.routing._pyvrp import PyVRPEngine

__all__ = ["RoutingEngine", "choose_engine", "solve"]


@runtime_checkable
class RoutingEngine(Protocol):
    """Solves a :class:`RoutingProblem` into a :class:`RoutePlan`.

    Contract (checked by :mod:`distcrm.testing.routing`): ``solve`` returns within about
    ``time_limit`` seconds; the same ``seed`` gives the same plan; every stop appears once,
    either on a route or among the unserved stops with a reason; required stops that
    cannot be served by any vehicle raise :class:`~distcrm.errors.InfeasibleProblemError`
    before solving; ``plan.status`` says how the search ended; the plan passes the
    independent validator whenever ``status`` is ``"feasible"`` or ``"optimal"``.
    ``supports(problem)`` says whether the engine models every feature the problem uses.
    """

    name: str

    def supports(self, problem: RoutingProblem) -> bool:
        """Whether every feature of ``problem`` is modelled."""
        ...

    def solve(self, problem: RoutingProblem, *, time_limit: float = ..., seed: int = ...) -> RoutePlan:
        """A plan for ``problem``."""
        ...


def choose_engine(problem: RoutingProblem) -> RoutingEngine:
    """The engine ``solve(engine="auto")`` uses: PyVRP unless the problem needs
    several windows per stop, pickup-and-delivery pairs or driver breaks (OR-Tools).

    Examples
    --------
    >>> from distcrm.routing import load_solomon
    >>> choose_engine(load_solomon("C101")).name
    'pyvrp'
    """
    if problem.features & PYVRP_UNSUPPORTED:
        return OrToolsEngine()
    return PyVRPEngine()


def solve(
    problem: RoutingProblem,
    engine: str | RoutingEngine = "auto",
    *,
    time_limit: float = 10.0,
    seed: int = 0,
) -> RoutePlan:
    """Solve ``problem`` with ``engine`` (``"auto"``, ``"pyvrp"``, ``"ortools"`` or an engine object).

    ``"auto"`` is deterministic: PyVRP for everything it supports, OR-Tools otherwise. If
    PyVRP ends without a feasible plan, OR-Tools is tried with the remaining time and the
    better of the two (feasible first) is returned.

    Examples
    --------
    >>> from distcrm.routing import load_solomon
    >>> plan = solve(load_solomon("C101"), time_limit=0.5, seed=3)
    >>> plan.engine, plan.is_feasible()
    ('pyvrp', True)
    """
    import time

    if not (time_limit > 0):
        raise ValidationError.single("time_limit", time_limit, "must be > 0")
    if isinstance(engine, str):
        if engine == "auto":
            chosen: RoutingEngine = choose_engine(problem)
        elif engine == "pyvrp":
            chosen = PyVRPEngine()
        elif engine == "ortools":
            chosen = OrToolsEngine()
        else:
            raise ValidationError.single("engine", engine, "must be 'auto', 'pyvrp', 'ortools' or an engine")
    else:
        chosen = engine
    t0 = time.perf_counter()
    plan = chosen.solve(problem, time_limit=time_limit, seed=seed)
    if engine == "auto" and plan.status == "infeasible":
        rest = max(time_limit - (time.perf_counter() - t0), 0.5)
        alt = OrToolsEngine(warm_start=None).solve(problem, time_limit=rest, seed=seed)
        if alt.is_feasible() or not plan.is_feasible():
            return alt
    return plan
