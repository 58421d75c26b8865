"""Hypothesis strategies for every distcrm domain type, valid and invalid.

``strategy_for(cls)`` draws valid, varied instances (unicode names, tz-aware datetimes
in several zones, exact Decimals, lifecycles advanced by legal events);
``invalid_payloads(cls)`` draws ``(payload, expected_bad_paths)``: a valid instance's
dict with one to three independent faults (a wrong JSON type, a value a field check
rejects, a missing required field, an unknown key), and the path of each fault.

Requires the ``hypothesis`` package (a development dependency).

Examples
--------
>>> from hypothesis import given, settings
>>> from distcrm.domain import Order
>>> @settings(max_examples=5, deadline=None)
... @given(strategy_for(Order))
... def check(order):
...     assert order.total().currency == order.currency
>>> check()
"""

from __future__ import annotations

import copy
import datetime as dt
import types
import typing
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from distcrm import domain as d
from distcrm.domain._validation import field_errors, record_fields
from distcrm.errors import ValidationError
from distcrm.serialization import converter, to_dict

__all__ = ["domain_types", "invalid_payloads", "strategy_for"]

T = TypeVar("T")

ZONES: tuple[dt.tzinfo, ...] = (
    dt.UTC,
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Sydney"),
    dt.timezone(dt.timedelta(hours=5, minutes=30)),
    dt.timezone(dt.timedelta(hours=-3)),
)
CURRENCIES = ("EUR", "USD", "CNY", "JPY", "GBP", "KWD", "INR", "BRL")
COUNTRIES = ("CN", "DE", "US", "FR", "JP", "IN", "BR", "GB", "NL", "AU")
TZ_NAMES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "America/Sao_Paulo")
LANGS = ("en", "zh", "zh-CN", "zh-Hans", "de", "fr", "pt-BR", "ja")

# ------------------------------------------------------------------ primitives

_LETTERS = st.characters(categories=("Lu", "Ll", "Lo", "Nd"))
words = st.text(_LETTERS, min_size=1, max_size=12)
names = st.lists(words, min_size=1, max_size=3).map(" ".join)
texts = st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=40)
opt_names = st.none() | names
idents = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,15}", fullmatch=True) | st.uuids().map(str)
opt_idents = st.none() | idents
tags = st.frozensets(words, max_size=4)
small_ints = st.integers(min_value=0, max_value=10_000)


def _safe(x: dt.datetime) -> dt.datetime:
    """Move an ambiguous wall-clock time (a DST fold) to UTC.

    Python never considers an ambiguous time equal to a time in another zone (PEP 495),
    so such a value would not compare equal after a round trip through a fixed offset.
    """
    if x.replace(fold=0).utcoffset() != x.replace(fold=1).utcoffset():
        return x.astimezone(dt.UTC)
    return x


datetimes = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2035, 12, 31),
    timezones=st.sampled_from(ZONES),
    allow_imaginary=False,
).map(_safe)
"""Timezone-aware datetimes in several zones (no DST-gap or DST-fold wall times)."""


def aware_datetimes(*, allow_imaginary: bool = True) -> st.SearchStrategy[dt.datetime]:
    """Any aware datetime a store or encoder may be given: years 1 to 9999, in UTC, at a fixed
    offset of up to ±23 h or in any IANA zone, DST folds included (``allow_imaginary=False``
    leaves out wall times a DST gap skips). Domain objects draw from :data:`datetimes`."""
    return st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.one_of(
            st.just(dt.UTC),
            st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23)).map(
                dt.timezone
            ),
            st.timezones(),
        ),
        allow_imaginary=allow_imaginary,
    )


gaps = st.builds(
    lambda s, us: dt.timedelta(seconds=s, microseconds=us),
    st.integers(min_value=0, max_value=30 * 86400),
    st.integers(min_value=0, max_value=999_999),
)
positive_gaps = gaps.filter(lambda g: g > dt.timedelta(0))
times = st.times()
dates = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2030, 12, 31))
amounts = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
quantities = st.decimals(
    min_value=Decimal("0.001"), max_value=10_000, places=3, allow_nan=False, allow_infinity=False
)
fractions = st.decimals(
    min_value=0, max_value=Decimal("0.99"), places=2, allow_nan=False, allow_infinity=False
)
floats_nonneg = st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False)
currencies = st.sampled_from(CURRENCIES)


