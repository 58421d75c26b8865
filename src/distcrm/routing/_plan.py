"""The result of solving: a :class:`RoutePlan` that can check, summarise and draw itself."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from distcrm._optional import import_optional
from distcrm.routing._validate import Violation, validate_plan

if TYPE_CHECKING:
    from distcrm.routing._problem import RoutingProblem

__all__ = ["Route", "RoutePlan", "StopVisit", "Unserved"]


def _strs(v: Iterable[str]) -> tuple[str, ...]:
    return tuple(v)


def _visits(v: Iterable[StopVisit]) -> tuple[StopVisit, ...]:
    return tuple(v)


def _intervals(v: Iterable[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    return tuple((float(a), float(b)) for a, b in v)


def _routes(v: Iterable[Route]) -> tuple[Route, ...]:
    return tuple(v)


def _unserved(v: Iterable[Unserved]) -> tuple[Unserved, ...]:
    return tuple(v)


@attrs.frozen
class StopVisit:
    """One visit: arrival, service start, departure, and the load on board after service."""

    stop_id: str
    arrival: float
    start: float
    departure: float
    load: tuple[float, ...] | None = None

    @property
    def wait(self) -> float:
        """Time waiting for the window to open."""
        return self.start - self.arrival


@attrs.frozen
class Route:
    """One vehicle's route: its stops in visiting order and their schedule."""

    vehicle_type: str
    vehicle: int
    stop_ids: tuple[str, ...] = attrs.field(converter=_strs)
    visits: tuple[StopVisit, ...] = attrs.field(converter=_visits)
    start_time: float
    end_time: float
    distance: float
    cost: float
    start_load: tuple[float, ...] = ()
    breaks: tuple[tuple[float, float], ...] = attrs.field(default=(), converter=_intervals)

    @property
    def duration(self) -> float:
        """``end_time - start_time``."""
        return self.end_time - self.start_time

    @property
    def waiting(self) -> float:
        """Total waiting time at stops."""
        return sum(vi.wait for vi in self.visits)


@attrs.frozen
class Unserved:
    """A stop left unserved, and why."""

    stop_id: str
    reason: str
    penalty: float | None = None


