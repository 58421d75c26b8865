"""The daily care plan: triggers → consent, channel, frequency caps and quiet hours → actions."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from distcrm.care._calendar import HolidayCalendar
from distcrm.care._timing import ContactTimeModel
from distcrm.domain import (
    Channel,
    ConsentPurpose,
    Customer,
    CustomerStatus,
    Direction,
    Interaction,
    Order,
    OrderStatus,
    Shipment,
    ShipmentStatus,
)
from distcrm.errors import DistcrmError, FieldError, ValidationError

__all__ = ["CareAction", "CarePlan", "CarePlanner", "CareRules", "ConsentError", "Trigger", "check_consent"]


class ConsentError(DistcrmError, PermissionError):
    """A contact was attempted without the customer's consent for that channel and purpose."""

    def __init__(self, customer_id: str, channel: Channel, purpose: ConsentPurpose, at: dt.datetime) -> None:
        self.customer_id = customer_id
        self.channel = channel
        self.purpose = purpose
        self.at = at
        super().__init__(
            f"customer {customer_id!r} has no active consent for {purpose.value} messages by {channel.value} "
            f"at {at.isoformat()}; nothing was sent"
        )


def check_consent(customer: Customer, channel: Channel, purpose: ConsentPurpose, at: dt.datetime) -> None:
    """Raise :class:`ConsentError` unless ``customer`` consents to ``channel`` × ``purpose`` at ``at``.

    Examples
    --------
    >>> c = Customer(id="C1", name="Li")
    >>> check_consent(c, Channel.SMS, ConsentPurpose.CARE, dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    Traceback (most recent call last):
    ...
    distcrm.care._planner.ConsentError: customer 'C1' has no active consent for care messages by sms at 2024-01-01T00:00:00+00:00; nothing was sent
    """
    if not customer.has_consent(channel, purpose, at):
        raise ConsentError(customer.id, channel, purpose, at)


class Trigger(enum.Enum):
    """Why a customer is contacted (ordered by default priority)."""

    FOLLOW_UP = "follow_up"
    AT_RISK = "at_risk"
    BIRTHDAY = "birthday"
    MILESTONE = "milestone"
    ANNIVERSARY = "anniversary"
    HOLIDAY = "holiday"


_DEFAULT_PURPOSE = {
    Trigger.FOLLOW_UP: ConsentPurpose.SERVICE,
    Trigger.AT_RISK: ConsentPurpose.MARKETING,
    Trigger.BIRTHDAY: ConsentPurpose.CARE,
    Trigger.MILESTONE: ConsentPurpose.CARE,
    Trigger.ANNIVERSARY: ConsentPurpose.CARE,
    Trigger.HOLIDAY: ConsentPurpose.CARE,
}
_CONTACT_CHANNELS = {
    "phone": Channel.PHONE,
    "email": Channel.EMAIL,
    "sms": Channel.SMS,
    "wechat": Channel.WECHAT,
}


@attrs.frozen(kw_only=True)
class CareRules:
    """Policies of the care calendar.

    Parameters
    ----------
    triggers
        The triggers in use, highest priority first (one action per customer per day).
    contact_hours
        Local hours ``[start, end)`` when contact is allowed (outside: quiet hours).
    default_timezone
        Used for customers without ``preferences.timezone``.
    max_per_day, max_per_window, window
        Frequency caps: outbound contacts (past interactions plus today's plan).
    channel_order
        Channels to try, in order, after the customer's preferred channel.
    follow_up_after
        Days after delivery for a follow-up.
    at_risk_p_alive, at_risk_min_value
        A customer is at risk when P(alive) is below the first and value at least the second.
    valuable_segments
        Segments that count as valuable whatever the value.
    milestones
        Order counts that earn a congratulation (10th order…).
    purposes
        Consent purpose of each trigger.
    """

    triggers: tuple[Trigger, ...] = tuple(Trigger)
    contact_hours: tuple[int, int] = (9, 21)
    default_timezone: str = "Asia/Shanghai"
    max_per_day: int = 1
    max_per_window: int = 2
    window: dt.timedelta = dt.timedelta(days=7)
    channel_order: tuple[Channel, ...] = (
        Channel.WECHAT,
        Channel.SMS,
        Channel.EMAIL,
        Channel.PUSH,
        Channel.PHONE,
    )
    follow_up_after: dt.timedelta = dt.timedelta(days=2)
    at_risk_p_alive: float = 0.5
    at_risk_min_value: float = 0.0
    valuable_segments: frozenset[str] = frozenset()
    milestones: tuple[int, ...] = (10, 25, 50, 100)
    purposes: Mapping[Trigger, ConsentPurpose] = attrs.field(factory=lambda: dict(_DEFAULT_PURPOSE))

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        a, b = self.contact_hours
        if not (0 <= a < b <= 24):
            errors.append(
                FieldError(
                    "$.contact_hours", "must be (start, end) with 0 <= start < end <= 24", self.contact_hours
                )
            )
        try:
            ZoneInfo(self.default_timezone)
        except (KeyError, ValueError):
            errors.append(FieldError("$.default_timezone", "is not an IANA time zone", self.default_timezone))
        for name in ("max_per_day", "max_per_window"):
            if getattr(self, name) < 1:
                errors.append(FieldError(f"$.{name}", "must be >= 1", getattr(self, name)))
        if not 0 <= self.at_risk_p_alive <= 1:
            errors.append(FieldError("$.at_risk_p_alive", "must lie in [0, 1]", self.at_risk_p_alive))
        missing = [t.value for t in self.triggers if t not in self.purposes]
        if missing:
            errors.append(FieldError("$.purposes", "needs a purpose for every trigger", missing))
        if errors:
            raise ValidationError(errors, title="invalid CareRules")


