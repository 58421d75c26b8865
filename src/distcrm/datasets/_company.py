"""A seeded synthetic distribution company built from domain objects.

The generative story, so that analytic engines have something real to find:

* customers live around a city centre (distance from the centre is gamma distributed,
  the district follows the bearing); three in four are businesses (shops, restaurants,
  offices), the rest households;
* each customer buys as in the BG/NBD model: while alive, orders arrive as a Poisson
  process with a gamma-distributed rate (modulated by a weekly and a yearly season), and
  after every order the customer drops out with a beta-distributed probability;
* products have categories, brands, weights and volumes; what is ordered follows
  category seasonality and the customer's preferred categories;
* orders promise a delivery window (next working day, the address's delivery slot);
  a depot and a fleet deliver them; far customers are more often late and a few first
  attempts fail;
* feedback (NPS, CSAT, CES and short texts in English or Chinese) gets worse with
  lateness and failed attempts; bad experiences open complaint cases;
* interactions log onboarding calls, sales visits and complaint follow-ups;
  birthdays, consents and a few VIP accounts are there for care and loyalty work.

Everything is drawn from one ``numpy.random.Generator`` seeded with ``seed``: the same
arguments give equal companies.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from distcrm.domain import (
    Address,
    AddressKind,
    CasePriority,
    Channel,
    ComplaintCase,
    Consent,
    ConsentPurpose,
    ContactPerson,
    ContactPoint,
    Customer,
    CustomerKind,
    CustomerStatus,
    DeliveryFailureReason,
    Depot,
    Direction,
    Driver,
    Feedback,
    GeoPoint,
    Interaction,
    InteractionChannel,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Preferences,
    Product,
    ProofOfDelivery,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    SlaTargets,
    StatusChange,
    TimeWindow,
    TrackingEvent,
    Vehicle,
    WeeklyWindow,
)
from distcrm.errors import FieldError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from distcrm.data import TransactionLog

__all__ = ["CompanyTruth", "SyntheticCompany", "make_company"]

_DISTRICTS = ("Huangpu", "Xuhui", "Changning", "Jing'an", "Putuo", "Hongkou", "Yangpu", "Pudong")
_DISTRICTS_ZH = ("黄浦", "徐汇", "长宁", "静安", "普陀", "虹口", "杨浦", "浦东")
_STREETS = ("Nanjing", "Huaihai", "Yan'an", "Zhongshan", "Siping", "Century", "Hengshan", "Xizang")
_SURNAMES = (("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
             ("Zhao", "赵"), ("Huang", "黄"), ("Zhou", "周"), ("Wu", "吴"), ("Xu", "徐"), ("Sun", "孙"))  # fmt: skip
_GIVEN = (("Wei", "伟"), ("Fang", "芳"), ("Na", "娜"), ("Min", "敏"), ("Jing", "静"), ("Lei", "磊"),
          ("Qiang", "强"), ("Yang", "洋"), ("Yan", "艳"), ("Jie", "杰"), ("Tao", "涛"), ("Ming", "明"))  # fmt: skip
_BUSINESS = (
    ("retail", "Fresh Mart", "生鲜超市"),
    ("retail", "Convenience Store", "便利店"),
    ("restaurant", "Noodle House", "面馆"),
    ("restaurant", "Hotpot Restaurant", "火锅店"),
    ("restaurant", "Cafe", "咖啡馆"),
    ("office", "Trading Co.", "贸易公司"),
    ("office", "Tech Office", "科技公司"),
)
_STAFF = ("Amy Zhu", "Ben Lu", "Cathy Qian", "David He", "Eva Song")

# category: (brands, unit, price range CNY, weight range kg, yearly amplitude, peak day of year)
_CATEGORIES: dict[str, tuple[tuple[str, ...], str, tuple[float, float], tuple[float, float], float, int]] = {
    "beverages": (("Nongfu", "Wahaha", "Master Kong"), "case", (24, 96), (6, 14), 0.45, 200),
    "dairy": (("Bright", "Mengniu", "Yili"), "case", (36, 120), (4, 9), 0.10, 100),
    "snacks": (("Oishi", "Three Squirrels", "Want Want"), "box", (18, 80), (1, 4), 0.30, 25),
    "frozen": (("Synear", "Wanchai Ferry", "Sanquan"), "box", (30, 150), (3, 10), 0.55, 210),
    "rice & oil": (("Arawana", "Fortune", "Golden Dragon"), "bag", (40, 160), (5, 25), 0.30, 20),
    "household": (("Blue Moon", "Liby", "Vinda"), "pack", (15, 90), (1, 6), 0.05, 300),
}
_NOUNS = {
    "beverages": ("mineral water 24x550ml", "green tea 15x500ml", "orange juice 12x1L", "soda 24x330ml"),
    "dairy": ("fresh milk 12x1L", "yoghurt 24x100g", "UHT milk 12x250ml"),
    "snacks": ("rice crackers", "mixed nuts", "seaweed snacks", "biscuits"),
    "frozen": ("pork dumplings 1kg", "glutinous rice balls", "frozen buns", "ice cream 12x"),
    "rice & oil": ("jasmine rice 10kg", "peanut oil 5L", "soy sauce 6x500ml"),
    "household": ("laundry liquid 3L", "tissues 12 rolls", "dish soap 2L"),
}

_TEXTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("en", "promoter"): (
        "Delivered on time and everything was in perfect condition.",
        "Great service, the driver was friendly and punctual.",
        "Always reliable, we will keep ordering.",
    ),
    ("en", "passive"): (
        "Order arrived fine, nothing special.",
        "Good products, delivery could be a bit faster.",
        "Okay overall, one item was close to its expiry date.",
    ),
    ("en", "detractor"): (
        "The delivery was late again and nobody called us.",
        "Very disappointed, the driver came hours after the slot.",
        "Missed delivery, we had to reorder elsewhere.",
    ),
    ("zh", "promoter"): ("准时送达，包装完好，非常满意。", "司机很热情，送货准时，点赞！", "一直很靠谱，会继续订货。"),
    ("zh", "passive"): ("货到了，还可以。", "产品不错，配送可以再快一点。", "总体还行，有一件临近保质期。"),
    ("zh", "detractor"): ("又送晚了，也没人提前通知。", "很失望，司机比约定时间晚了好几个小时。", "没送到，只好去别家重新订货。"),
}  # fmt: skip
_LATE_NOTE = {"en": " Late by about {m} minutes.", "zh": "晚了大约{m}分钟。"}

_COMPANY_SHARE = 0.75


@attrs.frozen(kw_only=True)
class CompanyTruth:
    """The latent parameters the company was drawn from (for checking models against).

    ``purchase_rate`` is orders per day while alive; ``dropout_probability`` the chance
    to leave after each order; ``alive_until`` the day offset (from ``start``) when the
    customer left, or ``None`` if still active at the end.
    """

    customer_ids: tuple[str, ...]
    purchase_rate: tuple[float, ...]
    dropout_probability: tuple[float, ...]
    alive_until: tuple[float | None, ...]


@attrs.frozen(kw_only=True)
class SyntheticCompany:
    """A synthetic sales-and-delivery company: customers, products, orders, deliveries, feedback.

    Build one with :func:`make_company`. All collections are tuples of validated domain
    objects; :meth:`transaction_log` gives the columnar view for the engines.
    """

    seed: int
    start: dt.date
    days: int
    city: str
    currency: str
    timezone: dt.tzinfo
    depot: Depot
    vehicles: tuple[Vehicle, ...]
    drivers: tuple[Driver, ...]
    products: tuple[Product, ...]
    customers: tuple[Customer, ...]
    orders: tuple[Order, ...]
    shipments: tuple[Shipment, ...]
    feedback: tuple[Feedback, ...]
    cases: tuple[ComplaintCase, ...]
    interactions: tuple[Interaction, ...]
    truth: CompanyTruth

    @property
    def end(self) -> dt.date:
        """The last day of the simulated period."""
        return self.start + dt.timedelta(days=self.days - 1)

    def transaction_log(self, **kwargs: Any) -> TransactionLog:
        """The orders as a :class:`~distcrm.data.TransactionLog` (keywords go to ``from_orders``)."""
        from distcrm.data import TransactionLog

        return TransactionLog.from_orders(self.orders, **kwargs)

    def counts(self) -> dict[str, int]:
        """How many objects of each kind the company holds."""
        return {
            "customers": len(self.customers),
            "products": len(self.products),
            "orders": len(self.orders),
            "shipments": len(self.shipments),
            "feedback": len(self.feedback),
            "cases": len(self.cases),
            "interactions": len(self.interactions),
            "vehicles": len(self.vehicles),
        }

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        return f"<SyntheticCompany seed={self.seed} {self.city} {self.start}..{self.end}: {inner}>"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th>{k}</th><td>{v:,}</td></tr>" for k, v in self.counts().items())
        return (
            f"<p><b>SyntheticCompany</b> (seed {self.seed}): {html.escape(self.city)}, "
            f"{self.start} … {self.end}, depot {html.escape(self.depot.name)}</p><table>{rows}</table>"
        )


def _money(x: float, currency: str) -> Money:
    return Money(amount=Decimal(f"{x:.2f}"), currency=currency)


_WEEKLY = (1.1, 1.0, 1.0, 1.05, 1.2, 0.8, 0.35)  # Monday..Sunday order intensity


def make_company(
    seed: int = 0,
    *,
    n_customers: int = 500,
    days: int = 365,
    start: dt.date | str = dt.date(2024, 1, 1),
    n_products: int = 40,
    centre: tuple[float, float] = (31.2304, 121.4737),
    city: str = "Shanghai",
    country: str = "CN",
    currency: str = "CNY",
    utc_offset_hours: float = 8.0,
) -> SyntheticCompany:
    """A realistic synthetic distribution company, deterministic for ``seed``.

    Parameters
    ----------
    seed
        Seed of the one random generator everything is drawn from.
    n_customers
        Customers, placed around ``centre`` (about half exist before ``start``, the
        rest join during the period).
    days
        Length of the simulated period, from ``start``.
    start
        First day (a date or an ISO string).
    n_products
        Products in the catalogue (6 categories).
    centre, city, country, currency, utc_offset_hours
        Where the company is: coordinates of the city centre, names and codes, and the
        local time offset of every timestamp.

    Examples
    --------
    >>> c = make_company(seed=1, n_customers=30, days=60)
    >>> len(c.customers), c.currency, c.depot.name
    (30, 'CNY', 'Shanghai DC')
    >>> make_company(seed=1, n_customers=30, days=60) == c
    True
    """
    problems: list[FieldError] = []
    if not isinstance(n_customers, int) or n_customers < 1:
        problems.append(FieldError("$.n_customers", "must be an integer >= 1", n_customers))
    if not isinstance(days, int) or days < 7:
        problems.append(FieldError("$.days", "must be an integer >= 7", days))
    if not isinstance(n_products, int) or n_products < 6:
        problems.append(FieldError("$.n_products", "must be an integer >= 6", n_products))
    try:
        start_date = dt.date.fromisoformat(start) if isinstance(start, str) else start
    except ValueError:
        problems.append(FieldError("$.start", "must be a date (YYYY-MM-DD)", start))
        start_date = dt.date(2024, 1, 1)
    if problems:
        raise ValidationError(problems)
    return _Builder(
        seed=seed,
        n_customers=n_customers,
        days=days,
        start=start_date,
        n_products=n_products,
        centre=centre,
        city=city,
        country=country,
        currency=currency,
        tz=dt.timezone(dt.timedelta(hours=utc_offset_hours)),
    ).build()


class _Builder:
    def __init__(
        self,
        *,
        seed: int,
        n_customers: int,
        days: int,
        start: dt.date,
        n_products: int,
        centre: tuple[float, float],
        city: str,
        country: str,
        currency: str,
        tz: dt.tzinfo,
    ) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.n = n_customers
        self.days = days
        self.start = start
        self.n_products = n_products
        self.centre = centre
        self.city = city
        self.country = country
        self.currency = currency
        self.tz = tz
        self._order_lines: dict[tuple[str, int, Decimal, bool], OrderLine] = {}
        self._shipment_lines: dict[tuple[str, int], ShipmentLine] = {}
        self.t0 = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
        self.end = self.t0 + dt.timedelta(days=days)
        try:
            import zoneinfo

            zoneinfo.ZoneInfo("Asia/Shanghai")
            self.tz_name: str | None = "Asia/Shanghai" if city == "Shanghai" else None
        except Exception:  # no tz database on this machine: leave the preference empty
            self.tz_name = None

    # ------------------------------------------------------------------ helpers
    def order_line(self, pid: str, q: int, price: Money, discount: Decimal, delivered: bool) -> OrderLine:
        """An order line; equal lines are one shared (immutable) object."""
        key = (pid, q, discount, delivered)
        line = self._order_lines.get(key)
        if line is None:
            line = OrderLine(
                product_id=pid,
                quantity=Decimal(q),
                unit_price=price,
                discount=discount,
                delivered_quantity=Decimal(q) if delivered else Decimal(0),
            )
            self._order_lines[key] = line
        return line

    def shipment_line(self, pid: str, q: int) -> ShipmentLine:
        """A shipment line; equal lines are one shared (immutable) object."""
        line = self._shipment_lines.get((pid, q))
        if line is None:
            line = self._shipment_lines[(pid, q)] = ShipmentLine(product_id=pid, quantity=Decimal(q))
        return line

    def at(self, day: float) -> dt.datetime:
        """The local time ``day`` days (fractional) after the start, to the second."""
        return self.t0 + dt.timedelta(seconds=round(day * 86400))

    def geo(self, lat: float, lon: float) -> GeoPoint:
        return GeoPoint(lat=round(lat, 6), lon=round(lon, 6))

    # ------------------------------------------------------------------ parts
    def products(self) -> tuple[list[Product], np.ndarray, np.ndarray, list[str]]:
        rng = self.rng
        cats = list(_CATEGORIES)
        out: list[Product] = []
        cat_of = np.zeros(self.n_products, dtype=np.intp)
        for k in range(self.n_products):
            ci = k % len(cats)
            cat = cats[ci]
            brands, unit, (plo, phi), (wlo, whi), _, _ = _CATEGORIES[cat]
            brand = brands[int(rng.integers(len(brands)))]
            noun = _NOUNS[cat][int(rng.integers(len(_NOUNS[cat])))]
            weight = float(rng.uniform(wlo, whi))
            out.append(
                Product(
                    id=f"P-{k + 1:03d}",
                    sku=f"{cat[:3].upper()}-{k + 1:03d}",
                    name=f"{brand} {noun}",
                    category=cat,
                    brand=brand,
                    unit=unit,
                    weight_kg=round(weight, 2),
                    volume_m3=round(weight / 600.0 * float(rng.uniform(0.8, 1.6)), 4),
                    list_price=_money(float(rng.uniform(plo, phi)), self.currency),
                    barcode=f"69{int(rng.integers(10**10, 10**11)):011d}",
                    tags=frozenset({"chilled"}) if cat in ("dairy", "frozen") else frozenset(),
                )
            )
            cat_of[k] = ci
        popularity = rng.gamma(1.2, 1.0, self.n_products)
        return out, cat_of, popularity, cats

    def depot_and_fleet(self) -> tuple[Depot, list[Vehicle], list[Driver]]:
        rng = self.rng
        lat, lon = self.centre
        depot_geo = self.geo(lat - 0.05, lon + 0.03)
        depot = Depot(
            id="D-1",
            name=f"{self.city} DC",
            location=depot_geo,
            address=Address(
                line1="1 Logistics Park Rd",
                city=self.city,
                country=self.country,
                geo=depot_geo,
                kind=AddressKind.SHIPPING,
            ),
            opening=(dt.time(5, 30), dt.time(22, 0)),
        )
        n_veh = max(2, math.ceil(self.n / 80))
        vehicles, drivers = [], []
        for k in range(n_veh):
            big = k % 3 == 0
            cold = k % 2 == 1
            vehicles.append(
                Vehicle(
                    id=f"V-{k + 1:02d}",
                    name=f"{'Truck' if big else 'Van'} {k + 1}",
                    capacity_weight_kg=3000.0 if big else 1200.0,
                    capacity_volume_m3=18.0 if big else 8.0,
                    capacity_units=300 if big else 120,
                    shift=(dt.time(7, 0), dt.time(19, 0)),
                    cost_per_km=_money(3.2 if big else 2.1, self.currency),
                    cost_per_hour=_money(60 if big else 45, self.currency),
                    fixed_cost=_money(400 if big else 250, self.currency),
                    depot_id=depot.id,
                    skills=frozenset({"refrigerated"}) if cold else frozenset(),
                    license_plate=f"沪A{int(rng.integers(10000, 99999))}",
                    fuel_type="electric" if not big else "diesel",
                )
            )
            sur = _SURNAMES[int(rng.integers(len(_SURNAMES)))][0]
            given = _GIVEN[int(rng.integers(len(_GIVEN)))][0]
            drivers.append(
                Driver(
                    id=f"DR-{k + 1:02d}",
                    name=f"{sur} {given}",
                    depot_id=depot.id,
                    skills=frozenset({"refrigerated"}) if cold else frozenset(),
                    shift=(dt.time(7, 0), dt.time(19, 0)),
                    phone=f"+86 139{int(rng.integers(10**7, 10**8)):08d}",
                )
            )
        return depot, vehicles, drivers

    def build(self) -> SyntheticCompany:
        rng = self.rng
        n = self.n
        products, cat_of, popularity, cats = self.products()
        depot, vehicles, drivers = self.depot_and_fleet()
        n_cats = len(cats)

        # --- customers: place, kind, size, BG/NBD parameters (vectorised draws)
        is_company = rng.random(n) < _COMPANY_SHARE
        dist_km = np.minimum(rng.gamma(2.0, 4.0, n), 45.0)
        bearing = rng.uniform(0, 2 * np.pi, n)
        lat0, lon0 = self.centre
        lat = lat0 + dist_km * np.cos(bearing) / 111.0
        lon = lon0 + dist_km * np.sin(bearing) / (111.0 * math.cos(math.radians(lat0)))
        district = (bearing / (2 * np.pi) * len(_DISTRICTS)).astype(int) % len(_DISTRICTS)
        size = np.where(is_company, rng.lognormal(0.0, 0.6, n), 0.15)
        rate = rng.gamma(1.6, 1.0 / 15.0, n) * np.where(is_company, 1.0, 0.6)  # orders per day
        dropout = rng.beta(1.0, 30.0, n)  # B2B accounts churn slowly: ~30 orders before dropping out
        existing = rng.random(n) < 0.5
        join_day = np.where(existing, 0.0, rng.uniform(0, self.days * 0.85, n))
        created_day = np.where(existing, -rng.uniform(30, 720, n), join_day)
        zh = rng.random(n) < 0.8
        value_score = rate * size
        vip = value_score >= np.quantile(value_score, 0.97)
        pref = np.stack([rng.choice(n_cats, size=2, replace=False) for _ in range(n)])
        slot_am = rng.random(n) < 0.6

        # --- purchase times: thinned Poisson process with dropout
        season_peak = np.array([_CATEGORIES[c][5] for c in cats])
        season_amp = np.array([_CATEGORIES[c][4] for c in cats])
        doy0 = self.start.timetuple().tm_yday
        order_events: list[tuple[float, int]] = []
        alive_until: list[float | None] = []
        max_mult = max(_WEEKLY) * 1.15
        for i in range(n):
            t = join_day[i]
            first = not existing[i]
            died: float | None = None
            while True:
                if first:
                    t_next = t + float(rng.uniform(0.0, 0.5))
                    first = False
                else:
                    t_next = t + float(rng.exponential(1.0 / (rate[i] * max_mult)))
                    weekday = (self.start.weekday() + int(t_next)) % 7
                    mult = _WEEKLY[weekday] * (
                        1 + 0.15 * math.cos(2 * math.pi * (doy0 + t_next - 20) / 365.25)
                    )
                    if rng.random() * max_mult > mult:
                        t = t_next
                        continue
                t = t_next
                if t >= self.days:
                    break
                hour = float(rng.uniform(8, 20)) / 24
                order_events.append((math.floor(t) + hour, i))
                if rng.random() < dropout[i]:
                    died = t
                    break
            alive_until.append(died)
        order_events.sort()
        doy = doy0 + np.arange(self.days)[:, None]
        cat_season = 1.0 + season_amp * np.cos(2 * np.pi * (doy - season_peak) / 365.25)
        product_season = popularity * cat_season[:, cat_of]  # (days, products)
        pref_boost = np.where((cat_of[None, :, None] == pref[:, None, :]).any(axis=2), 3.0, 1.0)

        # --- orders, shipments, feedback, cases
        cust_ids = [f"C-{i + 1:04d}" for i in range(n)]
        addresses = [
            self.address(i, lat[i], lon[i], district[i], bool(slot_am[i]), bool(is_company[i]))
            for i in range(n)
        ]
        weights = np.array([p.weight_kg for p in products])
        list_prices = [p.list_price or _money(0, self.currency) for p in products]
        orders: list[Order] = []
        shipments: list[Shipment] = []
        feedback: list[Feedback] = []
        cases: list[ComplaintCase] = []
        interactions: list[Interaction] = []
        last_order_day = np.full(n, np.nan)
        for k, (day, i) in enumerate(order_events):
            oid = f"SO-{k + 1:06d}"
            created = self.at(day)
            last_order_day[i] = day
            w = product_season[int(day)] * pref_boost[i]
            n_lines = int(min(1 + rng.poisson(1.6 if is_company[i] else 0.8), 6))
            chosen = rng.choice(self.n_products, size=n_lines, replace=False, p=w / w.sum())
            chosen.sort()
            qty = 1 + rng.poisson(6.0 * size[i], n_lines)
            discount = Decimal("0.05") if vip[i] else (Decimal("0.1") if rng.random() < 0.08 else Decimal(0))
            lines = [
                (products[int(p)].id, int(q), list_prices[int(p)]) for p, q in zip(chosen, qty, strict=True)
            ]
            # promised window: next working day (or the one after, for afternoon orders)
            lead = 1 if (day % 1) * 24 < 14 else 2
            deliver_day = math.floor(day) + lead
            while (self.start.weekday() + deliver_day) % 7 == 6:
                deliver_day += 1
            ws, we = (9, 12) if slot_am[i] else (14, 18)
            window = TimeWindow(start=self.at(deliver_day + ws / 24), end=self.at(deliver_day + we / 24))
            confirm_at = created + dt.timedelta(minutes=int(rng.integers(2, 40)))
            cancelled = rng.random() < 0.02
            in_future = window.end > self.end
            status = OrderStatus.CONFIRMED
            history: list[StatusChange[OrderStatus]] = []
            delivered_q = False
            if day > self.days - 1 and rng.random() < 0.3:
                status = OrderStatus.DRAFT
            elif cancelled:
                cancel_at = confirm_at + dt.timedelta(hours=float(rng.uniform(0.5, 8)))
                history = [
                    StatusChange(
                        at=confirm_at, from_status=OrderStatus.DRAFT, to_status=OrderStatus.CONFIRMED
                    ),
                    StatusChange(
                        at=cancel_at,
                        from_status=OrderStatus.CONFIRMED,
                        to_status=OrderStatus.CANCELLED,
                        note="customer changed the order",
                    ),
                ]
                status = OrderStatus.CANCELLED
            else:
                history = [
                    StatusChange(
                        at=confirm_at, from_status=OrderStatus.DRAFT, to_status=OrderStatus.CONFIRMED
                    )
                ]
            shipment = None
            if status is OrderStatus.CONFIRMED:
                vehicle_k = int(district[i]) % len(vehicles)
                shipment, outcome = self.shipment(
                    k,
                    oid,
                    cust_ids[i],
                    addresses[i],
                    window,
                    lines,
                    weights,
                    chosen,
                    float(dist_km[i]),
                    vehicles[vehicle_k].id,
                    drivers[vehicle_k].id,
                    depot.id,
                    in_future,
                )
                if outcome is not None:
                    delivered_at, late_min, failed = outcome
                    history.append(
                        StatusChange(
                            at=delivered_at,
                            from_status=OrderStatus.CONFIRMED,
                            to_status=OrderStatus.DELIVERED,
                        )
                    )
                    status = OrderStatus.DELIVERED
                    delivered_q = True
                    close_at = delivered_at + dt.timedelta(days=7)
                    if close_at < self.end:
                        history.append(
                            StatusChange(
                                at=close_at, from_status=OrderStatus.DELIVERED, to_status=OrderStatus.CLOSED
                            )
                        )
                        status = OrderStatus.CLOSED
                    self.after_delivery(
                        i,
                        cust_ids[i],
                        oid,
                        shipment.id,
                        delivered_at,
                        late_min,
                        failed,
                        "zh" if zh[i] else "en",
                        feedback,
                        cases,
                        interactions,
                    )
            order = Order(
                id=oid,
                customer_id=cust_ids[i],
                lines=tuple(self.order_line(pid, q, price, discount, delivered_q) for pid, q, price in lines),
                status=status,
                created_at=created,
                currency=self.currency,
                promised_window=window,
                shipping_address=addresses[i],
                history=tuple(history),
                salesperson=_STAFF[i % len(_STAFF)],
                sales_channel="wechat"
                if zh[i] and not is_company[i]
                else ("phone" if is_company[i] else "web"),
                cancel_reason="customer changed the order" if status is OrderStatus.CANCELLED else None,
            )
            orders.append(order)
            if shipment is not None:
                shipments.append(shipment)

        customers = [
            self.customer(
                i,
                cust_ids[i],
                bool(is_company[i]),
                bool(zh[i]),
                bool(vip[i]),
                addresses[i],
                int(district[i]),
                float(created_day[i]),
                float(last_order_day[i]),
                [cats[int(c)] for c in pref[i]],
                interactions,
            )
            for i in range(n)
        ]
        interactions.sort(key=lambda x: (x.at, x.id))
        return SyntheticCompany(
            seed=self.seed,
            start=self.start,
            days=self.days,
            city=self.city,
            currency=self.currency,
            timezone=self.tz,
            depot=depot,
            vehicles=tuple(vehicles),
            drivers=tuple(drivers),
            products=tuple(products),
            customers=tuple(customers),
            orders=tuple(orders),
            shipments=tuple(shipments),
            feedback=tuple(feedback),
            cases=tuple(cases),
            interactions=tuple(interactions),
            truth=CompanyTruth(
                customer_ids=tuple(cust_ids),
                purchase_rate=tuple(float(r) for r in rate),
                dropout_probability=tuple(float(p) for p in dropout),
                alive_until=tuple(alive_until),
            ),
        )

    def address(self, i: int, lat: float, lon: float, district: int, am: bool, company: bool) -> Address:
        rng = self.rng
        hours = (dt.time(9), dt.time(12)) if am else (dt.time(14), dt.time(18))
        weekdays = range(6) if company else (5,) if rng.random() < 0.3 else range(7)
        return Address(
            line1=f"{int(rng.integers(1, 999))} {_STREETS[int(rng.integers(len(_STREETS)))]} Rd",
            line2=f"Unit {int(rng.integers(1, 40))}" if company else None,
            city=self.city,
            region=_DISTRICTS[district],
            postcode=f"200{int(rng.integers(0, 999)):03d}",
            country=self.country,
            geo=self.geo(lat, lon),
            instructions="Use the loading bay at the back" if company and rng.random() < 0.3 else None,
            delivery_windows=tuple(WeeklyWindow(weekday=d, start=hours[0], end=hours[1]) for d in weekdays),
            kind=AddressKind.SHIPPING,
            primary=True,
        )

    def shipment(
        self,
        k: int,
        order_id: str,
        customer_id: str,
        address: Address,
        window: TimeWindow,
        lines: Sequence[tuple[str, int, Any]],
        weights: np.ndarray,
        chosen: np.ndarray,
        dist_km: float,
        vehicle_id: str,
        driver_id: str,
        depot_id: str,
        in_future: bool,
    ) -> tuple[Shipment, tuple[dt.datetime, float, bool] | None]:
        rng = self.rng
        sid = f"SH-{k + 1:06d}"
        weight = float(sum(weights[int(p)] * q for p, (_, q, _) in zip(chosen, lines, strict=True)))
        base: dict[str, Any] = {
            "id": sid,
            "order_id": order_id,
            "customer_id": customer_id,
            "planned_window": window,
            "address": address,
            "lines": tuple(self.shipment_line(pid, q) for pid, q, _ in lines),
            "vehicle_id": vehicle_id,
            "driver_id": driver_id,
            "depot_id": depot_id,
            "weight_kg": round(weight, 2),
            "tracking_ref": f"TRK{k + 1:08d}",
        }
        if in_future:
            return Shipment(status=ShipmentStatus.PLANNED, **base), None
        day_start = window.start.replace(hour=0, minute=0, second=0)
        p_fail = min(0.015 + 0.002 * dist_km, 0.12)
        p_late = min(0.06 + 0.012 * dist_km, 0.6)
        events: list[TrackingEvent] = []
        attempts = 1
        failed = rng.random() < p_fail
        load_at = day_start + dt.timedelta(hours=7, minutes=int(rng.integers(0, 30)))
        out_at = load_at + dt.timedelta(minutes=int(rng.integers(20, 50)))
        events += [
            TrackingEvent(at=load_at, status=ShipmentStatus.LOADED, place="depot"),
            TrackingEvent(at=out_at, status=ShipmentStatus.OUT_FOR_DELIVERY),
        ]
        win = window
        if failed:
            reason = (
                DeliveryFailureReason.CUSTOMER_ABSENT
                if rng.random() < 0.7
                else DeliveryFailureReason.ADDRESS_NOT_FOUND
            )
            fail_at = window.start + dt.timedelta(minutes=int(rng.integers(0, 120)))
            win = TimeWindow(start=window.start + dt.timedelta(days=1), end=window.end + dt.timedelta(days=1))
            load2 = day_start + dt.timedelta(days=1, hours=7, minutes=int(rng.integers(0, 30)))
            events += [
                TrackingEvent(at=fail_at, status=ShipmentStatus.FAILED, note=reason.value),
                TrackingEvent(
                    at=fail_at + dt.timedelta(hours=1), status=ShipmentStatus.PLANNED, note="replanned"
                ),
                TrackingEvent(at=load2, status=ShipmentStatus.LOADED, place="depot"),
                TrackingEvent(at=load2 + dt.timedelta(minutes=30), status=ShipmentStatus.OUT_FOR_DELIVERY),
            ]
            attempts = 2
        span = (win.end - win.start).total_seconds()
        if rng.random() < p_late:
            late_min = float(rng.exponential(35.0 + 2.5 * dist_km)) + 1.0
            arrive = win.end + dt.timedelta(minutes=late_min)
        else:
            arrive = win.start + dt.timedelta(seconds=float(rng.uniform(0, span)))
        arrive = max(arrive, events[-1].at + dt.timedelta(minutes=10)).replace(microsecond=0)
        late_vs_promise = max((arrive - window.end).total_seconds() / 60.0, 0.0)
        if arrive >= self.end:
            return Shipment(status=ShipmentStatus.PLANNED, **base), None
        pod = ProofOfDelivery(signed_by="receiver", at=arrive, location=address.geo)
        events.append(TrackingEvent(at=arrive, status=ShipmentStatus.DELIVERED, place=address.geo))
        shipment = Shipment(
            status=ShipmentStatus.DELIVERED,
            events=tuple(events),
            attempts=attempts,
            proof_of_delivery=pod,
            delivered_at=arrive,
            reason_code=None,
            **base,
        )
        return shipment, (arrive, late_vs_promise, failed)

    def after_delivery(
        self,
        i: int,
        customer_id: str,
        order_id: str,
        shipment_id: str,
        delivered_at: dt.datetime,
        late_min: float,
        failed: bool,
        lang: str,
        feedback: list[Feedback],
        cases: list[ComplaintCase],
        interactions: list[Interaction],
    ) -> None:
        rng = self.rng
        bad = late_min > 0 or failed
        if rng.random() > (0.45 if bad else 0.22):
            return
        at = delivered_at + dt.timedelta(hours=float(rng.uniform(1, 48)))
        if at >= self.end:
            return
        at = at.replace(microsecond=0)
        mood = 8.6 - min(late_min, 240) / 40.0 - (2.5 if failed else 0.0) + float(rng.normal(0, 1.3))
        nps = int(np.clip(round(mood), 0, 10))
        csat = int(np.clip(round(1 + 4 * (mood - 1) / 9 + rng.normal(0, 0.4)), 1, 5))
        ces = int(np.clip(round(2 + (1.5 if failed else 0) + late_min / 60 + rng.normal(0, 0.8)), 1, 7))
        bucket = "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"
        options = _TEXTS[(lang, bucket)]
        text = options[int(rng.integers(len(options)))]
        if late_min >= 15 and bucket != "promoter":
            text += _LATE_NOTE[lang].format(m=int(round(late_min / 5) * 5))
        fid = f"FB-{len(feedback) + 1:06d}"
        feedback.append(
            Feedback(
                id=fid,
                customer_id=customer_id,
                at=at,
                nps=nps,
                csat=csat,
                ces=ces,
                text=text,
                language="zh-CN" if lang == "zh" else "en",
                order_id=order_id,
                shipment_id=shipment_id,
                channel=InteractionChannel.WECHAT if lang == "zh" else InteractionChannel.EMAIL,
                tags=frozenset({"late"}) if late_min > 0 else frozenset(),
            )
        )
        if nps <= 4 and bad and rng.random() < 0.7:
            self.case(customer_id, order_id, shipment_id, at, failed, lang, cases, interactions)

    def case(
        self,
        customer_id: str,
        order_id: str,
        shipment_id: str,
        at: dt.datetime,
        failed: bool,
        lang: str,
        cases: list[ComplaintCase],
        interactions: list[Interaction],
    ) -> None:
        rng = self.rng
        cid = f"CASE-{len(cases) + 1:05d}"
        subject = (
            ("配送失败" if failed else "配送延误")
            if lang == "zh"
            else ("Failed delivery" if failed else "Late delivery")
        )
        case = ComplaintCase(
            id=cid,
            customer_id=customer_id,
            opened_at=at,
            subject=subject,
            description="Customer complained after a delivery problem.",
            priority=CasePriority.HIGH if failed else CasePriority.NORMAL,
            sla=SlaTargets(first_response=dt.timedelta(hours=4), resolution=dt.timedelta(hours=48)),
            category="delivery",
            channel=InteractionChannel.WECHAT if lang == "zh" else InteractionChannel.EMAIL,
            order_id=order_id,
            shipment_id=shipment_id,
            assignee=_STAFF[len(cases) % len(_STAFF)],
        )
        t = at + dt.timedelta(hours=float(rng.exponential(3.0)) + 0.2)
        steps = [
            ("acknowledge", t),
            ("start", t + dt.timedelta(hours=float(rng.uniform(0.5, 6)))),
        ]
        resolve_at = steps[-1][1] + dt.timedelta(hours=float(rng.exponential(24.0)) + 1)
        steps.append(("resolve", resolve_at))
        steps.append(("close", resolve_at + dt.timedelta(days=1)))
        for name, when in steps:
            when = when.replace(microsecond=0)
            if when >= self.end:
                break
            if name == "resolve":
                case = case.resolve(when, resolution="apologised and credited the delivery fee")
            else:
                case = getattr(case, name)(when)
            if name == "start":
                interactions.append(
                    Interaction(
                        id=f"I-{cid}",
                        customer_id=customer_id,
                        at=when,
                        channel=InteractionChannel.PHONE,
                        direction=Direction.OUTBOUND,
                        subject=f"Follow-up on {cid}",
                        summary="Called the customer about the delivery problem.",
                        outcome="apology accepted",
                        staff=case.assignee,
                        case_id=cid,
                        order_id=order_id,
                    )
                )
        cases.append(case)

    def customer(
        self,
        i: int,
        cid: str,
        company: bool,
        zh: bool,
        vip: bool,
        address: Address,
        district: int,
        created_day: float,
        last_order_day: float,
        preferred: list[str],
        interactions: list[Interaction],
    ) -> Customer:
        rng = self.rng
        sur, sur_zh = _SURNAMES[int(rng.integers(len(_SURNAMES)))]
        given, given_zh = _GIVEN[int(rng.integers(len(_GIVEN)))]
        person = f"{sur_zh}{given_zh}" if zh else f"{given} {sur}"
        if company:
            group, name_en, name_zh = _BUSINESS[int(rng.integers(len(_BUSINESS)))]
            name = (
                f"{_DISTRICTS_ZH[district]}{name_zh}{i + 1}号"
                if zh
                else f"{_DISTRICTS[district]} {name_en} #{i + 1}"
            )
        else:
            group, name = "household", person
        created = self.at(created_day).replace(microsecond=0)
        phone = f"+86 1{int(rng.integers(30, 99))}{int(rng.integers(10**7, 10**8)):08d}"
        points = [ContactPoint(channel=Channel.PHONE, value=phone, primary=True)]
        handle = f"{given.lower()}{sur.lower()}{i + 1}"
        if rng.random() < 0.7:
            points.append(
                ContactPoint(
                    channel=Channel.EMAIL, value=f"{handle}@example.com", opted_out=rng.random() < 0.08
                )
            )
        if zh and rng.random() < 0.75:
            points.append(ContactPoint(channel=Channel.WECHAT, value=f"wx_{handle}"))
        consents = [
            Consent(
                channel=Channel.SMS, purpose=ConsentPurpose.TRANSACTIONAL, given_at=created, source="signup"
            )
        ]
        for channel, purpose, p in (
            (Channel.WECHAT if zh else Channel.EMAIL, ConsentPurpose.MARKETING, 0.6),
            (Channel.SMS, ConsentPurpose.CARE, 0.5),
        ):
            if rng.random() < p:
                withdrawn = None
                if rng.random() < 0.1:
                    wd = created_day + float(rng.uniform(10, 300))
                    if wd < self.days:
                        withdrawn = self.at(wd).replace(microsecond=0)
                consents.append(
                    Consent(
                        channel=channel,
                        purpose=purpose,
                        given_at=created,
                        withdrawn_at=withdrawn,
                        source="signup",
                    )
                )
        birthday = None
        contacts: tuple[ContactPerson, ...] = ()
        bday = dt.date(int(rng.integers(1955, 2003)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        if company:
            contacts = (
                ContactPerson(
                    name=person,
                    role="buyer",
                    primary=True,
                    birthday=bday if rng.random() < 0.6 else None,
                    contact_points=(ContactPoint(channel=Channel.PHONE, value=phone, primary=True),),
                ),
            )
        elif rng.random() < 0.9:
            birthday = bday
        if math.isnan(last_order_day):
            status = CustomerStatus.PROSPECT
        else:
            idle = self.days - last_order_day
            status = (
                CustomerStatus.ACTIVE
                if idle <= 90
                else CustomerStatus.DORMANT
                if idle <= 180
                else CustomerStatus.LOST
            )
        manager = _STAFF[i % len(_STAFF)]
        if created_day >= 0:
            interactions.append(
                Interaction(
                    id=f"I-{cid}-welcome",
                    customer_id=cid,
                    at=created + dt.timedelta(hours=2),
                    channel=InteractionChannel.PHONE,
                    direction=Direction.OUTBOUND,
                    subject="Welcome call",
                    summary="Introduced the catalogue and delivery slots.",
                    outcome="first order placed",
                    staff=manager,
                )
            )
        if company:
            n_visits = int(rng.poisson(self.days / 90))
            for v in range(n_visits):
                day = float(rng.uniform(max(created_day, 0), self.days))
                visit = self.at(math.floor(day) + 10.5 / 24)
                if visit >= self.end:
                    continue
                due = visit + dt.timedelta(days=14)
                interactions.append(
                    Interaction(
                        id=f"I-{cid}-visit-{v + 1}",
                        customer_id=cid,
                        at=visit,
                        channel=InteractionChannel.VISIT,
                        direction=Direction.OUTBOUND,
                        subject="Account review",
                        summary="Reviewed assortment and upcoming promotions.",
                        outcome="interested in new products",
                        next_action="send price list",
                        next_action_due=due,
                        staff=manager,
                    )
                )
        # outbound care and promotion messages; whether they are answered depends on the hour,
        # around a preferred hour of each customer (shops mid-morning, households evenings)
        best_hour = float(rng.normal(10.5, 1.5)) if company else float(rng.normal(19.5, 1.5))
        n_messages = int(rng.poisson(self.days / 45))
        for m in range(n_messages):
            day = float(rng.uniform(max(created_day, 0), self.days))
            hour = int(rng.integers(8, 22))
            sent = self.at(math.floor(day) + hour / 24)
            if sent >= self.end:
                continue
            p_answer = 0.08 + 0.5 * math.exp(-0.5 * ((hour - best_hour) / 2.0) ** 2)
            msg_channel = InteractionChannel.WECHAT if zh else InteractionChannel.SMS
            interactions.append(
                Interaction(
                    id=f"I-{cid}-msg-{m + 1}",
                    customer_id=cid,
                    at=sent,
                    channel=msg_channel,
                    direction=Direction.OUTBOUND,
                    subject="Weekly offers",
                    summary="Sent this week's offers and delivery slots.",
                    staff=manager,
                    responded=bool(rng.random() < p_answer),
                )
            )
        return Customer(
            id=cid,
            kind=CustomerKind.COMPANY if company else CustomerKind.INDIVIDUAL,
            name=name,
            contact_points=tuple(points),
            addresses=(address,),
            contacts=contacts,
            tags=frozenset({"vip"}) if vip else frozenset(),
            group=group,
            segment="key account" if vip else None,
            territory=address.region,
            industry={"retail": "Retail", "restaurant": "Food service", "office": "Services"}.get(group),
            account_manager=manager,
            preferences=Preferences(
                categories=frozenset(preferred),
                language="zh-CN" if zh else "en",
                timezone=self.tz_name,
                preferred_channel=Channel.WECHAT if zh else Channel.EMAIL,
            ),
            birthday=birthday,
            created_at=created,
            credit_limit=_money(float(rng.choice([20000, 50000, 100000])), self.currency)
            if company
            else None,
            currency=self.currency,
            status=status,
            consents=tuple(consents),
            source="sales visit" if company else "wechat mini-program" if zh else "website",
        )
