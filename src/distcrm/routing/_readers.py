"""Readers for the Solomon / Gehring–Homberger and CVRPLIB formats, and the bundled instances."""

from __future__ import annotations

import csv
import io
import math
from importlib import resources
from pathlib import Path
from typing import Literal

import attrs
import numpy as np

from distcrm.errors import NotFoundError, ValidationError
from distcrm.routing._distance import EuclideanProvider, MatrixProvider
from distcrm.routing._problem import Depot, RoutingProblem, Stop, TimeWindow, VehicleType

__all__ = [
    "BKS",
    "CVRPLibSolution",
    "available_instances",
    "load_bks",
    "load_cvrplib",
    "load_cvrplib_solution",
    "load_solomon",
    "read_cvrplib",
    "read_cvrplib_solution",
    "read_solomon",
]

Convention = Literal["exact", "dimacs"]
_PKG = "distcrm.datasets"


def _fail(path: str | Path, message: str) -> ValidationError:
    return ValidationError.single("path", str(path), message)


def _parse_solomon(text: str, source: str, convention: Convention, fleet: int | None) -> RoutingProblem:
    lines = [ln.strip() for ln in text.splitlines()]
    name = next((ln for ln in lines if ln), "")
    try:
        k = next(i for i, ln in enumerate(lines) if ln.upper().startswith("NUMBER"))
        count, capacity = (int(float(x)) for x in lines[k + 1].split()[:2])
        c = next(i for i, ln in enumerate(lines) if ln.upper().startswith("CUST NO"))
    except (StopIteration, ValueError, IndexError):
        raise _fail(source, "is not in the Solomon format (VEHICLE / CUSTOMER sections)") from None
    rows = [ln.split() for ln in lines[c + 1 :] if ln]
    try:
        data = np.array([[float(x) for x in r[:7]] for r in rows], dtype=np.float64)
    except ValueError:
        raise _fail(source, "has a non-numeric customer line") from None
    if data.ndim != 2 or data.shape[1] != 7 or len(data) < 1:
        raise _fail(source, "customer lines need 7 columns")
    if convention not in ("exact", "dimacs"):
        raise ValidationError.single("convention", convention, "must be 'exact' or 'dimacs'")
    dep = data[0].tolist()
    depot = Depot(str(int(dep[0])), (dep[1], dep[2]), TimeWindow(dep[4], dep[5]))
    stops = [
        Stop(
            id=str(int(r[0])),
            location=(r[1], r[2]),
            demand=(r[3],),
            windows=[(r[4], r[5])],
            service_time=r[6],
        )
        for r in data[1:].tolist()
    ]
    vt = VehicleType(
        id="vehicle",
        count=fleet if fleet is not None else count,
        capacity=(float(capacity),),
        start_depot=depot.id,
        shift=TimeWindow(dep[4], dep[5]),
    )
    provider = EuclideanProvider(decimals=1) if convention == "dimacs" else EuclideanProvider()
    return RoutingProblem(
        depots=[depot], vehicle_types=[vt], stops=stops, distance=provider, dimensions=("demand",), name=name
    )


def read_solomon(
    path: str | Path, *, convention: Convention = "exact", fleet: int | None = None
) -> RoutingProblem:
    """Read a Solomon or Gehring–Homberger VRPTW instance.

    Stop ids are the customer numbers in the file (the depot is ``"0"``). ``convention``
    ``"exact"`` uses float Euclidean distances (the hierarchical convention);
    ``"dimacs"`` truncates every arc to one decimal (DIMACS 2021). Travel time equals
    distance. ``fleet`` overrides the file's vehicle count.

    Examples
    --------
    >>> from distcrm.routing import load_solomon
    >>> p = load_solomon("C101")
    >>> len(p.stops), p.vehicle_types[0].capacity, p.stops[0].windows[0]
    (100, (200.0,), TimeWindow(start=912.0, end=967.0))
    """
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror})") from None
    return _parse_solomon(text, str(path), convention, fleet)


