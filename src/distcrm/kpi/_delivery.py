"""Delivery KPIs: on-time, OTIF, lead time, first-attempt success, cost per drop, utilisation."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm._checks import as_float_array, check_same_length
from distcrm.domain import Order, Shipment, ShipmentStatus
from distcrm.errors import DataQualityWarning, ValidationError
from distcrm.kpi._group import KPITable, group_rows, resolve_labels

__all__ = ["delivery_kpis", "shipment_kpis", "vehicle_utilisation"]

FloatArray = npt.NDArray[np.float64]


def _times(field: str, values: Any) -> npt.NDArray[np.datetime64]:
    try:
        arr = np.asarray(values, dtype="datetime64[s]")
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(
            field, type(values).__name__, f"is not an array of times ({exc})"
        ) from None
    if arr.ndim != 1:
        raise ValidationError.single(field, arr.shape, "must be 1-dimensional")
    return arr


def _seconds(field: str, tol: Any) -> int:
    if isinstance(tol, timedelta):
        sec = tol.total_seconds()
    elif isinstance(tol, np.timedelta64):
        sec = float(tol / np.timedelta64(1, "s"))
    else:
        raise ValidationError.single(field, tol, "must be a timedelta")
    if sec < 0:
        raise ValidationError.single(field, tol, "must be >= 0")
    return int(sec)


def _describe(sec: int) -> str:
    if sec == 0:
        return "no tolerance"
    if sec % 3600 == 0:
        return f"{sec // 3600} h tolerance"
    if sec % 60 == 0:
        return f"{sec // 60} min tolerance"
    return f"{sec} s tolerance"


def delivery_kpis(
    *,
    promised: Any,
    delivered: Any,
    ordered_at: Any = None,
    quantity_ordered: Any = None,
    quantity_delivered: Any = None,
    attempts: Any = None,
    cost: Any = None,
    tolerance: timedelta | np.timedelta64 = timedelta(0),
    freq: str | None = "M",
    segment: Any = None,
    territory: Any = None,
) -> KPITable:
    """Delivery performance per period, segment and territory; one input row per drop.

    Parameters
    ----------
    promised
        The promised latest delivery time of each drop (end of its window).
    delivered
        When it was delivered (``NaT`` if it was not). Drops are grouped by period of
        ``promised``.
    ordered_at
        When it was ordered (for lead times).
    quantity_ordered, quantity_delivered
        Units ordered and delivered (for in-full and OTIF).
    attempts
        Delivery attempts made (for first-attempt success).
    cost
        Cost attributed to each drop (its share of the route cost).
    tolerance
        How late a delivery may be and still count as on time; stated in the title.

    Definitions
    -----------
    - ``on_time_rate``: drops delivered by ``promised + tolerance`` / all drops (an
      undelivered drop is not on time).
    - ``otif_rate``: drops on time and in full (delivered ≥ ordered units) / all drops.
    - ``lead_time_p50_h``, ``lead_time_p90_h``: percentiles (linear interpolation) of
      ``delivered - ordered_at`` in hours, over delivered drops.
    - ``first_attempt_rate``: drops delivered at the first attempt / all drops.
    - ``cost_per_drop``: total cost / drops.

    Examples
    --------
    >>> t = delivery_kpis(
    ...     promised=["2024-01-02T12:00", "2024-01-02T12:00", "2024-01-03T12:00", "2024-01-03T12:00"],
    ...     delivered=["2024-01-02T11:00", "2024-01-02T12:10", "NaT", "2024-01-03T09:00"],
    ...     attempts=[1, 1, 2, 2], tolerance=timedelta(minutes=15))
    >>> t["on_time_rate"].tolist(), t["first_attempt_rate"].tolist()
    ([0.75], [0.5])
    >>> t.title
    'delivery KPIs (on time = delivered by the promised time + 15 min tolerance)'
    """
    prom = _times("promised", promised)
    dlv = _times("delivered", delivered)
    n = check_same_length(promised=prom, delivered=dlv)
    if n == 0:
        raise ValidationError.single("promised", 0, "no drops")
    if np.isnat(prom).any():
        raise ValidationError.single(
            "promised", int(np.flatnonzero(np.isnat(prom))[0]), "every drop needs a promised time"
        )
    tol = _seconds("tolerance", tolerance)
    done = ~np.isnat(dlv)
    on_time = done & (dlv <= prom + np.timedelta64(tol, "s"))
    g = group_rows(
        n,
        timestamp=prom,
        freq=freq,
        segment=resolve_labels("segment", segment, n),
        territory=resolve_labels("territory", territory, n),
    )
    drops = g.count()
    cols: dict[str, Any] = {
        "drops": drops,
        "delivered": g.count(done),
        "on_time_rate": g.count(on_time) / drops,
    }
    if quantity_ordered is not None or quantity_delivered is not None:
        if quantity_ordered is None or quantity_delivered is None:
            raise ValidationError.missing(
                "quantity_delivered" if quantity_delivered is None else "quantity_ordered",
                "OTIF needs both quantity_ordered and quantity_delivered",
            )
        qo = as_float_array("quantity_ordered", quantity_ordered)
        qd = as_float_array("quantity_delivered", quantity_delivered)
        check_same_length(promised=prom, quantity_ordered=qo, quantity_delivered=qd)
        in_full = done & (qd >= qo)
        cols["in_full_rate"] = g.count(in_full) / drops
        cols["otif_rate"] = g.count(in_full & on_time) / drops
    if ordered_at is not None:
        oa = _times("ordered_at", ordered_at)
        check_same_length(promised=prom, ordered_at=oa)
        lead = np.where(done & ~np.isnat(oa), (dlv - oa).astype(np.float64) / 3600.0, np.nan)
        cols["lead_time_p50_h"] = g.quantile(lead, 0.5)
        cols["lead_time_p90_h"] = g.quantile(lead, 0.9)
    if attempts is not None:
        att = as_float_array("attempts", attempts)
        check_same_length(promised=prom, attempts=att)
        if (att < 0).any():
            raise ValidationError.single("attempts", float(att[att < 0][0]), "must be >= 0")
        cols["first_attempt_rate"] = g.count(done & (att == 1)) / drops
    if cost is not None:
        c = as_float_array("cost", cost)
        check_same_length(promised=prom, cost=c)
        cols["cost_per_drop"] = g.sum(c) / drops
    return g.table(cols, title=f"delivery KPIs (on time = delivered by the promised time + {_describe(tol)})")


def vehicle_utilisation(
    *,
    load: Any,
    capacity: Any,
    at: Any = None,
    freq: str | None = None,
    territory: Any = None,
    vehicle: Any = None,
) -> KPITable:
    """Capacity utilisation per group: ``Σ load / Σ capacity`` over routes (one row per route).

    Examples
    --------
    >>> vehicle_utilisation(load=[80, 50], capacity=[100, 100])["utilisation"].tolist()
    [0.65]
    """
    ld = as_float_array("load", load)
    cap = as_float_array("capacity", capacity)
    n = check_same_length(load=ld, capacity=cap)
    if (cap <= 0).any():
        raise ValidationError.single("capacity", float(cap[cap <= 0][0]), "must be > 0")
    if (ld < 0).any():
        raise ValidationError.single("load", float(ld[ld < 0][0]), "must be >= 0")
    g = group_rows(
        n,
        timestamp=None if at is None else _times("at", at),
        freq=freq if at is not None else None,
        segment=resolve_labels("vehicle", vehicle, n),
        territory=resolve_labels("territory", territory, n),
    )
    if vehicle is not None and "segment" in g.keys:
        g.keys["vehicle"] = g.keys.pop("segment")
    return g.table(
        {
            "routes": g.count(),
            "load": g.sum(ld),
            "capacity": g.sum(cap),
            "utilisation": g.sum(ld) / g.sum(cap),
        },
        title="vehicle utilisation (load / capacity)",
    )


def shipment_kpis(
    shipments: Sequence[Shipment],
    orders: Sequence[Order] = (),
    *,
    tolerance: timedelta | np.timedelta64 = timedelta(0),
    freq: str | None = "M",
    segment: Mapping[str, str] | None = None,
    territory: Mapping[str, str] | None = None,
    as_of: datetime | None = None,
) -> KPITable:
    """:func:`delivery_kpis` from domain ``Shipment`` (and ``Order``) records.

    The promise is the shipment's planned window end, else its order's promised window
    end; ``ordered_at`` the order's ``created_at``; in-full compares the order lines'
    delivered and ordered quantities (shipment lines when the order is not given). With
    ``as_of``, shipments promised later and not yet delivered are left out (not due yet).
    Shipments without any promise are left out with a ``DataQualityWarning``.
    ``segment`` / ``territory`` map customer ids to labels.

    Examples
    --------
    >>> from distcrm.domain import TimeWindow
    >>> t = datetime(2024, 5, 2, 8, tzinfo=UTC)
    >>> s = Shipment(order_id="SO-1", customer_id="C1", planned_window=TimeWindow(start=t, end=t + timedelta(hours=2)))
    >>> s = s.load(t).dispatch(t).deliver(t + timedelta(hours=1))
    >>> shipment_kpis([s], freq=None)["on_time_rate"].tolist()
    [1.0]
    """
    by_order = {o.id: o for o in orders}
    rows: list[tuple[Any, ...]] = []
    no_promise: list[str] = []
    for s in shipments:
        o = by_order.get(s.order_id)
        promise = s.planned_window.end if s.planned_window is not None else None
        if promise is None and o is not None and o.promised_window is not None:
            promise = o.promised_window.end
        if promise is None:
            no_promise.append(s.id)
            continue
        if as_of is not None and promise > as_of and s.delivered_at is None:
            continue
        if o is not None:
            q_ord = float(sum(line.quantity for line in o.lines))
            q_del = float(sum(line.delivered_quantity for line in o.lines))
        else:
            q_ord = float(sum(line.quantity for line in s.lines))
            q_del = q_ord if s.status is ShipmentStatus.DELIVERED else 0.0
        rows.append(
            (
                s.customer_id,
                _utc(promise),
                _utc(s.delivered_at),
                _utc(o.created_at) if o is not None else np.datetime64("NaT"),
                q_ord,
                q_del,
                s.attempts,
            )
        )
    if no_promise:
        warnings.warn(
            f"{len(no_promise)} shipment(s) without a planned or promised window left out (e.g. {no_promise[0]!r})",
            DataQualityWarning,
            stacklevel=2,
        )
    if not rows:
        raise ValidationError.single("shipments", len(shipments), "no shipment with a promised time")
    cust, prom, dlv, oat, qo, qd, att = zip(*rows, strict=True)
    has_orders = bool(by_order)
    has_lines = has_orders or any(q > 0 for q in qo)
    return delivery_kpis(
        promised=np.array(prom, dtype="datetime64[s]"),
        delivered=np.array(dlv, dtype="datetime64[s]"),
        ordered_at=np.array(oat, dtype="datetime64[s]") if has_orders else None,
        quantity_ordered=list(qo) if has_lines else None,
        quantity_delivered=list(qd) if has_lines else None,
        attempts=list(att),
        tolerance=tolerance,
        freq=freq,
        segment=None if segment is None else [segment.get(c, "(none)") for c in cust],
        territory=None if territory is None else [territory.get(c, "(none)") for c in cust],
    )


def _utc(t: datetime | None) -> np.datetime64:
    if t is None:
        return np.datetime64("NaT")
    return np.datetime64(t.astimezone(UTC).replace(tzinfo=None), "s")
