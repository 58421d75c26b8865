"""Customers, their contacts and preferences, and the interaction log."""

from __future__ import annotations

import datetime as dt
import enum
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from distcrm.domain._validation import Record, checks, each, err, ge, ident, new_id, nonblank, opt
from distcrm.domain._values import (
    Address,
    AddressKind,
    Channel,
    Consent,
    ConsentPurpose,
    ContactPoint,
    Money,
    WeeklyWindow,
    currency_code,
)
from distcrm.errors import FieldError

__all__ = [
    "ContactPerson",
    "Customer",
    "CustomerKind",
    "CustomerStatus",
    "Direction",
    "Interaction",
    "InteractionChannel",
    "Preferences",
    "language_tag",
    "timezone_name",
]


def timezone_name(v: Any) -> str | None:
    """Check: an IANA time-zone name known to :mod:`zoneinfo` (``Asia/Shanghai``)."""
    try:
        zoneinfo.ZoneInfo(v)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return "must be an IANA time-zone name (e.g. 'Europe/Berlin')"
    return None


_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def language_tag(v: Any) -> str | None:
    """Check: a BCP 47 language tag such as ``en``, ``zh-CN`` or ``zh-Hans``."""
    return None if _LANG_RE.match(v) else "must be a BCP 47 language tag (e.g. 'en', 'zh-CN')"


class CustomerKind(enum.Enum):
    """A company (B2B account) or an individual (B2C)."""

    COMPANY = "company"
    INDIVIDUAL = "individual"


class CustomerStatus(enum.Enum):
    """Where the relationship stands."""

    PROSPECT = "prospect"
    ACTIVE = "active"
    DORMANT = "dormant"
    LOST = "lost"
    BLOCKED = "blocked"


class InteractionChannel(enum.Enum):
    """How an interaction took place."""

    PHONE = "phone"
    EMAIL = "email"
    VISIT = "visit"
    CHAT = "chat"
    SMS = "sms"
    WECHAT = "wechat"
    WEB = "web"