def _parse_vrp(text: str, source: str, fleet: int | None) -> RoutingProblem:
    spec: dict[str, str] = {}
    section = ""
    coords: dict[int, tuple[float, float]] = {}
    demand: dict[int, float] = {}
    depots: list[int] = []
    for raw in text.splitlines():
        ln = raw.strip()
        if not ln or ln == "EOF":
            continue
        if ":" in ln and not ln[0].isdigit() and not ln.startswith("-"):
            k, _, v = ln.partition(":")
            spec[k.strip().upper()] = v.strip()
            section = ""
            continue
        if ln.upper().endswith("_SECTION"):
            section = ln.upper()
            continue
        parts = ln.split()
        try:
            if section == "NODE_COORD_SECTION":
                coords[int(parts[0])] = (float(parts[1]), float(parts[2]))
            elif section == "DEMAND_SECTION":
                demand[int(parts[0])] = float(parts[1])
            elif section == "DEPOT_SECTION" and int(parts[0]) != -1:
                depots.append(int(parts[0]))
        except (ValueError, IndexError):
            raise _fail(source, f"has an unreadable line in {section}: {ln!r}") from None
    if spec.get("EDGE_WEIGHT_TYPE", "EUC_2D") != "EUC_2D":
        raise _fail(
            source, f"EDGE_WEIGHT_TYPE {spec.get('EDGE_WEIGHT_TYPE')!r} is not supported (EUC_2D only)"
        )
    if "CAPACITY" not in spec or not coords or len(depots) != 1:
        raise _fail(source, "is not a CVRPLIB .vrp file (needs CAPACITY, NODE_COORD_SECTION, one depot)")
    nodes = sorted(coords)
    dep = depots[0]
    order = [dep] + [n for n in nodes if n != dep]
    pts = np.array([coords[n] for n in order])
    diff = pts[:, None, :] - pts[None, :, :]
    nint = np.floor(np.sqrt((diff**2).sum(-1)) + 0.5)
    depot = Depot("0", pts[0])
    stops = [
        Stop(id=str(k), location=pts[k], demand=(demand.get(n, 0.0),)) for k, n in enumerate(order) if k > 0
    ]
    capacity = float(spec["CAPACITY"])
    vt = VehicleType(
        id="vehicle",
        count=fleet if fleet is not None else max(len(stops), 1),
        capacity=(capacity,),
        start_depot="0",
    )
    return RoutingProblem(
        depots=[depot],
        vehicle_types=[vt],
        stops=stops,
        distance=MatrixProvider(nint),
        dimensions=("demand",),
        name=spec.get("NAME", ""),
    )


@attrs.frozen
class CVRPLibSolution:
    """A CVRPLIB ``.sol``: routes of customer numbers (depot ``0``), and the stated cost."""

    routes: tuple[tuple[int, ...], ...]
    cost: float

    @property
    def num_routes(self) -> int:
        """Number of routes."""
        return len(self.routes)


def _parse_sol(text: str, source: str) -> CVRPLibSolution:
    routes = []
    cost = math.nan
    for ln in text.splitlines():
        s = ln.strip()
        if s.lower().startswith("route"):
            _, _, rest = s.partition(":")
            routes.append(tuple(int(x) for x in rest.split()))
        elif s.lower().startswith("cost"):
            cost = float(s.split()[1])
    if not routes:
        raise _fail(source, "has no 'Route #k:' lines")
    return CVRPLibSolution(tuple(routes), cost)


def read_cvrplib_solution(path: str | Path) -> CVRPLibSolution:
    """Read a CVRPLIB ``.sol`` file."""
    try:
        return _parse_sol(Path(path).read_text(), str(path))
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror})") from None