@attrs.frozen(kw_only=True)
class CareAction:
    """One contact to make: who, why, by which channel and when (aware, customer's local time)."""

    customer_id: str
    trigger: Trigger
    reason: str
    channel: Channel
    purpose: ConsentPurpose
    send_at: dt.datetime
    contact: str
    priority: int

    def to_dict(self) -> dict[str, Any]:
        """Plain values for tables."""
        return {
            "customer_id": self.customer_id,
            "trigger": self.trigger.value,
            "reason": self.reason,
            "channel": self.channel.value,
            "purpose": self.purpose.value,
            "send_at": self.send_at.isoformat(),
            "contact": self.contact,
        }


@attrs.frozen(kw_only=True)
class CarePlan:
    """The day's care actions, and the candidates left out with the reason why."""

    day: dt.date
    actions: tuple[CareAction, ...]
    skipped: tuple[tuple[str, Trigger, str], ...]

    def __len__(self) -> int:
        return len(self.actions)

    def to_frame(self) -> Any:
        """The actions as a pandas frame."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="CarePlan.to_frame")
        cols = ["customer_id", "trigger", "reason", "channel", "purpose", "send_at", "contact"]
        return pd.DataFrame([a.to_dict() for a in self.actions], columns=cols)

    def summary(self) -> str:
        """One line per action: ``09:00 wechat  C1  birthday — 30th birthday``."""
        lines = [
            f"Care actions for {self.day.isoformat()}: {len(self.actions)} (skipped {len(self.skipped)})"
        ]
        for a in self.actions:
            lines.append(
                f"  {a.send_at:%H:%M %Z} {a.channel.value:<7} {a.customer_id:<10} {a.trigger.value:<11} {a.reason}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{a.send_at:%H:%M}</td><td>{a.customer_id}</td><td>{a.trigger.value}</td>"
            f"<td>{a.channel.value}</td><td>{a.reason}</td></tr>"
            for a in self.actions
        )
        return (
            f"<table><caption>care actions {self.day.isoformat()}</caption><thead><tr><th>time</th><th>customer</th>"
            f"<th>trigger</th><th>channel</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table>"
        )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class CarePlanner:
    """Builds the day's care actions from customers, history and signals.

    Candidates come from the triggers (birthdays, holidays of ``calendar``,
    anniversaries of ``created_at``, at-risk valuable customers, post-delivery
    follow-ups, order milestones). Each candidate is then placed, or skipped with a
    reason: the customer must be active and consent to the trigger's purpose on some
    channel with a contact point (the preferred channel first); frequency caps count
    past outbound interactions and earlier actions of the plan; the send time is the
    best allowed local hour (from ``timing`` when given, else the start of contact hours).

    Examples
    --------
    >>> from distcrm.domain import Consent, ContactPoint
    >>> utc = dt.timezone.utc
    >>> c = Customer(id="C1", name="Li", birthday=dt.date(1990, 3, 8),
    ...     contact_points=(ContactPoint(channel=Channel.SMS, value="+8613800138000"),),
    ...     consents=(Consent(channel=Channel.SMS, purpose=ConsentPurpose.CARE, given_at=dt.datetime(2020, 1, 1, tzinfo=utc)),))
    >>> plan = CarePlanner().plan(dt.date(2024, 3, 8), [c])
    >>> [(a.customer_id, a.trigger.value, a.channel.value, a.send_at.hour, a.reason) for a in plan.actions]
    [('C1', 'birthday', 'sms', 9, 'birthday (turns 34)')]
    """

    def __init__(
        self,
        rules: CareRules | None = None,
        calendar: HolidayCalendar | None = None,
        timing: ContactTimeModel | None = None,
    ) -> None:
        self.rules = rules or CareRules()
        self.calendar = calendar if calendar is not None else HolidayCalendar.china()
        self.timing = timing

    # -- candidates --------------------------------------------------------------------
    def _candidates(
        self,
        day: dt.date,
        customers: Sequence[Customer],
        orders: Sequence[Order],
        shipments: Sequence[Shipment],
        p_alive: Mapping[str, float],
        value: Mapping[str, float],
    ) -> list[tuple[str, Trigger, str]]:
        r = self.rules
        out: list[tuple[str, Trigger, str]] = []
        use = set(r.triggers)
        holidays = self.calendar.on(day) if Trigger.HOLIDAY in use else []
        leap_fix = day.month == 2 and day.day == 28 and not _is_leap(day.year)
        for c in customers:
            if Trigger.BIRTHDAY in use and c.birthday is not None:
                b = c.birthday
                if (b.month, b.day) == (day.month, day.day) or (leap_fix and (b.month, b.day) == (2, 29)):
                    out.append((c.id, Trigger.BIRTHDAY, f"birthday (turns {day.year - b.year})"))
            if Trigger.ANNIVERSARY in use:
                start = c.created_at.date()
                years = day.year - start.year
                if years >= 1 and (start.month, start.day) == (day.month, day.day):
                    out.append((c.id, Trigger.ANNIVERSARY, f"{_ordinal(years)} anniversary as a customer"))
            if Trigger.AT_RISK in use and c.id in p_alive:
                pa = float(p_alive[c.id])
                val = float(value.get(c.id, 0.0))
                valuable = val >= r.at_risk_min_value or (
                    c.segment is not None and c.segment in r.valuable_segments
                )
                if pa < r.at_risk_p_alive and valuable:
                    out.append(
                        (
                            c.id,
                            Trigger.AT_RISK,
                            f"valuable customer at risk (P(alive) {pa:.0%}, value {val:,.0f})",
                        )
                    )
            for h in holidays:
                out.append((c.id, Trigger.HOLIDAY, f"{h.name} greeting"))
        if Trigger.FOLLOW_UP in use:
            for s in shipments:
                if s.status is ShipmentStatus.DELIVERED and s.delivered_at is not None:
                    due = (s.delivered_at + r.follow_up_after).date()
                    if due == day:
                        out.append(
                            (
                                s.customer_id,
                                Trigger.FOLLOW_UP,
                                f"follow-up on delivery {s.id} of order {s.order_id}",
                            )
                        )
        if Trigger.MILESTONE in use:
            paid: dict[str, list[Order]] = {}
            for o in orders:
                if o.status not in (OrderStatus.DRAFT, OrderStatus.CANCELLED):
                    paid.setdefault(o.customer_id, []).append(o)
            yesterday = day - dt.timedelta(days=1)
            for cid, os_ in paid.items():
                os_.sort(key=lambda o: o.created_at)
                for n in r.milestones:
                    if len(os_) >= n and os_[n - 1].created_at.date() == yesterday:
                        out.append((cid, Trigger.MILESTONE, f"{_ordinal(n)} order ({os_[n - 1].id})"))
        return out

    # -- placement ---------------------------------------------------------------------
    def _channel(self, c: Customer, purpose: ConsentPurpose, at: dt.datetime) -> tuple[Channel, str] | None:
        order = list(self.rules.channel_order)
        pref = c.preferences.preferred_channel
        if pref is not None:
            order = [pref, *[ch for ch in order if ch is not pref]]
        for ch in order:
            cp = c.primary_contact(ch)
            if cp is not None and c.has_consent(ch, purpose, at):
                return ch, cp.value
        return None

    def plan(
        self,
        day: dt.date,
        customers: Sequence[Customer],
        *,
        interactions: Iterable[Interaction] = (),
        orders: Sequence[Order] = (),
        shipments: Sequence[Shipment] = (),
        p_alive: Mapping[str, float] | None = None,
        value: Mapping[str, float] | None = None,
    ) -> CarePlan:
        """The actions for ``day``, each with its reason; skipped candidates with theirs.

        ``p_alive`` and ``value`` map customer ids to P(alive) (e.g. from a BG/NBD fit)
        and a value (e.g. CLV) for the at-risk trigger.
        """
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ValidationError.single("day", day, "must be a date")
        r = self.rules
        by_id = {c.id: c for c in customers}
        cands = self._candidates(day, customers, orders, shipments, p_alive or {}, value or {})
        prio = {t: i for i, t in enumerate(r.triggers)}
        cands.sort(key=lambda x: (prio[x[1]], x[0]))
        # outbound contact history for the caps
        history: dict[str, list[dt.datetime]] = {}
        for it in interactions:
            if it.direction is Direction.OUTBOUND:
                history.setdefault(it.customer_id, []).append(it.at)
        actions: list[CareAction] = []
        skipped: list[tuple[str, Trigger, str]] = []
        planned: dict[str, int] = {}
        for cid, trig, reason in cands:
            c = by_id.get(cid)
            if c is None:
                skipped.append((cid, trig, "unknown customer"))
                continue
            if c.status is not CustomerStatus.ACTIVE:
                skipped.append((cid, trig, f"customer is {c.status.value}"))
                continue
            tz = ZoneInfo(c.preferences.timezone or r.default_timezone)
            day_start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
            purpose = r.purposes[trig]
            if planned.get(cid, 0) >= r.max_per_day:
                skipped.append(
                    (cid, trig, f"daily cap of {r.max_per_day} reached (already: higher-priority action)")
                )
                continue
            past = history.get(cid, [])
            today = sum(1 for t in past if day_start <= t < day_start + dt.timedelta(days=1))
            if today + planned.get(cid, 0) >= r.max_per_day:
                skipped.append((cid, trig, f"daily cap of {r.max_per_day} reached"))
                continue
            recent = sum(
                1
                for t in past
                if day_start + dt.timedelta(days=1) - r.window <= t < day_start + dt.timedelta(days=1)
            )
            if recent + planned.get(cid, 0) >= r.max_per_window:
                skipped.append(
                    (cid, trig, f"cap of {r.max_per_window} contacts per {r.window.days} days reached")
                )
                continue
            hours = range(r.contact_hours[0], r.contact_hours[1])
            hour = self.timing.best_hour(cid, day, hours) if self.timing is not None else r.contact_hours[0]
            send_at = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            chosen = self._channel(c, purpose, send_at)
            if chosen is None:
                skipped.append(
                    (cid, trig, f"no consent for {purpose.value} messages on a channel with a contact point")
                )
                continue
            channel, contact = chosen
            actions.append(
                CareAction(
                    customer_id=cid,
                    trigger=trig,
                    reason=reason,
                    channel=channel,
                    purpose=purpose,
                    send_at=send_at,
                    contact=contact,
                    priority=prio[trig],
                )
            )
            planned[cid] = planned.get(cid, 0) + 1
        actions.sort(key=lambda a: (a.send_at, a.priority, a.customer_id))
        return CarePlan(day=day, actions=tuple(actions), skipped=tuple(skipped))

    def contact(
        self,
        customer: Customer,
        channel: Channel,
        purpose: ConsentPurpose,
        at: dt.datetime,
        reason: str,
        trigger: Trigger = Trigger.FOLLOW_UP,
    ) -> CareAction:
        """A single ad-hoc contact, checked for consent and quiet hours.

        Raises
        ------
        ConsentError
            No active consent for ``channel`` × ``purpose`` at ``at``.
        ValidationError
            ``at`` falls in the customer's quiet hours, or there is no contact point.
        """
        if at.tzinfo is None:
            raise ValidationError.single("at", at, "must be timezone-aware")
        check_consent(customer, channel, purpose, at)
        tz = ZoneInfo(customer.preferences.timezone or self.rules.default_timezone)
        local = at.astimezone(tz)
        a, b = self.rules.contact_hours
        if not a <= local.hour < b:
            raise ValidationError.single(
                "at", local.isoformat(), f"is in the customer's quiet hours (contact {a}:00–{b}:00 local)"
            )
        cp = customer.primary_contact(channel)
        if cp is None:
            raise ValidationError.single(
                "channel", channel.value, f"customer {customer.id!r} has no usable contact point"
            )
        return CareAction(
            customer_id=customer.id,
            trigger=trigger,
            reason=reason,
            channel=channel,
            purpose=purpose,
            send_at=local,
            contact=cp.value,
            priority=0,
        )


def _is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