class Direction(enum.Enum):
    """Who started the interaction."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


@attrs.frozen(kw_only=True)
class Preferences(Record):
    """What a customer likes and how they want to be served.

    Examples
    --------
    >>> Preferences(categories=frozenset({"dairy"}), timezone="Asia/Shanghai", language="zh-CN").timezone
    'Asia/Shanghai'
    """

    categories: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    brands: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    preferred_channel: Channel | None = None
    preferred_window: WeeklyWindow | None = None
    language: str | None = attrs.field(default=None, metadata=checks(opt(language_tag)))
    timezone: str | None = attrs.field(default=None, metadata=checks(opt(timezone_name)))


@attrs.frozen(kw_only=True)
class ContactPerson(Record):
    """A person at a company customer (buyer, receiving clerk, accounts payable ...)."""

    name: str = attrs.field(metadata=checks(nonblank))
    role: str | None = None
    department: str | None = None
    contact_points: tuple[ContactPoint, ...] = ()
    primary: bool = False
    birthday: dt.date | None = None


def _primary_conflicts(points: tuple[ContactPoint, ...], field: str) -> Iterator[FieldError]:
    seen: set[Channel] = set()
    for i, cp in enumerate(points):
        if cp.primary:
            if cp.channel in seen:
                yield err(
                    f"{field}[{i}].primary",
                    f"only one primary {cp.channel.value} contact point is allowed",
                    True,
                )
            seen.add(cp.channel)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@attrs.frozen(kw_only=True)
class Customer(Record):
    """A customer account: a company or an individual you sell to and deliver to.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> c = Customer(id="C-1", name="上海鲜果有限公司", kind=CustomerKind.COMPANY,
    ...              created_at=datetime(2023, 3, 1, tzinfo=timezone.utc),
    ...              contact_points=(ContactPoint(channel=Channel.EMAIL, value="buy@xianguo.cn", primary=True),))
    >>> c.primary_contact(Channel.EMAIL).value, c.status.value
    ('buy@xianguo.cn', 'active')
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    kind: CustomerKind = CustomerKind.INDIVIDUAL
    name: str = attrs.field(metadata=checks(nonblank))
    contact_points: tuple[ContactPoint, ...] = ()
    addresses: tuple[Address, ...] = ()
    contacts: tuple[ContactPerson, ...] = ()
    tags: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    group: str | None = None
    segment: str | None = None
    territory: str | None = None
    industry: str | None = None
    account_manager: str | None = None
    preferences: Preferences = attrs.field(factory=Preferences)
    birthday: dt.date | None = None
    created_at: dt.datetime = attrs.field(factory=_utcnow)
    credit_limit: Money | None = None
    currency: str | None = attrs.field(default=None, metadata=checks(opt(currency_code)))
    status: CustomerStatus = CustomerStatus.ACTIVE
    consents: tuple[Consent, ...] = ()
    referred_by: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    parent_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    tax_id: str | None = None
    website: str | None = None
    source: str | None = None
    payment_terms: str | None = None
    notes: str = ""
    extra: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        yield from _primary_conflicts(self.contact_points, "contact_points")
        if self.credit_limit is not None and self.credit_limit.amount < 0:
            yield err("credit_limit.amount", "must be >= 0", self.credit_limit.amount)
        if self.referred_by is not None and self.referred_by == self.id:
            yield err("referred_by", "must not be the customer itself", self.referred_by)
        if self.parent_id is not None and self.parent_id == self.id:
            yield err("parent_id", "must not be the customer itself", self.parent_id)
        if self.birthday is not None and self.birthday.year < 1900:
            yield err("birthday", "must be in 1900 or later", self.birthday)
        for kind in AddressKind:
            prim = [i for i, a in enumerate(self.addresses) if a.kind is kind and a.primary]
            for i in prim[1:]:
                yield err(
                    f"addresses[{i}].primary", f"only one primary {kind.value} address is allowed", True
                )

    def primary_contact(self, channel: Channel) -> ContactPoint | None:
        """The primary contact point of ``channel`` that is not opted out, else the first usable one."""
        usable = [cp for cp in self.contact_points if cp.channel is channel and not cp.opted_out]
        for cp in usable:
            if cp.primary:
                return cp
        return usable[0] if usable else None

    def has_consent(self, channel: Channel, purpose: ConsentPurpose, at: dt.datetime) -> bool:
        """Whether the latest consent given for ``channel`` × ``purpose`` by ``at`` is still active then."""
        given = [
            c for c in self.consents if c.channel is channel and c.purpose is purpose and c.given_at <= at
        ]
        if not given:
            return False
        latest = max(given, key=lambda c: c.given_at)
        return latest.is_active(at)

    def _address(self, kind: AddressKind) -> Address | None:
        of_kind = [a for a in self.addresses if a.kind is kind]
        for a in of_kind:
            if a.primary:
                return a
        return of_kind[0] if of_kind else None

    def shipping_address(self) -> Address | None:
        """The primary shipping address, else the first one, else ``None``."""
        return self._address(AddressKind.SHIPPING)

    def billing_address(self) -> Address | None:
        """The primary billing address, else the first one, else ``None``."""
        return self._address(AddressKind.BILLING)


@attrs.frozen(kw_only=True)
class Interaction(Record):
    """One entry of the contact log: a call, visit, e-mail, chat ...

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> Interaction(customer_id="C-1", at=datetime(2024, 5, 2, 10, tzinfo=timezone.utc),
    ...             channel=InteractionChannel.PHONE, direction=Direction.OUTBOUND,
    ...             subject="Reorder reminder").channel.value
    'phone'
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    customer_id: str = attrs.field(metadata=checks(ident))
    at: dt.datetime
    channel: InteractionChannel
    direction: Direction
    subject: str = ""
    summary: str = ""
    outcome: str | None = None
    next_action: str | None = None
    next_action_due: dt.datetime | None = None
    staff: str | None = None
    responded: bool | None = None
    duration: dt.timedelta | None = None
    contact_name: str | None = None
    order_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    case_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        if self.next_action_due is not None and self.next_action is None:
            yield err("next_action", "is required when next_action_due is set")
        if self.next_action_due is not None and self.next_action_due < self.at:
            yield err(
                "next_action_due", f"must not be before at ({self.at.isoformat()})", self.next_action_due
            )
        if self.duration is not None and self.duration < dt.timedelta(0):
            yield err("duration", "must be >= 0", self.duration)