def read_cvrplib(path: str | Path, *, fleet: int | None = None) -> RoutingProblem | CVRPLibSolution:
    """Read a CVRPLIB ``.vrp`` instance (EUC_2D) or, for a ``.sol`` file, its solution.

    Arcs follow the CVRPLIB convention: the nearest integer of the Euclidean distance.
    Stop ids are the customer numbers used by ``.sol`` files: the depot is ``"0"`` and
    the k-th other node is ``"k"``. The fleet is unlimited (one vehicle per stop) unless
    ``fleet`` is given.

    Examples
    --------
    >>> from distcrm.routing import load_cvrplib
    >>> p = load_cvrplib("A-n32-k5")
    >>> len(p.stops), p.vehicle_types[0].capacity
    (31, (100.0,))
    """
    p = Path(path)
    if p.suffix.lower() == ".sol":
        return read_cvrplib_solution(p)
    try:
        text = p.read_text()
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror})") from None
    return _parse_vrp(text, str(path), fleet)


def _vrp_dir() -> resources.abc.Traversable:
    return resources.files(_PKG).joinpath("data", "vrp")


def available_instances() -> dict[str, list[str]]:
    """Bundled instance names by family: ``solomon``, ``gh200``, ``cvrp``."""
    root = _vrp_dir()
    out = {}
    for fam, ext in (("solomon", ".txt"), ("gh200", ".txt"), ("cvrp", ".vrp")):
        out[fam] = sorted(f.name[: -len(ext)] for f in root.joinpath(fam).iterdir() if f.name.endswith(ext))
    return out


def load_solomon(name: str, *, convention: Convention = "exact", fleet: int | None = None) -> RoutingProblem:
    """A bundled Solomon (``"C101"``) or Gehring–Homberger (``"R1_2_1"``) instance."""
    root = _vrp_dir()
    for fam in ("solomon", "gh200"):
        f = root.joinpath(fam, f"{name}.txt")
        if f.is_file():
            return _parse_solomon(f.read_text(), name, convention, fleet)
    raise NotFoundError("Solomon instance", name)


def load_cvrplib(name: str, *, fleet: int | None = None) -> RoutingProblem:
    """A bundled CVRPLIB instance (``"A-n32-k5"``, ``"X-n101-k25"``)."""
    f = _vrp_dir().joinpath("cvrp", f"{name}.vrp")
    if not f.is_file():
        raise NotFoundError("CVRPLIB instance", name)
    return _parse_vrp(f.read_text(), name, fleet)


def load_cvrplib_solution(name: str) -> CVRPLibSolution:
    """The bundled best-known ``.sol`` of a CVRPLIB instance."""
    f = _vrp_dir().joinpath("cvrp", f"{name}.sol")
    if not f.is_file():
        raise NotFoundError("CVRPLIB solution", name)
    return _parse_sol(f.read_text(), name)


@attrs.frozen
class BKS:
    """A best-known solution: vehicles (``None`` if unknown), distance, convention, source."""

    instance: str
    vehicles: int | None
    distance: float
    convention: str
    source: str


def load_bks() -> dict[tuple[str, str], BKS]:
    """Bundled best-known solutions keyed by ``(instance, convention)``.

    Conventions: ``hierarchical`` (fewest vehicles, then exact distance), ``dimacs``
    (distance only, arcs truncated to one decimal), ``cvrplib-nint`` (rounded arcs).

    Examples
    --------
    >>> bks = load_bks()
    >>> bks["C101", "dimacs"].distance, bks["R101", "hierarchical"].vehicles
    (827.3, 19)
    """
    text = _vrp_dir().joinpath("bks.csv").read_text()
    out = {}
    for row in csv.DictReader(io.StringIO(text)):
        b = BKS(
            instance=row["instance"],
            vehicles=int(row["vehicles"]) if row["vehicles"] else None,
            distance=float(row["distance"]),
            convention=row["convention"],
            source=row["source"],
        )
        out[b.instance, b.convention] = b
    return out