def after(t: dt.datetime, strict: bool = False) -> st.SearchStrategy[dt.datetime]:
    """Datetimes at or after ``t`` (strictly after with ``strict``), in a random zone."""
    base = t.astimezone(dt.UTC)
    return st.tuples(positive_gaps if strict else gaps, st.sampled_from(ZONES)).map(
        lambda p: _safe((base + p[0]).astimezone(p[1]))
    )


def money(
    currency: str | None = None, amount: st.SearchStrategy[Decimal] = amounts
) -> st.SearchStrategy[d.Money]:
    """Money in ``currency`` (or a random one)."""
    cur = st.just(currency) if currency is not None else currencies
    return st.builds(lambda a, c: d.Money(amount=a, currency=c), amount, cur)


geo = st.builds(
    d.GeoPoint,
    lat=st.floats(min_value=-90, max_value=90, allow_nan=False),
    lon=st.floats(min_value=-180, max_value=180, allow_nan=False),
)


@st.composite
def _time_window(draw: st.DrawFn) -> d.TimeWindow:
    start = draw(datetimes)
    return d.TimeWindow(start=start, end=draw(after(start, strict=True)))


@st.composite
def _weekly_window(draw: st.DrawFn, weekday: int | None = None) -> d.WeeklyWindow:
    a, b = sorted(draw(st.lists(times, min_size=2, max_size=2, unique=True)))
    wd = draw(st.integers(0, 6)) if weekday is None else weekday
    return d.WeeklyWindow(weekday=wd, start=a, end=b)


@st.composite
def _weekly_windows(draw: st.DrawFn) -> tuple[d.WeeklyWindow, ...]:
    days = draw(st.lists(st.integers(0, 6), unique=True, max_size=3))
    return tuple(draw(_weekly_window(wd)) for wd in days)


@st.composite
def _address(draw: st.DrawFn) -> d.Address:
    return d.Address(
        line1=draw(names),
        line2=draw(opt_names),
        city=draw(names),
        region=draw(opt_names),
        postcode=draw(st.none() | st.from_regex(r"[0-9A-Z]{4,6}", fullmatch=True)),
        country=draw(st.sampled_from(COUNTRIES)),
        geo=draw(st.none() | geo),
        instructions=draw(st.none() | texts),
        delivery_windows=draw(_weekly_windows()),
        kind=draw(st.sampled_from(d.AddressKind)),
        label=draw(opt_names),
        primary=draw(st.booleans()),
    )


_emails = st.builds(
    lambda a, b, c: f"{a}@{b}.{c}",
    st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True) | st.just("张伟"),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True),
    st.sampled_from(["com", "cn", "de", "co.uk", "org"]),
)
_phones = st.builds(
    lambda cc, rest, sep: "+" + cc + sep + sep.join(rest[i : i + 4] for i in range(0, len(rest), 4)),
    st.sampled_from(["86", "49", "1", "33", "91"]),
    st.from_regex(r"[0-9]{7,11}", fullmatch=True),
    st.sampled_from(["", " ", "-"]),
)
_wechat = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{5,19}", fullmatch=True)


def _contact_value(channel: d.Channel) -> st.SearchStrategy[str]:
    if channel is d.Channel.EMAIL:
        return _emails
    if channel in (d.Channel.PHONE, d.Channel.SMS, d.Channel.WHATSAPP):
        return _phones
    if channel is d.Channel.WECHAT:
        return _wechat
    return names


@st.composite
def _contact_point(draw: st.DrawFn) -> d.ContactPoint:
    ch = draw(st.sampled_from(d.Channel))
    return d.ContactPoint(
        channel=ch,
        value=draw(_contact_value(ch)),
        primary=draw(st.booleans()),
        opted_out=draw(st.booleans()),
        label=draw(opt_names),
    )


def _one_primary(items: Sequence[Any], key: Callable[[Any], Any]) -> tuple[Any, ...]:
    seen: set[Any] = set()
    out = []
    for x in items:
        if x.primary and key(x) in seen:
            x = copy.copy(x)
            object.__setattr__(x, "primary", False)
        if x.primary:
            seen.add(key(x))
        out.append(x)
    return tuple(out)


