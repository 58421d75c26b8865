"""Today's orders become tomorrow's routing problem (:meth:`RoutingProblem.from_domain`)."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from distcrm.errors import DataQualityWarning, FieldError, ValidationError
from distcrm.routing._distance import CachedProvider, DistanceProvider, HaversineProvider
from distcrm.routing._problem import Depot, RoutingProblem, Stop, TimeWindow, VehicleType

__all__ = ["VIP_PRIORITY", "problem_from_domain"]

VIP_PRIORITY = 10
_SKIP = {"draft", "delivered", "closed", "cancelled"}


def _secs(t: dt.time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def _default_priority(customer: Any, order: Any) -> int:
    tags = set(getattr(order, "tags", ()) or ())
    if customer is not None:
        tags |= set(customer.tags)
        if (customer.segment or "").lower() == "vip":
            tags.add("vip")
    return VIP_PRIORITY if "vip" in {t.lower() for t in tags} else 0


def _default_skills(order: Any) -> frozenset[str]:
    return frozenset(t.split(":", 1)[1] for t in getattr(order, "tags", ()) if t.startswith("needs:"))


def problem_from_domain(
    orders: Iterable[Any],
    addresses: Mapping[str, Any] | None,
    fleet: Sequence[Any],
    date: dt.date,
    *,
    depots: Sequence[Any],
    products: Mapping[str, Any] | None = None,
    customers: Mapping[str, Any] | None = None,
    priority: Callable[[Any, Any], int] | None = None,
    skills: Callable[[Any], Iterable[str]] | None = None,
    distance: DistanceProvider | None = None,
    service_time: float = 300.0,
    service_per_unit: float = 0.0,
    tz: dt.tzinfo | None = None,
    allow_unserved: bool = True,
) -> RoutingProblem:
    """Build the delivery problem for ``date`` from domain orders, addresses, vehicles and depots.

    One stop per customer and delivery address, holding all of that customer's open orders
    (``Stop.refs`` are the order ids). Times are seconds since midnight of ``date`` in
    ``tz`` (default: the timezone of the orders' promised windows, else naive local).

    Parameters
    ----------
    orders
        Orders to deliver; drafts, delivered, closed and cancelled orders are skipped.
    addresses
        ``customer_id -> Address`` used when an order has no shipping address with a
        ``geo`` point.
    fleet
        :class:`distcrm.domain.Vehicle` records; inactive ones are skipped. Each becomes a
        vehicle type of count 1 (its id is the vehicle id). Load dimensions are
        ``weight_kg``, ``volume_m3`` and ``units``; costs per km and per hour become per
        metre and per second.
    date
        The delivery day.
    depots
        :class:`distcrm.domain.Depot` records the vehicles belong to.
    products
        ``product_id -> Product`` for weights and volumes (missing: 0, with a warning).
    customers
        ``customer_id -> Customer``, for tags and segment (VIPs).
    priority
        ``(customer, order) -> int``; default: ``VIP_PRIORITY`` (10) for a ``"vip"`` tag or
        segment on the customer or the order, else 0. With ``allow_unserved`` a stop's
        unserved penalty grows with ``1 + priority``, so VIPs are served first when not
        everyone can be.
    skills
        ``order -> skills`` the stop needs; default: order tags ``"needs:<skill>"``.
    distance
        A provider; default a cached :class:`HaversineProvider`.
    service_time, service_per_unit
        Seconds at each stop, plus seconds per unit delivered.
    allow_unserved
        Leave stops unserved (with reasons) when the fleet cannot serve everyone.
    """
    customers = customers or {}
    products = products or {}
    addresses = addresses or {}
    prio = priority or _default_priority
    skill_fn = skills or _default_skills
    errors: list[FieldError] = []
    missing_products: set[str] = set()
    # -- depots and vehicles -----------------------------------------------------------
    r_depots = []
    for d in depots:
        a, b = d.opening
        r_depots.append(Depot(d.id, (d.location.lat, d.location.lon), TimeWindow(_secs(a), _secs(b))))
    depot_ids = {d.id for d in r_depots}
    types = []
    for k, v in enumerate(fleet):
        if not getattr(v, "active", True):
            continue
        if v.depot_id not in depot_ids:
            errors.append(FieldError(f"$.fleet[{k}].depot_id", "is not one of the depots", v.depot_id))
            continue
        a, b = v.shift
        types.append(
            VehicleType(
                id=v.id,
                count=1,
                capacity=(float(v.capacity_weight_kg), float(v.capacity_volume_m3), float(v.capacity_units)),
                start_depot=v.depot_id,
                shift=TimeWindow(_secs(a), _secs(b)),
                fixed_cost=float(v.fixed_cost.amount),
                cost_per_distance=float(v.cost_per_km.amount) / 1000.0,
                cost_per_time=float(v.cost_per_hour.amount) / 3600.0,
                skills=v.skills,
            )
        )
    # -- stops ------------------------------------------------------------------------------
    groups: dict[tuple[str, float, float], dict[str, Any]] = {}
    for k, o in enumerate(orders):
        status = getattr(getattr(o, "status", None), "value", "confirmed")
        if status in _SKIP:
            continue
        addr = (
            o.shipping_address
            if o.shipping_address is not None and o.shipping_address.geo is not None
            else None
        )
        if addr is None:
            addr = addresses.get(o.customer_id)
        if addr is None or addr.geo is None:
            errors.append(FieldError(f"$.orders[{k}]", "has no address with a geo point", o.id))
            continue
        cust = customers.get(o.customer_id)
        w = u = vol = 0.0
        for line in o.lines:
            q = float(line.quantity)
            p = products.get(line.product_id)
            if p is None:
                missing_products.add(line.product_id)
            else:
                w += q * p.weight_kg
                vol += q * p.volume_m3
            u += q
        key = (o.customer_id, addr.geo.lat, addr.geo.lon)
        g = groups.setdefault(
            key,
            {
                "refs": [],
                "demand": [0.0, 0.0, 0.0],
                "prio": 0,
                "skills": set(),
                "windows": None,
                "addr": addr,
            },
        )
        g["refs"].append(o.id)
        g["demand"] = [g["demand"][0] + w, g["demand"][1] + vol, g["demand"][2] + u]
        g["prio"] = max(g["prio"], int(prio(cust, o)))
        g["skills"] |= set(skill_fn(o))
        if o.promised_window is not None:
            zone = tz or o.promised_window.start.tzinfo
            s0 = o.promised_window.start.astimezone(zone) if zone else o.promised_window.start
            s1 = o.promised_window.end.astimezone(zone) if zone else o.promised_window.end
            midnight = dt.datetime.combine(date, dt.time(0), tzinfo=s0.tzinfo)
            win = ((s0 - midnight).total_seconds(), (s1 - midnight).total_seconds())
            if win[1] > 0 and win[0] < 86400:
                g["windows"] = (
                    win
                    if g["windows"] is None
                    else (max(g["windows"][0], win[0]), min(g["windows"][1], win[1]))
                )
    if missing_products:
        warnings.warn(
            f"{len(missing_products)} products have no weight/volume (counted as 0): {sorted(missing_products)[:10]}",
            DataQualityWarning,
            stacklevel=2,
        )
    stops = []
    seen_ids: dict[str, int] = {}
    for (cid, _lat, _lon), g in groups.items():
        n = seen_ids.get(cid, 0)
        seen_ids[cid] = n + 1
        sid = cid if n == 0 else f"{cid}#{n}"
        if g["windows"] is not None:
            windows = [g["windows"]] if g["windows"][0] < g["windows"][1] else []
            if not windows:
                errors.append(
                    FieldError(f"$.stops[{sid!r}]", "its orders' promised windows do not overlap", g["refs"])
                )
                continue
        else:
            windows = [
                (_secs(ww.start), _secs(ww.end))
                for ww in g["addr"].delivery_windows
                if ww.weekday == date.weekday()
            ]
        stops.append(
            Stop(
                id=sid,
                location=(g["addr"].geo.lat, g["addr"].geo.lon),
                demand=tuple(g["demand"]),
                service_time=service_time + service_per_unit * g["demand"][2],
                windows=windows,
                priority=g["prio"],
                skills=frozenset(g["skills"]),
                refs=tuple(g["refs"]),
            )
        )
    if errors:
        raise ValidationError(errors, title="RoutingProblem.from_domain")
    return RoutingProblem(
        depots=r_depots,
        vehicle_types=types,
        stops=stops,
        distance=distance if distance is not None else CachedProvider(HaversineProvider()),
        dimensions=("weight_kg", "volume_m3", "units"),
        allow_unserved=allow_unserved,
        name=f"deliveries {date.isoformat()}",
    )
