"""Value objects: Money, GeoPoint, windows, addresses, contact points, consents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.domain import (
    Address,
    Channel,
    Consent,
    ConsentPurpose,
    ContactPoint,
    GeoPoint,
    Money,
    TimeWindow,
    WeeklyWindow,
)
from distcrm.errors import ValidationError

UTC = dt.UTC


def test_money_adds_same_currency_exactly() -> None:
    """0.1 + 0.2 EUR is exactly 0.3 EUR (Decimal, not float)."""
    assert Money.of("0.3", "EUR") == Money.of("0.1", "EUR") + Money.of("0.2", "EUR")


def test_money_rejects_mixed_currencies() -> None:
    """Adding USD to EUR raises ValidationError naming the currency."""
    with pytest.raises(ValidationError) as info:
        Money.of("1", "EUR") + Money.of("1", "USD")
    assert "$.currency" == info.value.field


def test_money_multiplies_by_int_and_decimal_not_float() -> None:
    """Money * int and * Decimal work; * float is refused as inexact."""
    assert Money.of("7.5", "EUR") == Money.of("2.5", "EUR") * 3
    assert Money.of("1.25", "EUR") == Money.of("2.5", "EUR") * Decimal("0.5")
    with pytest.raises(ValidationError):
        Money.of("2.5", "EUR") * 0.5  # type: ignore[operator]


def test_money_zero_and_compare() -> None:
    """Money.zero is the additive identity and same-currency amounts compare."""
    m = Money.of("12.30", "CNY")
    assert m == m + Money.zero("CNY")
    assert Money.zero("CNY") < m


@pytest.mark.parametrize(
    ("code", "message"), [("eur", "upper-case"), ("EURO", "ISO 4217"), ("ABC", "ISO 4217")]
)
def test_money_currency_must_be_iso4217(code: str, message: str) -> None:
    """A currency that is not an active upper-case ISO 4217 code is rejected."""
    with pytest.raises(ValidationError, match=message):
        Money(amount=Decimal(1), currency=code)


def test_money_rejects_non_finite_and_float_amounts() -> None:
    """NaN and float amounts are rejected, both reported at once with the currency error."""
    with pytest.raises(ValidationError) as info:
        Money(amount=1.5, currency="XXX")  # type: ignore[arg-type]
    assert ["$.amount", "$.currency"] == info.value.paths
    with pytest.raises(ValidationError, match="finite"):
        Money(amount=Decimal("NaN"), currency="EUR")


def test_money_rounded_uses_currency_minor_units() -> None:
    """JPY rounds to whole yen, KWD to 3 places, EUR to cents (half-even)."""
    assert Money.of("1234", "JPY") == Money.of("1234.5", "JPY").rounded()
    assert Money.of("1.234", "KWD") == Money.of("1.2344", "KWD").rounded()
    assert Money.of("0.12", "EUR") == Money.of("0.125", "EUR").rounded()


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-1e6, max_value=1e6),
       st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-1e6, max_value=1e6))  # fmt: skip
@settings(max_examples=30, deadline=None)
def test_money_addition_commutes_and_subtraction_inverts(a: Decimal, b: Decimal) -> None:
    """a + b == b + a and (a + b) - b == a for Money of one currency."""
    ma, mb = Money(amount=a, currency="EUR"), Money(amount=b, currency="EUR")
    assert mb + ma == ma + mb
    assert ma == (ma + mb) - mb


@pytest.mark.parametrize(
    ("lat", "lon", "bad"), [(91, 0, ["$.lat"]), (0, -181, ["$.lon"]), (-95, 200, ["$.lat", "$.lon"])]
)
def test_geopoint_ranges(lat: float, lon: float, bad: list[str]) -> None:
    """Latitude beyond ±90 and longitude beyond ±180 are each reported."""
    with pytest.raises(ValidationError) as info:
        GeoPoint(lat=lat, lon=lon)
    assert bad == info.value.paths


def test_geopoint_distance_shanghai_beijing() -> None:
    """Haversine Shanghai-Beijing is about 1067 km."""
    sh, bj = GeoPoint(lat=31.2304, lon=121.4737), GeoPoint(lat=39.9042, lon=116.4074)
    assert 1067 == round(sh.distance_km(bj))


def test_timewindow_requires_aware_and_ordered() -> None:
    """Naive datetimes and end <= start are rejected."""
    with pytest.raises(ValidationError) as info:
        TimeWindow(start=dt.datetime(2024, 1, 1), end=dt.datetime(2024, 1, 2))
    assert ["$.start", "$.end"] == info.value.paths
    t = dt.datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError, match="after start"):
        TimeWindow(start=t, end=t)


def test_timewindow_contains_is_half_open_across_zones() -> None:
    """contains() includes start, excludes end, and compares instants across time zones."""
    shanghai = dt.timezone(dt.timedelta(hours=8))
    w = TimeWindow(
        start=dt.datetime(2024, 1, 1, 9, tzinfo=shanghai), end=dt.datetime(2024, 1, 1, 12, tzinfo=shanghai)
    )
    assert w.contains(dt.datetime(2024, 1, 1, 1, tzinfo=UTC))  # 09:00 in Shanghai
    assert not w.contains(dt.datetime(2024, 1, 1, 4, tzinfo=UTC))  # 12:00 in Shanghai
    assert dt.timedelta(hours=3) == w.duration


def test_weekly_window_validation_and_contains() -> None:
    """Weekday must be 0-6 and start < end; contains matches weekday and local time."""
    with pytest.raises(ValidationError) as info:
        WeeklyWindow(weekday=7, start=dt.time(12), end=dt.time(9))
    assert ["$.weekday"] == info.value.paths  # cross-field checks wait for valid fields
    w = WeeklyWindow(weekday=4, start=dt.time(8), end=dt.time(12))
    assert w.contains(dt.datetime(2024, 5, 3, 8))  # a Friday
    assert not w.contains(dt.datetime(2024, 5, 4, 9))


def test_address_reports_every_bad_field() -> None:
    """Blank line1, blank city and a bad country are reported together."""
    with pytest.raises(ValidationError) as info:
        Address(line1=" ", city="", country="XX")
    assert ["$.line1", "$.city", "$.country"] == info.value.paths


def test_address_rejects_overlapping_windows_on_a_day() -> None:
    """Two delivery windows overlapping on the same weekday are rejected."""
    ws = (
        WeeklyWindow(weekday=1, start=dt.time(8), end=dt.time(12)),
        WeeklyWindow(weekday=1, start=dt.time(11), end=dt.time(14)),
    )
    with pytest.raises(ValidationError, match="overlap"):
        Address(line1="1 Main St", city="Berlin", country="DE", delivery_windows=ws)


def test_address_accepts_list_for_tuple_field() -> None:
    """A list given for a tuple field is stored as a tuple (the object stays immutable and hashable)."""
    a = Address(
        line1="1 Main St",
        city="Berlin",
        country="DE",
        delivery_windows=[WeeklyWindow(weekday=1, start=dt.time(8), end=dt.time(9))],
    )  # type: ignore[arg-type]
    assert isinstance(a.delivery_windows, tuple)
    assert isinstance(hash(a), int)


@pytest.mark.parametrize(
    ("channel", "value", "ok"),
    [
        (Channel.EMAIL, "li.wei@example.cn", True),
        (Channel.EMAIL, "王芳@例子.中国", True),
        (Channel.EMAIL, "no-at.example.com", False),
        (Channel.EMAIL, "a@b", False),
        (Channel.PHONE, "+86 138 0013 8000", True),
        (Channel.PHONE, "+49-30-1234567", True),
        (Channel.PHONE, "0301234567", False),
        (Channel.SMS, "+1 (555) 1234567", False),
        (Channel.WHATSAPP, "+4915112345678", True),
        (Channel.WECHAT, "wxid_abc123", True),
        (Channel.WECHAT, "1abcdef", False),
        (Channel.WECHAT, "abc", False),
        (Channel.POST, "  ", False),
    ],
)
def test_contact_point_formats(channel: Channel, value: str, ok: bool) -> None:
    """Each channel validates its own value format (e-mail, E.164 phone, WeChat ID ...)."""
    if ok:
        assert value == ContactPoint(channel=channel, value=value).value
    else:
        with pytest.raises(ValidationError) as info:
            ContactPoint(channel=channel, value=value)
        assert ["$.value"] == info.value.paths


def test_consent_active_until_withdrawn() -> None:
    """A consent is active from given_at up to (not including) withdrawn_at."""
    g, w = dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 3, 1, tzinfo=UTC)
    c = Consent(channel=Channel.SMS, purpose=ConsentPurpose.CARE, given_at=g, withdrawn_at=w)
    assert (False, True, False) == (c.is_active(g - dt.timedelta(1)), c.is_active(g), c.is_active(w))


def test_consent_withdrawn_before_given_is_rejected() -> None:
    """withdrawn_at before given_at is an invalid consent."""
    g = dt.datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError) as info:
        Consent(
            channel=Channel.SMS,
            purpose=ConsentPurpose.CARE,
            given_at=g,
            withdrawn_at=g - dt.timedelta(days=1),
        )
    assert ["$.withdrawn_at"] == info.value.paths