_contact_points = st.lists(_contact_point(), max_size=4).map(lambda xs: _one_primary(xs, lambda c: c.channel))


@st.composite
def _consent(draw: st.DrawFn) -> d.Consent:
    given = draw(datetimes)
    return d.Consent(
        channel=draw(st.sampled_from(d.Channel)),
        purpose=draw(st.sampled_from(d.ConsentPurpose)),
        given_at=given,
        withdrawn_at=draw(st.none() | after(given)),
        source=draw(opt_names),
    )


preferences = st.builds(
    d.Preferences,
    categories=tags,
    brands=tags,
    preferred_channel=st.none() | st.sampled_from(d.Channel),
    preferred_window=st.none() | _weekly_window(),
    language=st.none() | st.sampled_from(LANGS),
    timezone=st.none() | st.sampled_from(TZ_NAMES),
)

contact_person = st.builds(
    d.ContactPerson,
    name=names,
    role=opt_names,
    department=opt_names,
    contact_points=_contact_points,
    primary=st.booleans(),
    birthday=st.none() | dates,
)


@st.composite
def _customer(draw: st.DrawFn) -> d.Customer:
    cid = draw(idents)
    return d.Customer(
        id=cid,
        kind=draw(st.sampled_from(d.CustomerKind)),
        name=draw(names),
        contact_points=draw(_contact_points),
        addresses=_one_primary(draw(st.lists(_address(), max_size=3)), lambda a: a.kind),
        contacts=tuple(draw(st.lists(contact_person, max_size=2))),
        tags=draw(tags),
        group=draw(opt_names),
        segment=draw(st.none() | st.sampled_from(["champions", "at_risk", "new", "hibernating"])),
        territory=draw(opt_names),
        industry=draw(opt_names),
        account_manager=draw(opt_names),
        preferences=draw(preferences),
        birthday=draw(st.none() | dates),
        created_at=draw(datetimes),
        credit_limit=draw(st.none() | money()),
        currency=draw(st.none() | currencies),
        status=draw(st.sampled_from(d.CustomerStatus)),
        consents=tuple(draw(st.lists(_consent(), max_size=3))),
        referred_by=draw(opt_idents.filter(lambda r: r != cid)),
        parent_id=draw(opt_idents.filter(lambda r: r != cid)),
        tax_id=draw(st.none() | st.from_regex(r"[A-Z0-9]{8,15}", fullmatch=True)),
        website=draw(st.none() | st.just("https://example.com")),
        source=draw(opt_names),
        payment_terms=draw(st.none() | st.sampled_from(["NET30", "COD", "prepaid"])),
        notes=draw(texts),
        extra=draw(st.dictionaries(words, texts, max_size=3)),
        version=draw(small_ints),
    )


@st.composite
def _interaction(draw: st.DrawFn) -> d.Interaction:
    at = draw(datetimes)
    due = draw(st.none() | after(at))
    return d.Interaction(
        id=draw(idents),
        customer_id=draw(idents),
        at=at,
        channel=draw(st.sampled_from(d.InteractionChannel)),
        direction=draw(st.sampled_from(d.Direction)),
        subject=draw(texts),
        summary=draw(texts),
        outcome=draw(opt_names),
        next_action=draw(names) if due is not None else draw(opt_names),
        next_action_due=due,
        staff=draw(opt_names),
        responded=draw(st.none() | st.booleans()),
        duration=draw(st.none() | gaps),
        contact_name=draw(opt_names),
        order_id=draw(opt_idents),
        case_id=draw(opt_idents),
        version=draw(small_ints),
    )


product = st.builds(
    d.Product,
    id=idents,
    sku=idents,
    name=names,
    category=opt_names,
    brand=opt_names,
    unit=st.sampled_from(["unit", "kg", "box", "bottle", "箱"]),
    weight_kg=floats_nonneg,
    volume_m3=floats_nonneg,
    list_price=st.none() | money(),
    active=st.booleans(),
    barcode=st.none() | st.from_regex(r"[0-9]{8,13}", fullmatch=True),
    description=texts,
    tags=tags,
    version=small_ints,
)


