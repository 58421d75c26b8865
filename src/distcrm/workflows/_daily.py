"""``daily_cycle``: the main job — from the store to a day's decisions and a report.

The pipeline reads everything it needs from a store (any adapter of
:mod:`distcrm.storage`), runs the engines it is given, writes the customers' segments
back in one unit of work, and returns a :class:`DailyReport` whose sections are the
answers a sales-and-delivery business asks for every morning.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from distcrm.domain import (
    CaseStatus,
    ComplaintCase,
    Customer,
    Depot,
    Feedback,
    Interaction,
    LoyaltyAccount,
    Order,
    OrderStatus,
    Product,
    Shipment,
    ShipmentStatus,
    Vehicle,
)
from distcrm.errors import ValidationError
from distcrm.storage import BaseStore, Store
from distcrm.workflows._report import DailyReport, Section

__all__ = ["Engines", "daily_cycle", "save_segments"]


def _default_purchase() -> Any:
    from distcrm.forecast import BetaGeoModel

    return BetaGeoModel()


def _default_spend() -> Any:
    from distcrm.forecast import GammaGammaModel

    return GammaGammaModel()


def _default_forecaster() -> Any:
    from distcrm.forecast import AutoForecaster

    return AutoForecaster()


def _default_segmenter() -> Any:
    from distcrm.segmentation import RFM

    return RFM()


def _default_sentiment() -> Any:
    from distcrm.feedback import default_sentiment

    return default_sentiment()


@attrs.define(kw_only=True)
class Engines:
    """The engines :func:`daily_cycle` uses; swap any of them for your own.

    Each follows its family's protocol: ``segmenter.score(log)`` gives per-customer
    segments; ``purchase.fit(summary)`` is a BG/NBD-family model; ``spend.fit(summary)``
    a Gamma-Gamma-like spend model; ``forecaster.fit(panel).predict(h)`` a demand
    forecaster; ``routing`` is an engine name or a ``RoutingEngine``; ``sentiment`` a
    ``SentimentAnalyzer``.
    """

    segmenter: Any = attrs.field(factory=_default_segmenter)
    purchase: Any = attrs.field(factory=_default_purchase)
    spend: Any = attrs.field(factory=_default_spend)
    forecaster: Any = attrs.field(factory=_default_forecaster)
    routing: Any = "auto"
    sentiment: Any = attrs.field(factory=_default_sentiment)


@attrs.define
class _Context:
    store: Store | BaseStore
    today: dt.date
    tz: dt.tzinfo
    out: Path | None
    customers: list[Customer]
    orders: list[Order]
    shipments: list[Shipment]
    feedback: list[Feedback]
    cases: list[ComplaintCase]
    interactions: list[Interaction]
    vehicles: list[Vehicle]
    depots: list[Depot]
    products: list[Product]
    log: Any = None
    summary: Any = None
    results: dict[str, Any] = attrs.Factory(dict)

    @property
    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.today, dt.time(23, 59, 59), self.tz)

    @property
    def names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.customers}

    def figure(
        self, name: str, draw: Callable[[Any], Any], size: tuple[float, float] = (7.0, 4.5)
    ) -> str | None:
        """Draw with ``draw(ax)`` and save ``name`` into the output folder (None without one)."""
        if self.out is None:
            return None
        from distcrm._optional import import_optional

        matplotlib = import_optional("matplotlib", feature="report figures")
        matplotlib.use("Agg")
        plt = import_optional("matplotlib.pyplot", feature="report figures")
        fig, ax = plt.subplots(figsize=size)
        try:
            draw(ax)
            fig.tight_layout()
            self.out.mkdir(parents=True, exist_ok=True)
            fig.savefig(self.out / name, dpi=110)
        finally:
            plt.close(fig)
        return name


def _tzinfo(customers: Sequence[Customer], orders: Sequence[Order]) -> dt.tzinfo:
    for o in orders:
        if o.created_at.tzinfo is not None:
            return o.created_at.tzinfo
    return dt.UTC


def daily_cycle(
    store: Store | BaseStore,
    today: dt.date | str,
    *,
    engines: Engines | None = None,
    out: str | Path | None = None,
    route_time_limit: float = 5.0,
    seed: int = 0,
    progress: bool | Callable[[str], None] = False,
) -> DailyReport:
    """Run the main job on ``store`` as of the end of ``today``.

    Steps: segment the customers (written back to the store), fit the purchase and spend
    models (CLV, at-risk valuable customers), forecast item demand and who orders next
    week, plan tomorrow's deliveries (VIPs first, within their windows), compute the
    KPIs, score the feedback, list the care actions and the loyalty status, and run a
    pilot evaluation.

    Parameters
    ----------
    store
        Any distcrm store; it must hold customers, orders and the fleet.
    today
        The day whose end the job runs at (a ``date`` or ``"YYYY-MM-DD"``).
    engines
        The engines to use (:class:`Engines` defaults when omitted).
    out
        Folder for figures (PNG); no figures are drawn without one.
    route_time_limit
        Seconds for the routing solver.
    seed
        Seed of every randomised step.
    progress
        ``True`` for a progress bar (the ``progress`` extra), or a callable receiving
        each step's name.

    Returns
    -------
    DailyReport
        Sections of text, tables and figure names; ``results`` holds the raw results.
    """
    if isinstance(today, str):
        try:
            today = dt.date.fromisoformat(today)
        except ValueError:
            raise ValidationError.single("today", today, "must be a date YYYY-MM-DD") from None
    engines = engines or Engines()
    ctx = _load(store, today, None if out is None else Path(out))
    steps: list[tuple[str, Callable[[_Context, Engines, float, int], Section]]] = [
        ("Customers and segments", _segments),
        ("Customer value", _value),
        ("Demand next week", _demand),
        ("Tomorrow's deliveries", _routing),
        ("KPIs", _kpis),
        ("Feedback", _feedback),
        ("Care actions", _care),
        ("Loyalty", _loyalty),
        ("Pilot evaluation", _pilot),
    ]
    sections: list[Section] = []
    with _progress(progress, len(steps)) as tick:
        for title, step in steps:
            tick(title)
            t0 = time.perf_counter()
            section = step(ctx, engines, route_time_limit, seed)
            sections.append(attrs.evolve(section, seconds=time.perf_counter() - t0))
    title = f"distcrm daily report — {today.isoformat()}"
    return DailyReport(title=title, sections=tuple(sections), results=ctx.results)


@contextmanager
def _progress(progress: bool | Callable[[str], None], total: int) -> Iterator[Callable[[str], None]]:
    if callable(progress):
        yield progress
        return
    if not progress:
        yield lambda _name: None
        return
    from distcrm._optional import import_optional

    tqdm = import_optional("tqdm", feature="progress bars").tqdm
    bar = tqdm(total=total, unit="step", leave=True)
    first = [True]

    def tick(name: str) -> None:
        if not first[0]:
            bar.update(1)
        first[0] = False
        bar.set_description(name)

    try:
        yield tick
        bar.update(1)
    finally:
        bar.close()


def _load(store: Store | BaseStore, today: dt.date, out: Path | None) -> _Context:
    customers = list(store.customers.all())
    if not customers:
        raise ValidationError.single("store", "customers", "holds no customers")
    orders = list(store.orders.all())
    tz = _tzinfo(customers, orders)
    ctx = _Context(
        store=store,
        today=today,
        tz=tz,
        out=out,
        customers=customers,
        orders=orders,
        shipments=list(store.shipments.all()),
        feedback=list(store.feedback.all()),
        cases=list(store.cases.all()),
        interactions=list(store.interactions.all()),
        vehicles=list(store.vehicles.all()),
        depots=list(store.depots.all()),
        products=list(store.products.all()),
    )
    ctx.log = store.transaction_log(end=ctx.now)
    ctx.summary = ctx.log.summary(
        "W", observation_end=np.datetime64(ctx.now.astimezone(dt.UTC).replace(tzinfo=None))
    )
    return ctx


# ----------------------------------------------------------------------------- steps


def _segments(ctx: _Context, engines: Engines, _tl: float, _seed: int) -> Section:
    result = engines.segmenter.score(ctx.log)
    ctx.results["segments"] = result
    sizes = result.segment_sizes()
    changed = save_segments(ctx.store, result.customer_ids, result.segment)
    ctx.customers = list(ctx.store.customers.all())  # their versions moved on
    total = sum(sizes.values())
    rows = tuple((name, n, 100.0 * n / total) for name, n in sorted(sizes.items(), key=lambda kv: -kv[1]))
    fig = ctx.figure("segments.png", lambda ax: result.plot_segments(ax=ax))
    return Section(
        title="Customers and segments",
        lines=(
            (
                f"{len(ctx.customers)} customers, {len(ctx.orders)} orders in the store; "
                f"{total} customers with purchases segmented by RFM ({changed} segment changes saved)."
            ),
        ),
        headers=("segment", "customers", "%"),
        rows=rows,
        figures=() if fig is None else (fig,),
    )


def _value(ctx: _Context, engines: Engines, _tl: float, _seed: int) -> Section:
    s = ctx.summary
    bg = engines.purchase.fit(s)
    repeat = s.take(s.frequency > 0)
    gg = engines.spend.fit(repeat)
    clv = bg.clv(s, spend=gg, horizon=12)
    p_alive = bg.p_alive(s)
    ctx.results.update(purchase_model=bg, spend_model=gg, clv=clv, p_alive=p_alive)
    names = ctx.names
    ids = s.customer_ids
    top = np.argsort(-clv, kind="stable")[:10]
    high_value = clv >= np.quantile(clv, 0.8)
    at_risk = np.flatnonzero(high_value & (p_alive < 0.5))
    at_risk = at_risk[np.argsort(-clv[at_risk], kind="stable")][:10]
    params = ", ".join(f"{k}={v:.3g}" for k, v in bg.params_.items())
    lines = (
        f"BG/NBD fit on {len(s)} customers ({params}); Gamma-Gamma on {len(repeat)} repeat customers.",
        f"Expected 12-month value of the customer base: {clv.sum():,.0f} {_currency(ctx)}.",
        f"Valuable customers (top 20 % by CLV) at risk (P(alive) < 0.5): "
        f"{int(np.count_nonzero(high_value & (p_alive < 0.5)))} — "
        + (
            ", ".join(
                f"{names.get(str(ids[i]), str(ids[i]))} (CLV {clv[i]:,.0f}, P(alive) {p_alive[i]:.2f})"
                for i in at_risk
            )
            or "none"
        )
        + ".",
        "Top customers by CLV:",
    )
    rows = tuple(
        (names.get(str(ids[i]), str(ids[i])), float(s.frequency[i]), float(p_alive[i]), float(clv[i]))
        for i in top
    )
    figs: list[str] = []
    if hasattr(bg, "plot_frequency_recency"):
        f = ctx.figure("p_alive.png", lambda ax: bg.plot_frequency_recency(ax=ax, kind="p_alive"), (6.0, 5.0))
        if f:
            figs.append(f)
    return Section(
        title="Customer value",
        lines=lines,
        headers=("customer", "repeat purchases", "P(alive)", "CLV 12m"),
        rows=rows,
        figures=tuple(figs),
    )


def save_segments(store: Store | BaseStore, customer_ids: Any, segments: Any) -> int:
    """Write each customer's segment onto the stored customer, in one unit of work.

    Only customers whose segment changed are updated; returns how many were.
    """
    segment_of = dict(zip(np.asarray(customer_ids).tolist(), np.asarray(segments).tolist(), strict=True))
    changed = 0
    with store.unit_of_work() as uow:
        for c in store.customers.all():
            new = segment_of.get(c.id)
            if new is not None and new != c.segment:
                uow.customers.update(attrs.evolve(c, segment=new))
                changed += 1
    return changed


def _currency(ctx: _Context) -> str:
    return ctx.orders[0].currency if ctx.orders else ""


def _demand(ctx: _Context, engines: Engines, _tl: float, _seed: int) -> Section:
    from distcrm.forecast import prestock, who_orders

    panel = ctx.log.demand_panel("W", by="item", end=ctx.now.astimezone(dt.UTC).replace(tzinfo=None))
    # weeks run Monday to Sunday: unless today is a Sunday the last week is partial, and a
    # partial week would read as a collapse in demand, so forecast from complete weeks only
    if ctx.today.weekday() != 6 and panel.n_periods > 2:
        panel = panel.window(0, panel.n_periods - 1)
    fc = engines.forecaster.fit(panel).predict(4)
    lo, hi = fc.interval(0.9)
    ctx.results["forecast"] = fc
    # no stock levels are stored, so the pre-stocking list is the stock to hold for next
    # week at a 90 % service level (pass on-hand quantities to prestock() to net them off)
    plan = prestock(fc, on_hand=np.zeros(len(fc.series_ids)), periods=1, service_level=0.9)
    ctx.results["prestock"] = plan
    product_names = {p.id: p.name for p in ctx.products}
    row_of = {sid: i for i, sid in enumerate(fc.series_ids.tolist())}
    order = [row_of[sid] for sid in plan.series_ids.tolist()[:10]]  # the plan is largest first
    rows_items = tuple(
        (
            product_names.get(str(fc.series_ids[i]), str(fc.series_ids[i])),
            float(fc.mean[i, 0]),
            float(lo[i, 0]),
            float(hi[i, 0]),
            float(plan.suggested[k]),
        )
        for k, i in enumerate(order)
    )
    # who orders next week, from the purchase model
    likely = who_orders(ctx.results["purchase_model"], 7.0, summary=ctx.summary)
    ctx.results["who_orders"] = likely
    top = np.argsort(-likely.probability, kind="stable")[:6]
    names = ctx.names
    lines = [
        (
            f"{panel.n_series} items over {panel.n_periods} complete weeks; forecaster "
            f"{type(engines.forecaster).__name__}; the coming week is the first forecast week."
        ),
        (
            f"Expected demand next week: {fc.mean[:, 0].sum():,.0f} units; "
            f"{likely.expected_customers:,.0f} customers expected to order (sum of probabilities)."
        ),
        "Customers most likely to order next week: "
        + ", ".join(
            f"{names.get(str(likely.customer_ids[i]), str(likely.customer_ids[i]))} ({likely.probability[i]:.0%})"
            for i in top
        ),
        f"Pre-stocking list ({plan.total_units:,.0f} units in all, 90 % service level), largest items:",
    ]
    figs: list[str] = []
    top3 = order[:3]
    f = ctx.figure(
        "forecast.png",
        lambda ax: fc.plot(series=[fc.series_ids[i] for i in top3], ax=ax, history=panel),
        (8.0, 4.5),
    )
    if f:
        figs.append(f)
    return Section(
        title="Demand next week",
        lines=tuple(lines),
        headers=("item", "expected units", "90% low", "90% high", "pre-stock"),
        rows=rows_items,
        figures=tuple(figs),
    )


def _is_vip(customer: Any) -> bool:
    return customer is not None and ("vip" in customer.tags or customer.segment in {"Champions"})


def _routing(ctx: _Context, engines: Engines, time_limit: float, seed: int) -> Section:
    from distcrm.routing import VIP_PRIORITY, RoutingProblem, solve

    tomorrow = ctx.today + dt.timedelta(days=1)
    open_states = {OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED}
    due = [
        o
        for o in ctx.orders
        if o.status in open_states
        and o.promised_window is not None
        and o.promised_window.start.astimezone(ctx.tz).date() == tomorrow
    ]
    if not due or not ctx.vehicles or not ctx.depots:
        return Section(
            title="Tomorrow's deliveries",
            lines=(f"No open orders promised for {tomorrow.isoformat()}: nothing to plan.",),
        )
    customers = {c.id: c for c in ctx.customers}

    def priority(customer: Any, order: Any) -> int:
        return VIP_PRIORITY if _is_vip(customer) else 1

    problem = RoutingProblem.from_domain(
        due,
        None,
        ctx.vehicles,
        tomorrow,
        depots=ctx.depots,
        products={p.id: p for p in ctx.products},
        customers=customers,
        priority=priority,
        tz=ctx.tz,
    )
    plan = solve(problem, engines.routing, time_limit=time_limit, seed=seed)
    ctx.results["route_plan"] = plan
    # from_domain makes one stop per customer (its orders of the day together)
    vip_ids = {o.customer_id for o in due if _is_vip(customers.get(o.customer_id))}
    served = {sid.split("#")[0] for r in plan.routes for sid in r.stop_ids}  # "C-1#1": a second address
    vip_served = len(vip_ids & served)
    violations = plan.violations()
    rows = tuple(
        (
            r.vehicle_id if hasattr(r, "vehicle_id") else str(k),
            len(r.stop_ids),
            float(r.distance) / 1000.0,
            float(r.duration) / 3600.0,
            float(r.cost),
        )
        for k, r in enumerate(plan.routes)
    )
    lines = [
        f"{len(due)} orders promised for {tomorrow.isoformat()}; engine {plan.engine} ({plan.status}).",
        (
            f"{len(plan.routes)} routes, {sum(len(r.stop_ids) for r in plan.routes)} stops served, "
            f"{len(plan.unserved)} unserved; VIPs served: {vip_served} of {len(vip_ids)}."
        ),
        f"Independent check: {'feasible' if plan.is_feasible() else 'INFEASIBLE'}"
        + ("" if not violations else f" ({len(violations)} violations: {violations[0]})"),
    ]
    lines += [f"  unserved {u.stop_id}: {u.reason}" for u in plan.unserved]
    promised = plan.promised_windows(margin=1800.0)
    ctx.results["promised_windows"] = promised
    names = ctx.names
    first = [sid for r in plan.routes for sid in r.stop_ids][:5]
    lines.append(
        "Delivery windows to promise (ETA ± 30 min), first stops: "
        + "; ".join(
            f"{names.get(sid.split('#')[0], sid)} {_clock(promised[sid][0])}–{_clock(promised[sid][1])}"
            for sid in first
            if sid in promised
        )
    )
    fig = ctx.figure("routes.png", lambda ax: plan.plot(ax=ax), (7.0, 7.0))
    return Section(
        title="Tomorrow's deliveries",
        lines=tuple(lines),
        headers=("route", "stops", "km", "hours", "cost"),
        rows=rows,
        figures=() if fig is None else (fig,),
    )


def _clock(seconds: float) -> str:
    """Seconds since midnight as ``HH:MM``."""
    minutes = round(seconds / 60.0)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _shipment_arrays(ctx: _Context) -> dict[str, Any]:
    promised_end: list[dt.datetime] = []
    delivered_at: list[dt.datetime] = []
    attempts: list[int] = []
    for s in ctx.shipments:
        if s.planned_window is None or s.status is not ShipmentStatus.DELIVERED or s.delivered_at is None:
            continue
        promised_end.append(s.planned_window.end.astimezone(dt.UTC).replace(tzinfo=None))
        delivered_at.append(s.delivered_at.astimezone(dt.UTC).replace(tzinfo=None))
        attempts.append(s.attempts)
    return {
        "promised": np.array(promised_end, dtype="datetime64[s]"),
        "delivered": np.array(delivered_at, dtype="datetime64[s]"),
        "attempts": np.array(attempts, dtype=np.int64),
    }


def _kpis(ctx: _Context, engines: Engines, _tl: float, _seed: int) -> Section:
    from distcrm.kpi import delivery_kpis, sales_kpis

    sales = sales_kpis(ctx.log, freq="M")
    arr = _shipment_arrays(ctx)
    ctx.results["shipment_arrays"] = arr
    delivery = delivery_kpis(
        promised=arr["promised"],
        delivered=arr["delivered"],
        attempts=arr["attempts"],
        tolerance=dt.timedelta(minutes=15),
        freq="M",
    )
    ctx.results.update(sales_kpis=sales, delivery_kpis=delivery)
    months = [str(m)[:7] for m in sales[sales.index[0]]][-6:] if sales.index else []
    rows: list[tuple[Any, ...]] = []
    n = len(months)
    for name in ("revenue", "orders", "aov", "repeat_rate"):
        if name in sales.columns:
            vals = np.asarray(sales.metric(name), dtype=float)[-n:]
            rows.append((name, *(float(v) for v in vals)))
    for name in ("on_time_rate", "first_attempt_rate"):
        if name in delivery.columns:
            vals = np.asarray(delivery.metric(name), dtype=float)[-n:]
            rows.append((name, *(float(v) for v in vals)))
    figs = []
    f = ctx.figure("revenue.png", lambda ax: sales.plot("revenue", ax=ax))
    if f:
        figs.append(f)
    return Section(
        title="KPIs",
        lines=(
            "Monthly KPIs, last six months (on time = delivered within 15 minutes of the promised window's end).",
        ),
        headers=("kpi", *months),
        rows=tuple(rows),
        figures=tuple(figs),
    )


def _feedback(ctx: _Context, engines: Engines, _tl: float, seed: int) -> Section:
    from distcrm.feedback import case_sla, escalation_list, lateness_effect, negative_aspects, nps

    scores = np.array([f.nps for f in ctx.feedback if f.nps is not None], dtype=float)
    overall = nps(scores, method="bootstrap", random_state=seed)
    lines = [
        f"NPS {overall.value:+.1f} (95 % CI {overall.ci_low:+.1f} to {overall.ci_high:+.1f}, n={overall.n}).",
    ]
    # lateness effect: each answer joined to its shipment (minutes past the promised window)
    by_id = {s.id: s for s in ctx.shipments}
    lateness: list[float] = []
    late_scores: list[float] = []
    for fb in ctx.feedback:
        s = by_id.get(fb.shipment_id or "")
        if fb.nps is None or s is None or s.delivered_at is None or s.planned_window is None:
            continue
        lateness.append((s.delivered_at - s.planned_window.end).total_seconds() / 60.0)
        late_scores.append(float(fb.nps))
    effect = lateness_effect(np.array(lateness), np.array(late_scores), threshold=15.0)
    ctx.results["lateness_effect"] = effect
    if not effect.on_time.is_empty and not effect.late.is_empty:
        d = effect.difference
        lines.append(
            f"Lateness effect (late = more than 15 minutes after the window): NPS {effect.on_time.value:+.1f} "
            f"on time (n={effect.on_time.n}) vs {effect.late.value:+.1f} late (n={effect.late.n}); "
            f"difference {d.difference:+.1f} (95 % CI {d.ci_low:+.1f} to {d.ci_high:+.1f})"
            + (", significant." if d.significant() else ", not significant.")
        )
    # SLA breaches
    open_cases = [c for c in ctx.cases if c.status not in {CaseStatus.CLOSED}]
    statuses = [case_sla(c, now=ctx.now) for c in ctx.cases]
    breached = [st for st in statuses if st.breached]
    escalate = escalation_list([case_sla(c, now=ctx.now) for c in open_cases])
    lines.append(
        f"Complaint cases: {len(ctx.cases)} in all, {len(open_cases)} open; {len(breached)} breached an SLA; "
        f"{len(escalate)} to escalate now."
    )
    lines += [f"  escalate {st.case_id} ({st.priority}, {st.status})" for st in escalate[:5]]
    # top negative aspects of the free-text comments
    texts = [fb.text for fb in ctx.feedback if fb.text]
    pol = engines.sentiment.polarities(texts) if texts else np.zeros(0)
    aspects = negative_aspects(texts, pol)
    ctx.results.update(nps=overall, polarity=pol, aspects=aspects)
    lines.append(
        f"Sentiment of {aspects.n_texts} comments: {aspects.n_negative} negative "
        f"({aspects.n_negative / max(aspects.n_texts, 1):.0%}); the aspects they name most:"
    )
    return Section(
        title="Feedback",
        lines=tuple(lines),
        headers=("negative aspect", "comments"),
        rows=tuple(aspects.top(4)),
    )


def _care(ctx: _Context, engines: Engines, _tl: float, _seed: int) -> Section:
    from distcrm.care import CarePlanner, ContactTimeModel, HolidayCalendar

    s = ctx.summary
    p_alive = dict(zip(s.customer_ids.tolist(), ctx.results["p_alive"].tolist(), strict=True))
    value = dict(zip(s.customer_ids.tolist(), ctx.results["clv"].tolist(), strict=True))
    answered = [i for i in ctx.interactions if i.direction.value == "outbound" and i.responded is not None]
    timing = ContactTimeModel().fit(answered) if answered else None
    planner = CarePlanner(calendar=HolidayCalendar.china(), timing=timing)
    day = ctx.today + dt.timedelta(days=1)
    plan = planner.plan(
        day,
        ctx.customers,
        interactions=ctx.interactions,
        orders=ctx.orders,
        shipments=ctx.shipments,
        p_alive=p_alive,
        value=value,
    )
    ctx.results["care_plan"] = plan
    names = ctx.names
    rows = tuple(
        (
            names.get(a.customer_id, a.customer_id),
            a.trigger.value,
            a.channel.value,
            a.send_at.astimezone(ctx.tz).strftime("%H:%M"),
            a.reason,
        )
        for a in plan.actions[:15]
    )
    return Section(
        title="Care actions",
        lines=(
            (
                f"{len(plan.actions)} care actions for {day.isoformat()} "
                f"({len(plan.skipped)} skipped for consent, quiet hours or frequency caps)."
            ),
            f"Contact times learned from {len(answered)} answered outbound contacts."
            if answered
            else "No answered outbound contacts yet: contact times use the default hours.",
        ),
        headers=("customer", "trigger", "channel", "at", "reason"),
        rows=rows,
    )


def _loyalty(ctx: _Context, engines: Engines, _tl: float, _seed: int) -> Section:
    from decimal import Decimal

    from distcrm.loyalty import LoyaltyEngine, Programme, Tier

    currency = _currency(ctx)
    programme = Programme(
        id="standard",
        currency=currency,
        points_per_unit=Decimal(1),
        tiers=(
            Tier(name="base"),
            Tier(
                name="silver", min_spend=Decimal(5000), multiplier=Decimal("1.25"), discount=Decimal("0.02")
            ),
            Tier(name="gold", min_spend=Decimal(20000), multiplier=Decimal("1.5"), discount=Decimal("0.05")),
        ),
    )
    engine = LoyaltyEngine(programme)
    accounts: dict[str, LoyaltyAccount] = {}
    spend: dict[str, Decimal] = {}
    window_start = ctx.now - programme.tier_window
    paid = {OrderStatus.DELIVERED, OrderStatus.CLOSED}
    for o in sorted(ctx.orders, key=lambda o: o.created_at):
        if o.status not in paid or o.created_at > ctx.now:
            continue
        acc = accounts.get(o.customer_id) or LoyaltyAccount(
            id=f"L-{o.customer_id}", customer_id=o.customer_id, programme_id=programme.id, tier="base"
        )
        accounts[o.customer_id] = engine.earn(acc, o, at=o.created_at)
        if o.created_at >= window_start:
            spend[o.customer_id] = spend.get(o.customer_id, Decimal(0)) + o.total().amount
    tiers: dict[str, int] = {}
    balances = []
    for cid, acc in accounts.items():
        acc = engine.review_tier(engine.expire(acc, ctx.now), spend.get(cid, Decimal(0)))
        accounts[cid] = acc
        tiers[acc.tier] = tiers.get(acc.tier, 0) + 1
        balances.append(engine.balance(acc, ctx.now))
    ctx.results["loyalty_accounts"] = accounts
    rows = tuple((t.name, tiers.get(t.name, 0)) for t in programme.tiers)
    return Section(
        title="Loyalty",
        lines=(
            (
                f"{len(accounts)} members; {int(np.sum(balances)):,} points outstanding "
                f"(worth {programme.points_value(int(np.sum(balances)))}); tiers by trailing 12-month spend:"
            ),
        ),
        headers=("tier", "members"),
        rows=rows,
    )


def _pilot(ctx: _Context, engines: Engines, _tl: float, _seed: int) -> Section:
    from distcrm.kpi import before_after

    arr = ctx.results.get("shipment_arrays") or _shipment_arrays(ctx)
    promised, delivered = arr["promised"], arr["delivered"]
    on_time = delivered <= promised + np.timedelta64(15, "m")
    cut = np.datetime64(ctx.now.astimezone(dt.UTC).replace(tzinfo=None), "s") - np.timedelta64(90, "D")
    start = cut - np.timedelta64(90, "D")
    after = on_time[promised >= cut]
    before = on_time[(promised >= start) & (promised < cut)]
    if before.size == 0 or after.size == 0:
        return Section(
            title="Pilot evaluation", lines=("Not enough deliveries on both sides of the change.",)
        )
    result = before_after(before, after, metric="on-time rate", kind="proportion")
    ctx.results["pilot"] = result
    return Section(
        title="Pilot evaluation",
        lines=(
            (
                "Before/after: on-time delivery rate in the last 90 days vs the 90 days before "
                "(e.g. after a routing change)."
            ),
            result.verdict(),
        ),
    )