@attrs.frozen(eq=False)
class RoutePlan:
    """A solution: routes, unserved stops, totals, and the engine's status.

    ``status`` is ``"optimal"``, ``"feasible"`` (a solution within the time limit),
    ``"partial"`` (some required stops could not be inserted in time) or
    ``"infeasible"``; ``solver_status`` is the engine's own word for it. :meth:`is_feasible`
    and :meth:`violations` come from the independent validator.
    """

    problem: RoutingProblem = attrs.field(repr=False)
    routes: tuple[Route, ...] = attrs.field(converter=_routes)
    unserved: tuple[Unserved, ...] = attrs.field(converter=_unserved)
    engine: str
    status: str
    runtime: float = 0.0
    solver_status: str = ""

    # -- totals -------------------------------------------------------------------
    @property
    def distance(self) -> float:
        """Total distance."""
        return sum(r.distance for r in self.routes)

    @property
    def duration(self) -> float:
        """Total route duration."""
        return sum(r.duration for r in self.routes)

    @property
    def cost(self) -> float:
        """Total route cost (fixed + distance + time costs), without penalties."""
        return sum(r.cost for r in self.routes)

    @property
    def penalty(self) -> float:
        """Sum of the penalties of unserved stops."""
        return sum(u.penalty or 0.0 for u in self.unserved)

    @property
    def num_vehicles(self) -> int:
        """Vehicles used (non-empty routes)."""
        return len(self.routes)

    @property
    def served(self) -> list[str]:
        """Ids of served stops."""
        return [sid for r in self.routes for sid in r.stop_ids]

    # -- checking -----------------------------------------------------------------
    def violations(self) -> list[Violation]:
        """Every rule the plan breaks, from the independent validator."""
        return validate_plan(self.problem, self)

    def is_feasible(self) -> bool:
        """Whether the independent validator finds no violation."""
        return not self.violations()

    # -- customers ----------------------------------------------------------------
    def promised_windows(self, margin: float) -> dict[str, tuple[float, float]]:
        """Per served stop, the window to promise the customer: ETA (service start) ± ``margin``.

        The promise is clipped to the stop's own time window, so it never promises a time the
        customer did not offer.
        """
        if not (margin >= 0 and math.isfinite(margin)):
            from distcrm.errors import ValidationError

            raise ValidationError.single("margin", margin, "must be a finite number >= 0")
        stops = {s.id: s for s in self.problem.stops}
        out = {}
        for r in self.routes:
            for vi in r.visits:
                lo, hi = vi.start - margin, vi.start + margin
                for w in stops[vi.stop_id].windows:
                    if w.contains(vi.start):
                        lo, hi = max(lo, w.start), min(hi, w.end)
                out[vi.stop_id] = (lo, hi)
        return out

    # -- views --------------------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        """One record per visit (route, vehicle, stop, times, load)."""
        out = []
        for k, r in enumerate(self.routes):
            for pos, vi in enumerate(r.visits):
                out.append(
                    {
                        "route": k,
                        "vehicle_type": r.vehicle_type,
                        "vehicle": r.vehicle,
                        "position": pos,
                        "stop_id": vi.stop_id,
                        "arrival": vi.arrival,
                        "start": vi.start,
                        "departure": vi.departure,
                        "wait": vi.wait,
                        "load": vi.load,
                    }
                )
        return out

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per visit (needs pandas)."""
        pd = import_optional("pandas", feature="RoutePlan.to_frame")
        return pd.DataFrame(
            self.rows(),
            columns=[
                "route",
                "vehicle_type",
                "vehicle",
                "position",
                "stop_id",
                "arrival",
                "start",
                "departure",
                "wait",
                "load",
            ],
        )

    def summary(self) -> str:
        """A short text report."""
        lines = [
            f"RoutePlan by {self.engine} ({self.status}, {self.runtime:.1f} s)",
            (
                f"  vehicles {self.num_vehicles}, distance {self.distance:.2f}, duration {self.duration:.2f}, "
                f"cost {self.cost:.2f}"
            ),
            f"  served {len(self.served)} of {len(self.problem.stops)} stops, unserved {len(self.unserved)}",
        ]
        for k, r in enumerate(self.routes):
            lines.append(
                f"  route {k} [{r.vehicle_type}#{r.vehicle}] {len(r.stop_ids)} stops, "
                f"distance {r.distance:.2f}, {r.start_time:.1f}-{r.end_time:.1f}"
            )
        for u in self.unserved[:20]:
            lines.append(f"  unserved {u.stop_id!r}: {u.reason}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"RoutePlan(engine={self.engine!r}, status={self.status!r}, vehicles={self.num_vehicles}, "
            f"distance={self.distance:.2f}, unserved={len(self.unserved)})"
        )

    def _repr_html_(self) -> str:
        e = html.escape
        head = (
            f"<p><b>RoutePlan</b> by {e(self.engine)} ({e(self.status)}): {self.num_vehicles} vehicles, "
            f"distance {self.distance:.2f}, cost {self.cost:.2f}, unserved {len(self.unserved)}</p>"
        )
        rows = "".join(
            f"<tr><td>{k}</td><td>{e(r.vehicle_type)}</td><td>{len(r.stop_ids)}</td><td>{r.distance:.2f}</td>"
            f"<td>{r.start_time:.1f}</td><td>{r.end_time:.1f}</td><td>{e(' → '.join(r.stop_ids[:12]))}"
            f"{' …' if len(r.stop_ids) > 12 else ''}</td></tr>"
            for k, r in enumerate(self.routes)
        )
        table = (
            "<table><thead><tr><th>route</th><th>vehicle</th><th>stops</th><th>distance</th>"
            f"<th>start</th><th>end</th><th>order</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        return head + table

    def plot(self, ax: Any = None) -> Any:
        """Draw the routes with the depots and stops; returns the matplotlib Axes.

        Geographic problems are drawn with longitude on x and latitude on y.
        """
        plt = import_optional("matplotlib.pyplot", feature="RoutePlan.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 7))
        geo = bool(getattr(self.problem.distance, "geographic", False))
        pts = self.problem.points
        xy = pts[:, ::-1] if geo else pts
        ids = {lid: i for i, lid in enumerate(self.problem.location_ids)}
        nd = len(self.problem.depots)
        ax.scatter(xy[nd:, 0], xy[nd:, 1], s=12, c="0.4", zorder=2, label="stops")
        unserved = [ids[u.stop_id] for u in self.unserved]
        if unserved:
            ax.scatter(
                xy[unserved, 0], xy[unserved, 1], s=40, marker="x", c="red", zorder=3, label="unserved"
            )
        types = {vt.id: vt for vt in self.problem.vehicle_types}
        cmap = plt.get_cmap("tab20")
        for k, r in enumerate(self.routes):
            vt = types[r.vehicle_type]
            seq = [ids[vt.start_depot], *(ids[s] for s in r.stop_ids), ids[vt.end_depot]]
            ax.plot(xy[seq, 0], xy[seq, 1], "-", lw=1.2, color=cmap(k % 20), zorder=1)
        ax.scatter(xy[:nd, 0], xy[:nd, 1], s=120, marker="s", c="black", zorder=4, label="depot")
        ax.set_title(f"{self.num_vehicles} routes, distance {self.distance:.1f}")
        ax.set_xlabel("longitude" if geo else "x")
        ax.set_ylabel("latitude" if geo else "y")
        ax.legend(loc="best", fontsize="small")
        return ax