def _order_line(currency: str) -> st.SearchStrategy[d.OrderLine]:
    return st.builds(
        d.OrderLine,
        product_id=idents,
        quantity=quantities,
        unit_price=money(currency),
        discount=fractions,
        description=texts,
    )


@st.composite
def _order(draw: st.DrawFn) -> d.Order:
    cur = draw(currencies)
    t = draw(datetimes)
    o = d.Order(
        id=draw(idents),
        customer_id=draw(idents),
        lines=tuple(draw(st.lists(_order_line(cur), min_size=1, max_size=4))),
        created_at=t,
        currency=cur,
        promised_window=draw(st.none() | _time_window()),
        shipping_address=draw(st.none() | _address()),
        reference=draw(opt_names),
        salesperson=draw(opt_names),
        sales_channel=draw(st.none() | st.sampled_from(["web", "phone", "field"])),
        note=draw(texts),
        tags=draw(tags),
        version=draw(small_ints),
    )
    for _ in range(draw(st.integers(0, 5))):
        t = draw(after(t))
        step = draw(st.sampled_from(["confirm", "deliver", "deliver_all", "close", "cancel"]))
        if step == "confirm" and o.status is d.OrderStatus.DRAFT:
            o = o.confirm(t, draw(texts))
        elif step in ("deliver", "deliver_all") and o.is_open:
            if step == "deliver_all":
                o = o.record_delivery(None, t)
            else:
                qs = {}
                for i, ln in enumerate(o.lines):
                    part = (ln.remaining_quantity / 2).quantize(Decimal("0.001"), rounding="ROUND_DOWN")
                    qs[i] = draw(st.sampled_from([Decimal(0), part, ln.remaining_quantity]))
                if any(qs.values()):
                    o = o.record_delivery(qs, t)
        elif step == "close" and d.Order.lifecycle.can_fire("close", o.status):
            o = o.close(t)
        elif step == "cancel" and d.Order.lifecycle.can_fire("cancel", o.status):
            o = o.cancel(t, draw(names))
    return o


tracking_place = st.none() | names | geo


@st.composite
def _shipment(draw: st.DrawFn) -> d.Shipment:
    s = d.Shipment(
        id=draw(idents),
        order_id=draw(idents),
        customer_id=draw(idents),
        planned_window=draw(st.none() | _time_window()),
        address=draw(st.none() | _address()),
        lines=tuple(
            draw(st.lists(st.builds(d.ShipmentLine, product_id=idents, quantity=quantities), max_size=3))
        ),
        vehicle_id=draw(opt_idents),
        driver_id=draw(opt_idents),
        depot_id=draw(opt_idents),
        weight_kg=draw(st.none() | floats_nonneg),
        volume_m3=draw(st.none() | floats_nonneg),
        carrier=draw(opt_names),
        tracking_ref=draw(opt_idents),
        version=draw(small_ints),
    )
    t = draw(datetimes)
    for _ in range(draw(st.integers(0, 6))):
        t = draw(after(t))
        ev = draw(st.sampled_from(["load", "dispatch", "deliver", "fail", "replan", "return"]))
        if not d.Shipment.lifecycle.can_fire(ev, s.status):
            continue
        place = draw(tracking_place)
        if ev == "load":
            s = s.load(t, place=place)
        elif ev == "dispatch":
            s = s.dispatch(t, place=place, note=draw(texts))
        elif ev == "deliver":
            pod = draw(
                st.none()
                | st.builds(
                    d.ProofOfDelivery,
                    signed_by=names,
                    at=st.just(t),
                    photo_ref=opt_idents,
                    location=st.none() | geo,
                )
            )
            s = s.deliver(t, pod, place=place)
        elif ev == "fail":
            s = s.fail(t, draw(st.sampled_from(d.DeliveryFailureReason)), place=place, note=draw(texts))
        elif ev == "replan":
            s = s.replan(t, draw(st.none() | _time_window()))
        else:
            s = s.return_(t, draw(st.sampled_from(d.DeliveryFailureReason)), place=place)
    return s


