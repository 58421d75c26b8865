"""Tests of the care calendar: triggers, consent, quiet hours, caps, preferred channel, timing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.care import (
    CarePlanner,
    CareRules,
    ConsentError,
    ContactTimeModel,
    HolidayCalendar,
    Trigger,
    check_consent,
    spring_festival,
)
from distcrm.domain import (
    Channel,
    Consent,
    ConsentPurpose,
    ContactPoint,
    Customer,
    CustomerStatus,
    Direction,
    Interaction,
    InteractionChannel,
    Money,
    Order,
    OrderLine,
    Preferences,
    Shipment,
)
from distcrm.errors import ValidationError

UTC = dt.UTC
T_CONSENT = dt.datetime(2020, 1, 1, tzinfo=UTC)
SMS = ContactPoint(channel=Channel.SMS, value="+8613800138000")
EMAIL = ContactPoint(channel=Channel.EMAIL, value="li@example.cn")


def _consents(*pairs: tuple[Channel, ConsentPurpose]) -> tuple[Consent, ...]:
    return tuple(Consent(channel=c, purpose=p, given_at=T_CONSENT) for c, p in pairs)


def _customer(cid: str = "C1", **kw: object) -> Customer:
    base: dict[str, object] = {
        "id": cid,
        "name": "Li",
        "contact_points": (SMS, EMAIL),
        "consents": _consents((Channel.SMS, ConsentPurpose.CARE), (Channel.EMAIL, ConsentPurpose.CARE)),
        "created_at": dt.datetime(2021, 6, 1, tzinfo=UTC),
    }
    base.update(kw)
    return Customer(**base)  # type: ignore[arg-type]


def test_spring_festival_table_and_china_calendar() -> None:
    """The bundled table gives the Spring Festival dates; the China calendar has fixed and lunar holidays."""
    assert dt.date(2024, 2, 10) == spring_festival(2024)
    assert dt.date(2035, 2, 8) == spring_festival(2035)
    cal = HolidayCalendar.china()
    assert ["mid_autumn"] == [h.key for h in cal.on(dt.date(2024, 9, 17))]
    assert ["national_day", "mid_autumn"] == [h.key for h in cal.on(dt.date(2020, 10, 1))]
    with pytest.raises(ValidationError):
        spring_festival(2050)


def test_birthday_action_uses_preferred_channel_in_local_time() -> None:
    """A birthday on the day gives one care action on the preferred channel at 09:00 local."""
    c = _customer(
        birthday=dt.date(1990, 5, 20),
        preferences=Preferences(preferred_channel=Channel.EMAIL, timezone="Europe/London"),
    )
    plan = CarePlanner(calendar=HolidayCalendar()).plan(dt.date(2024, 5, 20), [c])
    (a,) = plan.actions
    assert (Trigger.BIRTHDAY, Channel.EMAIL, "li@example.cn") == (a.trigger, a.channel, a.contact)
    assert dt.datetime(2024, 5, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=1))) == a.send_at
    assert "birthday (turns 34)" == a.reason


def test_leap_day_birthday_celebrated_on_28_february() -> None:
    """A 29 February birthday is celebrated on 28 February in a common year."""
    c = _customer(birthday=dt.date(2000, 2, 29))
    assert 1 == len(CarePlanner(calendar=HolidayCalendar()).plan(dt.date(2023, 2, 28), [c]))
    assert 0 == len(CarePlanner(calendar=HolidayCalendar()).plan(dt.date(2024, 2, 28), [c]))


def test_spring_festival_greeting_and_anniversary_priority() -> None:
    """On Spring Festival a customer gets one action: the higher-priority anniversary wins the daily cap."""
    sf = spring_festival(2025)
    c = _customer(created_at=dt.datetime(2022, sf.month, sf.day, tzinfo=UTC))
    plan = CarePlanner().plan(sf, [c])
    assert [Trigger.ANNIVERSARY] == [a.trigger for a in plan.actions]
    assert "3rd anniversary as a customer" == plan.actions[0].reason
    assert [("C1", Trigger.HOLIDAY)] == [(s[0], s[1]) for s in plan.skipped]
    other = CarePlanner().plan(sf, [_customer("C2")])
    assert ["Spring Festival greeting"] == [a.reason for a in other.actions]


def test_no_consent_skips_with_reason_and_direct_contact_raises() -> None:
    """Without care consent the planner skips with a reason; a direct contact raises ConsentError."""
    c = _customer(birthday=dt.date(1990, 5, 20), consents=_consents((Channel.SMS, ConsentPurpose.MARKETING)))
    plan = CarePlanner(calendar=HolidayCalendar()).plan(dt.date(2024, 5, 20), [c])
    assert 0 == len(plan)
    assert "no consent for care messages" in plan.skipped[0][2]
    at = dt.datetime(2024, 5, 20, 3, tzinfo=UTC)
    with pytest.raises(ConsentError) as exc:
        CarePlanner().contact(c, Channel.SMS, ConsentPurpose.CARE, at, "hello")
    assert ("C1", Channel.SMS, ConsentPurpose.CARE) == (
        exc.value.customer_id,
        exc.value.channel,
        exc.value.purpose,
    )
    with pytest.raises(PermissionError):
        check_consent(c, Channel.EMAIL, ConsentPurpose.MARKETING, at)


def test_withdrawn_consent_is_respected() -> None:
    """Consent withdrawn before the day removes the channel."""
    withdrawn = Consent(
        channel=Channel.SMS,
        purpose=ConsentPurpose.CARE,
        given_at=T_CONSENT,
        withdrawn_at=dt.datetime(2024, 1, 1, tzinfo=UTC),
    )
    c = _customer(birthday=dt.date(1990, 5, 20), consents=(withdrawn,), contact_points=(SMS,))
    assert 0 == len(CarePlanner(calendar=HolidayCalendar()).plan(dt.date(2024, 5, 20), [c]))


def test_quiet_hours_in_customer_timezone() -> None:
    """03:00 UTC is 11:00 in Shanghai (allowed) but 23:00 in New York the day before (quiet)."""
    planner = CarePlanner()
    at = dt.datetime(2024, 5, 20, 3, tzinfo=UTC)
    ok = planner.contact(_customer(), Channel.SMS, ConsentPurpose.CARE, at, "check-in")
    assert 11 == ok.send_at.hour
    ny = _customer(preferences=Preferences(timezone="America/New_York"))
    with pytest.raises(ValidationError) as exc:
        planner.contact(ny, Channel.SMS, ConsentPurpose.CARE, at, "check-in")
    assert "quiet hours" in str(exc.value)


def test_frequency_cap_counts_recent_outbound_interactions() -> None:
    """Two outbound contacts in the last 7 days block a third (cap 2 per 7 days)."""
    c = _customer(birthday=dt.date(1990, 5, 20))
    past = [
        Interaction(
            customer_id="C1",
            at=dt.datetime(2024, 5, d, 2, tzinfo=UTC),
            channel=InteractionChannel.SMS,
            direction=Direction.OUTBOUND,
        )
        for d in (15, 18)
    ]
    plan = CarePlanner(calendar=HolidayCalendar()).plan(dt.date(2024, 5, 20), [c], interactions=past)
    assert 0 == len(plan)
    assert "cap of 2 contacts per 7 days" in plan.skipped[0][2]
    older = [attrs_evolve_at(i, days=-10) for i in past]
    assert 1 == len(
        CarePlanner(calendar=HolidayCalendar()).plan(dt.date(2024, 5, 20), [c], interactions=older)
    )


def attrs_evolve_at(i: Interaction, days: int) -> Interaction:
    import attrs

    return attrs.evolve(i, at=i.at + dt.timedelta(days=days))


def test_follow_up_at_risk_and_milestone_triggers() -> None:
    """Delivered shipments get a follow-up, low P(alive) valuable customers and 10th orders get actions."""
    t = dt.datetime(2024, 5, 18, 10, tzinfo=UTC)
    consent_all = _consents(*[(ch, p) for ch in (Channel.SMS,) for p in ConsentPurpose])
    a, b, c = (_customer(x, consents=consent_all, contact_points=(SMS,)) for x in ("A", "B", "C"))
    ship = Shipment(order_id="SO-1", customer_id="A").load(t).dispatch(t).deliver(t)
    line = OrderLine(product_id="p", quantity=Decimal(1), unit_price=Money.of("10", "CNY"))
    orders = [
        Order(
            id=f"O{i}",
            customer_id="C",
            created_at=dt.datetime(2024, 5, 10 + i, tzinfo=UTC),
            currency="CNY",
            lines=(line,),
        ).confirm(dt.datetime(2024, 5, 19, tzinfo=UTC))
        for i in range(10)
    ]
    plan = CarePlanner(calendar=HolidayCalendar()).plan(
        dt.date(2024, 5, 20),
        [a, b, c],
        shipments=[ship],
        orders=orders,
        p_alive={"A": 0.9, "B": 0.2, "C": 0.9},
        value={"B": 5000.0},
    )
    got = {x.customer_id: (x.trigger, x.purpose) for x in plan.actions}
    assert (Trigger.FOLLOW_UP, ConsentPurpose.SERVICE) == got["A"]
    assert (Trigger.AT_RISK, ConsentPurpose.MARKETING) == got["B"]
    assert (Trigger.MILESTONE, ConsentPurpose.CARE) == got["C"]
    assert "10th order (O9)" == next(x.reason for x in plan.actions if x.customer_id == "C")


def test_inactive_customers_are_skipped() -> None:
    """A blocked customer gets no action, with the status as reason."""
    c = _customer(birthday=dt.date(1990, 5, 20), status=CustomerStatus.BLOCKED)
    plan = CarePlanner(calendar=HolidayCalendar()).plan(dt.date(2024, 5, 20), [c])
    assert 0 == len(plan)
    assert "customer is blocked" == plan.skipped[0][2]


def test_contact_time_model_learns_best_hour_and_plan_uses_it() -> None:
    """Responses at 19:00 local beat 09:00; the plan schedules at 19:00."""
    ints = []
    for d in range(1, 29):
        for hour, resp in ((1, False), (11, True)):  # 09:00 and 19:00 in Shanghai
            ints.append(
                Interaction(
                    customer_id="C1",
                    at=dt.datetime(2024, 4, d, hour, tzinfo=UTC),
                    channel=InteractionChannel.SMS,
                    direction=Direction.OUTBOUND,
                    responded=resp,
                )
            )
    model = ContactTimeModel().fit(ints, timezones={"C1": "Asia/Shanghai"})
    assert 19 == model.best_hour("C1", dt.date(2024, 5, 20), range(9, 21))
    c = _customer(birthday=dt.date(1990, 5, 20))
    plan = CarePlanner(calendar=HolidayCalendar(), timing=model).plan(dt.date(2024, 5, 20), [c])
    assert 19 == plan.actions[0].send_at.hour


def test_rules_validate_every_field() -> None:
    """Bad rules report every bad field."""
    with pytest.raises(ValidationError) as exc:
        CareRules(contact_hours=(22, 8), default_timezone="Mars/Base", max_per_day=0)
    assert {"$.contact_hours", "$.default_timezone", "$.max_per_day"} <= set(exc.value.paths)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(1950, 1, 1), dt.date(2005, 12, 31)),
            st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/Los_Angeles", "UTC"]),
            st.sets(st.sampled_from([Channel.SMS, Channel.EMAIL]), max_size=2),
            st.sampled_from([None, Channel.SMS, Channel.EMAIL]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
)
def test_every_action_respects_consent_quiet_hours_and_daily_cap(people: list, day: dt.date) -> None:  # type: ignore[type-arg]
    """Any plan only contacts consenting customers, within local contact hours, once a day."""
    customers = [
        _customer(
            f"C{i}",
            birthday=b,
            preferences=Preferences(timezone=tz, preferred_channel=pref),
            consents=_consents(*[(ch, ConsentPurpose.CARE) for ch in chans]),
        )
        for i, (b, tz, chans, pref) in enumerate(people)
    ]
    plan = CarePlanner().plan(day, customers)
    by_id = {c.id: c for c in customers}
    seen: set[str] = set()
    for a in plan.actions:
        c = by_id[a.customer_id]
        assert c.has_consent(a.channel, a.purpose, a.send_at)
        assert 9 <= a.send_at.hour < 21
        assert a.customer_id not in seen
        seen.add(a.customer_id)
        pref = c.preferences.preferred_channel
        if pref is not None and c.has_consent(pref, a.purpose, a.send_at):
            assert pref == a.channel


def test_contact_time_model_converts_local_time_across_dst() -> None:
    """09:00 in Berlin is 08:00 UTC before the DST change and 07:00 UTC after; both count at 9."""
    at = [dt.datetime(2024, 3, 30, 8, tzinfo=UTC), dt.datetime(2024, 4, 1, 7, tzinfo=UTC)]
    m = ContactTimeModel().fit_arrays(["B", "B"], at, [1, 0], timezones={"B": "Europe/Berlin"})
    assert 1.0 == m.n_contacts_[0, 5, 9]  # Saturday 30 March
    assert 1.0 == m.n_contacts_[0, 0, 9]  # Monday 1 April
    m64 = ContactTimeModel().fit_arrays(
        ["B", "B"],
        np.array(["2024-03-30T08:00", "2024-04-01T07:00"], dtype="datetime64[s]"),
        [1, 0],
        timezones={"B": "Europe/Berlin"},
    )
    assert m.n_contacts_.tolist() == m64.n_contacts_.tolist()
