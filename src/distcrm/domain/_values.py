"""Value objects: money, places, time windows, contact points and consents."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import attrs

from distcrm.domain._codes import COUNTRIES, CURRENCIES, MINOR_UNITS
from distcrm.domain._validation import Record, between, checks, err, nonblank, opt
from distcrm.errors import FieldError, ValidationError

__all__ = [
    "Address",
    "AddressKind",
    "Channel",
    "Consent",
    "ConsentPurpose",
    "ContactPoint",
    "GeoPoint",
    "Money",
    "TimeWindow",
    "WeeklyWindow",
    "country_code",
    "currency_code",
]


def currency_code(v: Any) -> str | None:
    """Check: an active ISO 4217 code in upper case (``EUR``, ``CNY``)."""
    if v in CURRENCIES:
        return None
    if isinstance(v, str) and v.upper() in CURRENCIES:
        return "must be an upper-case ISO 4217 code"
    return "must be an ISO 4217 currency code"


def country_code(v: Any) -> str | None:
    """Check: an ISO 3166-1 alpha-2 code in upper case (``DE``, ``CN``)."""
    if v in COUNTRIES:
        return None
    if isinstance(v, str) and v.upper() in COUNTRIES:
        return "must be an upper-case ISO 3166-1 alpha-2 code"
    return "must be an ISO 3166-1 alpha-2 country code"


class Channel(enum.Enum):
    """A way to reach a customer (contact points, consents, campaigns, preferences)."""

    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"
    WECHAT = "wechat"
    WHATSAPP = "whatsapp"
    POST = "post"
    PUSH = "push"


class ConsentPurpose(enum.Enum):
    """What a customer agreed to be contacted (or processed) for."""

    MARKETING = "marketing"
    SERVICE = "service"
    TRANSACTIONAL = "transactional"
    CARE = "care"  # greetings, birthday and care messages
    ANALYTICS = "analytics"


class AddressKind(enum.Enum):
    """Whether an address is for invoices or for deliveries."""

    BILLING = "billing"
    SHIPPING = "shipping"


@attrs.frozen(kw_only=True, order=False)
class Money(Record):
    """An exact amount in one ISO 4217 currency.

    Arithmetic (``+``, ``-``, ``*`` by an int or Decimal) keeps the exact Decimal value;
    mixing currencies raises :class:`~distcrm.errors.ValidationError`. Amounts are not
    rounded unless you ask (:meth:`rounded`).

    Examples
    --------
    >>> from decimal import Decimal
    >>> price = Money(amount=Decimal("9.99"), currency="EUR")
    >>> price * 3 + Money.zero("EUR")
    Money(amount=Decimal('29.97'), currency='EUR')
    >>> price + Money(amount=Decimal("1"), currency="USD")
    Traceback (most recent call last):
    ...
    distcrm.errors.ValidationError: $.currency: cannot combine EUR with USD, got 'USD'
    """

    amount: Decimal
    currency: str = attrs.field(metadata=checks(currency_code))

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``."""
        return cls(amount=Decimal(0), currency=currency)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build from a Decimal, an int or a decimal string (``Money.of("9.99", "EUR")``)."""
        if isinstance(amount, str):
            from decimal import InvalidOperation

            try:
                value = Decimal(amount)
            except InvalidOperation:
                raise ValidationError.single("amount", amount, "must be a decimal number") from None
            return cls(amount=value, currency=currency)
        return cls(amount=amount, currency=currency)  # type: ignore[arg-type]  # int is converted

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise ValidationError.single("other", other, "must be Money")
        if other.currency != self.currency:
            raise ValidationError.single(
                "currency", other.currency, f"cannot combine {self.currency} with {other.currency}"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, (int, Decimal)):
            raise ValidationError.single("factor", factor, "must be an int or a Decimal (floats are inexact)")
        return Money(amount=self.amount * factor, currency=self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(amount=-self.amount, currency=self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    @property
    def minor_units(self) -> int:
        """Decimal places of the currency (2 for most, 0 for JPY, 3 for KWD)."""
        return MINOR_UNITS.get(self.currency, 2)

    def rounded(self) -> Money:
        """The amount rounded half-even to the currency's minor unit."""
        q = Decimal(1).scaleb(-self.minor_units)
        return Money(amount=self.amount.quantize(q, rounding=ROUND_HALF_EVEN), currency=self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@attrs.frozen(kw_only=True)
class GeoPoint(Record):
    """A WGS84 position in decimal degrees.

    Examples
    --------
    >>> GeoPoint(lat=31.2304, lon=121.4737)
    GeoPoint(lat=31.2304, lon=121.4737)
    """

    lat: float = attrs.field(metadata=checks(between(-90.0, 90.0)))
    lon: float = attrs.field(metadata=checks(between(-180.0, 180.0)))

    def distance_km(self, other: GeoPoint) -> float:
        """Great-circle (haversine) distance in km, Earth radius 6371.0088 km."""
        import math

        p1, p2 = math.radians(self.lat), math.radians(other.lat)
        dp, dl = p2 - p1, math.radians(other.lon - self.lon)
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@attrs.frozen(kw_only=True)
class TimeWindow(Record):
    """A half-open interval ``[start, end)`` of timezone-aware instants.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> w = TimeWindow(start=datetime(2024, 5, 1, 9, tzinfo=timezone.utc),
    ...                end=datetime(2024, 5, 1, 12, tzinfo=timezone.utc))
    >>> w.duration, w.contains(datetime(2024, 5, 1, 12, tzinfo=timezone.utc))
    (datetime.timedelta(seconds=10800), False)
    """

    start: dt.datetime
    end: dt.datetime

    def _check(self) -> Iterator[FieldError]:
        if not self.start < self.end:
            yield err("end", f"must be after start ({self.start.isoformat()})", self.end)

    @property
    def duration(self) -> dt.timedelta:
        """``end - start``."""
        return self.end - self.start

    def contains(self, at: dt.datetime) -> bool:
        """Whether ``start <= at < end``."""
        return self.start <= at < self.end

    def overlaps(self, other: TimeWindow) -> bool:
        """Whether the two windows share an instant."""
        return self.start < other.end and other.start < self.end


@attrs.frozen(kw_only=True)
class WeeklyWindow(Record):
    """A recurring weekly window in local time: ``weekday`` 0 (Monday) to 6, ``start < end``.

    Examples
    --------
    >>> from datetime import time, datetime
    >>> w = WeeklyWindow(weekday=0, start=time(8), end=time(12))
    >>> w.contains(datetime(2024, 5, 6, 9, 30))  # a Monday
    True
    """

    weekday: int = attrs.field(metadata=checks(between(0, 6)))
    start: dt.time
    end: dt.time

    def _check(self) -> Iterator[FieldError]:
        if not self.start < self.end:
            yield err("end", f"must be after start ({self.start.isoformat()})", self.end)

    def contains(self, at: dt.datetime) -> bool:
        """Whether the local wall-clock time of ``at`` falls in the window."""
        return at.weekday() == self.weekday and self.start <= at.time().replace(tzinfo=None) < self.end


@attrs.frozen(kw_only=True)
class Address(Record):
    """A postal address, optionally geocoded, with delivery instructions and windows.

    Examples
    --------
    >>> from datetime import time
    >>> a = Address(line1="88 Nanjing Rd", city="Shanghai", country="CN",
    ...             geo=GeoPoint(lat=31.23, lon=121.47),
    ...             delivery_windows=(WeeklyWindow(weekday=0, start=time(9), end=time(17)),))
    >>> a.kind
    <AddressKind.SHIPPING: 'shipping'>
    """

    line1: str = attrs.field(metadata=checks(nonblank))
    line2: str | None = None
    city: str = attrs.field(metadata=checks(nonblank))
    region: str | None = None
    postcode: str | None = None
    country: str = attrs.field(metadata=checks(country_code))
    geo: GeoPoint | None = None
    instructions: str | None = None
    delivery_windows: tuple[WeeklyWindow, ...] = ()
    kind: AddressKind = AddressKind.SHIPPING
    label: str | None = None
    primary: bool = False

    def _check(self) -> Iterator[FieldError]:
        ws = sorted(self.delivery_windows, key=lambda w: (w.weekday, w.start))
        for a, b in itertools.pairwise(ws):
            if a.weekday == b.weekday and b.start < a.end:
                i = self.delivery_windows.index(b)
                yield err(f"delivery_windows[{i}]", "must not overlap another window of the same day", b)


_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+$")
_PHONE_RE = re.compile(r"^\+[1-9](?:[ \-]?\d){6,14}$")
_WECHAT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{5,19}$")


def _contact_value_error(channel: Channel, value: str) -> str | None:
    if channel is Channel.EMAIL:
        if len(value) > 254 or not _EMAIL_RE.match(value):
            return "must be an e-mail address (name@domain.tld)"
    elif channel in (Channel.PHONE, Channel.SMS, Channel.WHATSAPP):
        if not _PHONE_RE.match(value):
            return "must be an international phone number (+ country code, 7-15 digits; spaces or hyphens allowed)"
    elif channel is Channel.WECHAT:
        if not _WECHAT_RE.match(value):
            return "must be a WeChat ID (6-20 letters, digits, _ or -, starting with a letter)"
    elif not value.strip():
        return "must not be blank"
    return None


@attrs.frozen(kw_only=True)
class ContactPoint(Record):
    """One way to reach someone: an e-mail address, phone number, WeChat ID ...

    Examples
    --------
    >>> ContactPoint(channel=Channel.PHONE, value="+86 138 0013 8000", primary=True).primary
    True
    >>> ContactPoint(channel=Channel.EMAIL, value="not-an-email")
    Traceback (most recent call last):
    ...
    distcrm.errors.ValidationError: invalid ContactPoint: $.value: must be an e-mail address (name@domain.tld), got 'not-an-email'
    """

    channel: Channel
    value: str
    primary: bool = False
    opted_out: bool = False
    label: str | None = None

    def _check(self) -> Iterator[FieldError]:
        msg = _contact_value_error(self.channel, self.value)
        if msg is not None:
            yield err("value", msg, self.value)


@attrs.frozen(kw_only=True)
class Consent(Record):
    """Permission to use a channel for a purpose, given at a time and maybe withdrawn.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> c = Consent(channel=Channel.EMAIL, purpose=ConsentPurpose.MARKETING,
    ...             given_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
    >>> c.is_active(datetime(2024, 6, 1, tzinfo=timezone.utc))
    True
    """

    channel: Channel
    purpose: ConsentPurpose
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None = None
    source: str | None = attrs.field(default=None, metadata=checks(opt(nonblank)))

    def _check(self) -> Iterator[FieldError]:
        if self.withdrawn_at is not None and self.withdrawn_at < self.given_at:
            yield err(
                "withdrawn_at",
                f"must not be before given_at ({self.given_at.isoformat()})",
                self.withdrawn_at,
            )

    def is_active(self, at: dt.datetime) -> bool:
        """Whether the consent was given at or before ``at`` and not withdrawn by then."""
        return self.given_at <= at and (self.withdrawn_at is None or at < self.withdrawn_at)