@st.composite
def _shift(draw: st.DrawFn) -> tuple[dt.time, dt.time]:
    a, b = sorted(draw(st.lists(times, min_size=2, max_size=2, unique=True)))
    return (a, b)


@st.composite
def _vehicle(draw: st.DrawFn) -> d.Vehicle:
    cur = draw(currencies)
    return d.Vehicle(
        id=draw(idents),
        name=draw(names),
        capacity_weight_kg=draw(floats_nonneg),
        capacity_volume_m3=draw(floats_nonneg),
        capacity_units=draw(small_ints),
        shift=draw(_shift()),
        cost_per_km=draw(money(cur)),
        cost_per_hour=draw(money(cur)),
        fixed_cost=draw(money(cur)),
        depot_id=draw(idents),
        skills=draw(tags),
        license_plate=draw(st.none() | st.from_regex(r"[A-Z]{1,3}-[0-9]{3,5}", fullmatch=True)),
        fuel_type=draw(st.none() | st.sampled_from(["diesel", "electric", "petrol"])),
        active=draw(st.booleans()),
        version=draw(small_ints),
    )


depot = st.builds(
    d.Depot,
    id=idents,
    name=names,
    location=geo,
    address=st.none() | _address(),
    opening=_shift(),
    version=small_ints,
)
driver = st.builds(
    d.Driver,
    id=idents,
    name=names,
    skills=tags,
    depot_id=opt_idents,
    shift=st.none() | _shift(),
    phone=st.none() | _phones,
    active=st.booleans(),
    version=small_ints,
)


@st.composite
def _feedback(draw: st.DrawFn) -> d.Feedback:
    nps = draw(st.none() | st.integers(0, 10))
    csat = draw(st.none() | st.integers(1, 5))
    ces = draw(st.none() | st.integers(1, 7))
    text = draw(st.none() | texts)
    if nps is None and csat is None and ces is None and not (text and text.strip()):
        nps = draw(st.integers(0, 10))
    return d.Feedback(
        id=draw(idents),
        customer_id=draw(idents),
        at=draw(datetimes),
        nps=nps,
        csat=csat,
        ces=ces,
        text=text,
        language=draw(st.none() | st.sampled_from(LANGS)),
        order_id=draw(opt_idents),
        shipment_id=draw(opt_idents),
        channel=draw(st.none() | st.sampled_from(d.InteractionChannel)),
        tags=draw(tags),
        version=draw(small_ints),
    )


@st.composite
def _sla(draw: st.DrawFn) -> d.SlaTargets:
    first = draw(positive_gaps)
    return d.SlaTargets(first_response=first, resolution=first + draw(gaps))


@st.composite
def _case(draw: st.DrawFn) -> d.ComplaintCase:
    t = draw(datetimes)
    c = d.ComplaintCase(
        id=draw(idents),
        customer_id=draw(idents),
        opened_at=t,
        subject=draw(names),
        description=draw(texts),
        priority=draw(st.sampled_from(d.CasePriority)),
        sla=draw(st.none() | _sla()),
        category=draw(opt_names),
        channel=draw(st.none() | st.sampled_from(d.InteractionChannel)),
        root_causes=draw(tags),
        order_id=draw(opt_idents),
        shipment_id=draw(opt_idents),
        assignee=draw(opt_names),
        corrective_action_ids=tuple(draw(st.lists(idents, max_size=3))),
        tags=draw(tags),
        version=draw(small_ints),
    )
    events = list(d.ComplaintCase.lifecycle.events)
    for _ in range(draw(st.integers(0, 6))):
        t = draw(after(t))
        ev = draw(st.sampled_from(events))
        if d.ComplaintCase.lifecycle.can_fire(ev, c.status):
            c = getattr(c, ev)(t, draw(texts))
    return c


@st.composite
def _ledger_entry(draw: st.DrawFn, at: dt.datetime, index: int, earlier: Sequence[str]) -> d.LedgerEntry:
    kinds = list(d.LedgerKind) if earlier else [k for k in d.LedgerKind if k is not d.LedgerKind.REVERSE]
    kind = draw(st.sampled_from(kinds))
    pos = st.integers(1, 100_000)
    points = {
        d.LedgerKind.EARN: pos,
        d.LedgerKind.REDEEM: pos.map(lambda p: -p),
        d.LedgerKind.EXPIRE: pos.map(lambda p: -p),
    }.get(kind, pos | pos.map(lambda p: -p))
    pts = draw(points)
    may_expire = kind is d.LedgerKind.EARN or (kind is d.LedgerKind.ADJUST and pts > 0)
    return d.LedgerEntry(
        id=f"E{index}-{draw(idents)}",
        kind=kind,
        points=pts,
        at=at,
        expires_at=draw(st.none() | after(at, strict=True)) if may_expire else None,
        order_id=draw(opt_idents),
        event_id=draw(opt_idents),
        reverses_id=draw(st.sampled_from(list(earlier))) if kind is d.LedgerKind.REVERSE else None,
        note=draw(texts),
    )


@st.composite
def _loyalty(draw: st.DrawFn) -> d.LoyaltyAccount:
    t = draw(datetimes)
    entries: list[d.LedgerEntry] = []
    for i in range(draw(st.integers(0, 5))):
        t = draw(after(t))
        entries.append(draw(_ledger_entry(t, i, [e.id for e in entries])))
    return d.LoyaltyAccount(
        id=draw(idents),
        customer_id=draw(idents),
        programme_id=draw(idents),
        tier=draw(st.sampled_from(["base", "silver", "gold", "铂金"])),
        entries=tuple(entries),
        card_code=draw(st.none() | idents),
        opened_at=draw(st.none() | datetimes),
        version=draw(small_ints),
    )


@st.composite
def _campaign(draw: st.DrawFn) -> d.Campaign:
    start = draw(datetimes)
    cur = draw(currencies)
    return d.Campaign(
        id=draw(idents),
        name=draw(names),
        channel=draw(st.sampled_from(d.Channel)),
        purpose=draw(st.sampled_from(d.ConsentPurpose)),
        starts_at=start,
        ends_at=draw(st.none() | after(start, strict=True)),
        segment=draw(opt_names),
        holdout_share=draw(st.floats(min_value=0, max_value=0.99)),
        status=draw(st.sampled_from(d.CampaignStatus)),
        objective=draw(texts),
        description=draw(texts),
        budget=draw(st.none() | money(cur)),
        actual_cost=draw(st.none() | money(cur)),
        expected_revenue=draw(st.none() | money(cur)),
        tags=draw(tags),
        version=draw(small_ints),
    )


@st.composite
def _campaign_contact(draw: st.DrawFn) -> d.CampaignContact:
    group = draw(st.sampled_from(d.CampaignGroup))
    t = draw(datetimes)
    stamps: dict[str, dt.datetime | None] = dict.fromkeys(
        ("sent_at", "opened_at", "clicked_at", "converted_at")
    )
    if group is d.CampaignGroup.TREATMENT and draw(st.booleans()):
        stamps["sent_at"] = t
        for name in ("opened_at", "clicked_at"):
            if draw(st.booleans()):
                t = draw(after(t))
                stamps[name] = t
    if draw(st.booleans()):
        stamps["converted_at"] = draw(after(t))
    bounced = (
        group is d.CampaignGroup.TREATMENT
        and stamps["opened_at"] is None
        and stamps["clicked_at"] is None
        and draw(st.booleans())
    )
    unsub = draw(st.none() | after(t)) if group is d.CampaignGroup.TREATMENT else None
    return d.CampaignContact(
        id=draw(idents),
        campaign_id=draw(idents),
        customer_id=draw(idents),
        group=group,
        unsubscribed_at=unsub,
        bounced=bounced,
        revenue=draw(st.none() | money()) if stamps["converted_at"] is not None else None,
        order_id=draw(opt_idents),
        version=draw(small_ints),
        **stamps,
    )


lost_deal = st.builds(
    d.LostDeal,
    customer_id=idents,
    at=datetimes,
    reason=names,
    value=st.none() | money(),
    product_category=opt_names,
)

competitor = st.builds(
    d.Competitor,
    id=idents,
    name=names,
    website=st.none() | st.just("https://rival.example"),
    strengths=st.lists(names, max_size=3).map(tuple),
    weaknesses=st.lists(names, max_size=3).map(tuple),
    price_position=st.sampled_from(d.PricePosition),
    customer_ids=st.frozensets(idents, max_size=4),
    lost_deals=st.lists(lost_deal, max_size=3).map(tuple),
    notes=texts,
    version=small_ints,
)


_STATUS_ENUMS = st.sampled_from([d.OrderStatus, d.CaseStatus, d.ShipmentStatus, d.CampaignStatus])


@st.composite
def _status_change(draw: st.DrawFn, enums: st.SearchStrategy[Any] = _STATUS_ENUMS) -> d.StatusChange[Any]:
    enum_cls = draw(enums)
    return d.StatusChange(
        at=draw(datetimes),
        from_status=draw(st.sampled_from(enum_cls)),
        to_status=draw(st.sampled_from(enum_cls)),
        note=draw(texts),
    )


_STRATEGIES: dict[type, Callable[[], st.SearchStrategy[Any]]] = {
    d.Money: lambda: money(),
    d.GeoPoint: lambda: geo,
    d.TimeWindow: _time_window,
    d.WeeklyWindow: _weekly_window,
    d.Address: _address,
    d.ContactPoint: _contact_point,
    d.Consent: _consent,
    d.Preferences: lambda: preferences,
    d.ContactPerson: lambda: contact_person,
    d.Customer: _customer,
    d.Interaction: _interaction,
    d.Product: lambda: product,
    d.OrderLine: lambda: currencies.flatmap(_order_line),
    d.Order: _order,
    d.StatusChange: _status_change,
    d.TrackingEvent: lambda: st.builds(
        d.TrackingEvent,
        at=datetimes,
        status=st.sampled_from(d.ShipmentStatus),
        place=tracking_place,
        note=texts,
    ),
    d.ProofOfDelivery: lambda: st.builds(
        d.ProofOfDelivery, signed_by=names, at=datetimes, photo_ref=opt_idents, location=st.none() | geo
    ),
    d.ShipmentLine: lambda: st.builds(d.ShipmentLine, product_id=idents, quantity=quantities),
    d.Shipment: _shipment,
    d.Vehicle: _vehicle,
    d.Depot: lambda: depot,
    d.Driver: lambda: driver,
    d.Feedback: _feedback,
    d.SlaTargets: _sla,
    d.ComplaintCase: _case,
    d.LedgerEntry: lambda: datetimes.flatmap(lambda t: _ledger_entry(t, 0, [])),
    d.LoyaltyAccount: _loyalty,
    d.Campaign: _campaign,
    d.CampaignContact: _campaign_contact,
    d.LostDeal: lambda: lost_deal,
    d.Competitor: lambda: competitor,
}


def domain_types() -> tuple[Any, ...]:
    """Every domain record type :func:`strategy_for` covers (all of them).

    The generic ``StatusChange`` appears as ``StatusChange[OrderStatus]``: a payload can
    only be read back when the status enum is known.
    """
    return tuple(d.StatusChange[d.OrderStatus] if t is d.StatusChange else t for t in _STRATEGIES)


def strategy_for(cls: type[T]) -> st.SearchStrategy[T]:
    """A strategy of valid, varied instances of the domain type ``cls``.

    ``StatusChange[E]`` draws changes between states of the enum ``E``.
    """
    if typing.get_origin(cls) is d.StatusChange:
        (enum_cls,) = typing.get_args(cls)
        return _status_change(st.just(enum_cls))  # type: ignore[return-value]
    try:
        factory = _STRATEGIES[cls]
    except (KeyError, TypeError):
        raise TypeError(
            f"no strategy for {cls!r}; known: {sorted(t.__name__ for t in _STRATEGIES)}"
        ) from None
    return factory()


# ------------------------------------------------------------- invalid payloads

_WRONG_TYPE_POOL: tuple[Any, ...] = (12345, "__bad__", True, 1.5, [], {"__bad__": 1}, None)
_BAD_VALUE_POOL: tuple[Any, ...] = (
    "-3", -3, "0", 0, 11, -1, 200, "", " ", " x", "ZZZ", "zz", "xx", "Mars/Base", "P0D", "-PT1H",
    [" "], [""], ["10:00:00", "09:00:00"], "+1", "no-at-sign",
)  # fmt: skip


def _structures(value: Any, tp: Any) -> tuple[bool, Any]:
    try:
        return True, converter.structure(copy.deepcopy(value), tp)
    except ValidationError:
        return False, None


_wrong_cache: dict[Any, Any] = {}


def _wrong_value(tp: Any) -> Any:
    if tp not in _wrong_cache:
        _wrong_cache[tp] = next(v for v in _WRONG_TYPE_POOL if not _structures(v, tp)[0])
    return _wrong_cache[tp]


_bad_cache: dict[tuple[Any, str], list[Any]] = {}


def _bad_values(owner: Any, spec: Any) -> list[Any]:
    key = (owner, spec.name)
    if key not in _bad_cache:
        found = []
        for v in _BAD_VALUE_POOL:
            ok, out = _structures(v, spec.type)
            if ok and field_errors(spec, out)[1]:
                found.append(v)
        _bad_cache[key] = found
    return _bad_cache[key]


Location = tuple[tuple[Any, ...], str, Any]  # (keys, kind, replacement)


def _path(keys: tuple[Any, ...]) -> str:
    out = "$"
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else f".{k}"
    return out


def _record_origin(tp: Any) -> Any:
    origin = typing.get_origin(tp) or tp
    return origin if isinstance(origin, type) and hasattr(origin, "__attrs_attrs__") else None


def _locations(tp: Any, value: Any, keys: tuple[Any, ...], out: list[Location]) -> None:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for member in typing.get_args(tp):
            if _record_origin(member) is not None and isinstance(value, dict):
                _locations(member, value, keys, out)
        return
    if origin is tuple and isinstance(value, list):
        args = typing.get_args(tp)
        item = args[0] if len(args) == 2 and args[1] is Ellipsis else None
        for i, x in enumerate(value[:3]):
            t = item if item is not None else args[i]
            if _record_origin(t) is not None:
                _locations(t, x, (*keys, i), out)
            else:
                out.append(((*keys, i), "replace", _wrong_value(t)))
        return
    if _record_origin(tp) is None or not isinstance(value, dict):
        return
    out.append(((*keys, "__unknown__"), "add", "surplus"))
    for spec in record_fields(tp):
        if spec.name not in value:
            continue
        fkeys = (*keys, spec.name)
        out.append((fkeys, "replace", _wrong_value(spec.type)))
        out.extend((fkeys, "replace", v) for v in _bad_values(tp, spec))
        if spec.required:
            out.append((fkeys, "delete", None))
        _locations(spec.type, value[spec.name], fkeys, out)


def _overlaps(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _apply(payload: Any, keys: tuple[Any, ...], kind: str, value: Any) -> None:
    node = payload
    for k in keys[:-1]:
        node = node[k]
    last = keys[-1]
    if kind == "delete":
        del node[last]
    else:
        node[last] = copy.deepcopy(value)


@st.composite
def _invalid(draw: st.DrawFn, cls: Any) -> tuple[dict[str, Any], frozenset[str]]:
    obj = draw(strategy_for(cls))
    payload = to_dict(obj)
    locs: list[Location] = []
    _locations(cls, payload, (), locs)
    picks = draw(st.lists(st.sampled_from(locs), min_size=1, max_size=3))
    chosen: list[Location] = []
    for loc in picks:
        if not any(_overlaps(loc[0], c[0]) for c in chosen):
            chosen.append(loc)
    payload = copy.deepcopy(payload)
    for keys, kind, value in chosen:
        _apply(payload, keys, kind, value)
    return payload, frozenset(_path(keys) for keys, _, _ in chosen)


def invalid_payloads(cls: type[Any]) -> st.SearchStrategy[tuple[dict[str, Any], frozenset[str]]]:
    """Invalid payloads for ``cls`` with the path of every fault put in.

    Each draw is ``(payload, expected_paths)``: structuring the payload must raise one
    :class:`~distcrm.errors.ValidationError` whose paths include every expected path.
    """
    strategy_for(cls)  # fail early on unknown classes
    return _invalid(cls)
