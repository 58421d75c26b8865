"""Customer, preferences, contact helpers, consents and the interaction log."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from distcrm.domain import (
    Address,
    AddressKind,
    Channel,
    Consent,
    ConsentPurpose,
    ContactPoint,
    Customer,
    CustomerKind,
    Direction,
    Interaction,
    InteractionChannel,
    Money,
    Preferences,
)
from distcrm.errors import ValidationError

from .conftest import T0


def _customer(**kw: object) -> Customer:
    base: dict[str, object] = {
        "id": "C-1",
        "name": "Müller GmbH",
        "kind": CustomerKind.COMPANY,
        "created_at": T0,
    }
    base.update(kw)
    return Customer(**base)  # type: ignore[arg-type]


def test_customer_defaults_and_id() -> None:
    """A customer needs only a name; id defaults to a fresh UUID and version to 0."""
    a, b = Customer(name="A"), Customer(name="B")
    assert (36, 0) == (len(a.id), a.version)
    assert a.id != b.id


def test_customer_reports_all_bad_fields_at_once() -> None:
    """Blank name, naive created_at, bad currency and a blank tag come back in one error."""
    with pytest.raises(ValidationError) as info:
        Customer(name=" ", created_at=dt.datetime(2024, 1, 1), currency="eur", tags=frozenset({""}))
    assert ["$.name", "$.tags", "$.created_at", "$.currency"] == info.value.paths


def test_customer_rejects_wrong_types_without_coercion() -> None:
    """A string status and an int name are rejected, not converted."""
    with pytest.raises(ValidationError) as info:
        Customer(name=5, status="active")  # type: ignore[arg-type]
    assert ["$.name", "$.status"] == info.value.paths


def test_preferences_timezone_and_language() -> None:
    """An unknown IANA zone and a malformed language tag are rejected."""
    with pytest.raises(ValidationError) as info:
        Preferences(timezone="Asia/Atlantis", language="Chinese")
    assert ["$.language", "$.timezone"] == info.value.paths


def test_primary_contact_prefers_primary_and_skips_opted_out() -> None:
    """primary_contact returns the usable primary point, else the first usable one."""
    c = _customer(
        contact_points=(
            ContactPoint(channel=Channel.EMAIL, value="old@x.de", primary=True, opted_out=True),
            ContactPoint(channel=Channel.EMAIL, value="a@x.de"),
            ContactPoint(channel=Channel.PHONE, value="+49 30 1234567", primary=True),
        )
    )
    assert "a@x.de" == c.primary_contact(Channel.EMAIL).value  # type: ignore[union-attr]
    assert "+49 30 1234567" == c.primary_contact(Channel.PHONE).value  # type: ignore[union-attr]
    assert c.primary_contact(Channel.WECHAT) is None


def test_two_primary_points_of_a_channel_are_rejected() -> None:
    """At most one primary contact point per channel."""
    cps = (
        ContactPoint(channel=Channel.EMAIL, value="a@x.de", primary=True),
        ContactPoint(channel=Channel.EMAIL, value="b@x.de", primary=True),
    )
    with pytest.raises(ValidationError) as info:
        _customer(contact_points=cps)
    assert ["$.contact_points[1].primary"] == info.value.paths


def test_has_consent_follows_latest_decision() -> None:
    """The latest consent given by `at` decides: re-given after withdrawal counts, withdrawal counts."""
    day = dt.timedelta(days=1)
    c = _customer(
        consents=(
            Consent(
                channel=Channel.EMAIL,
                purpose=ConsentPurpose.MARKETING,
                given_at=T0,
                withdrawn_at=T0 + 10 * day,
            ),
            Consent(channel=Channel.EMAIL, purpose=ConsentPurpose.MARKETING, given_at=T0 + 20 * day),
        )
    )
    got = [c.has_consent(Channel.EMAIL, ConsentPurpose.MARKETING, T0 + k * day) for k in (-1, 5, 15, 25)]
    assert [False, True, False, True] == got
    assert not c.has_consent(Channel.SMS, ConsentPurpose.MARKETING, T0 + 25 * day)
    assert not c.has_consent(Channel.EMAIL, ConsentPurpose.CARE, T0 + 25 * day)


def test_shipping_and_billing_address() -> None:
    """shipping_address picks the primary shipping address; billing_address the billing one."""
    bill = Address(line1="1 Rd", city="Köln", country="DE", kind=AddressKind.BILLING)
    ship1 = Address(line1="2 Rd", city="Köln", country="DE")
    ship2 = Address(line1="3 Rd", city="Köln", country="DE", primary=True)
    c = _customer(addresses=(bill, ship1, ship2))
    assert (ship2, bill) == (c.shipping_address(), c.billing_address())
    assert _customer().shipping_address() is None


def test_customer_cannot_refer_itself_and_credit_limit_nonnegative() -> None:
    """referred_by == id and a negative credit limit are rejected."""
    with pytest.raises(ValidationError) as info:
        _customer(referred_by="C-1", credit_limit=Money.of("-5", "EUR"))
    assert ["$.credit_limit.amount", "$.referred_by"] == info.value.paths


def test_customer_extra_is_read_only_and_excluded_from_hash() -> None:
    """extra becomes a read-only mapping; the customer stays hashable."""
    c = _customer(extra={"erpnext_name": "CUST-00017"})
    with pytest.raises(TypeError):
        c.extra["x"] = "y"  # type: ignore[index]
    assert isinstance(hash(c), int)
    assert "CUST-00017" == c.extra["erpnext_name"]


def test_customer_is_frozen_and_evolves() -> None:
    """Fields cannot be assigned; attrs.evolve makes a validated copy."""
    c = _customer()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.name = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        attrs.evolve(c, name="")
    assert "Neu" == attrs.evolve(c, name="Neu").name


def test_interaction_next_action_rules() -> None:
    """A due date needs a next action and must not precede the interaction."""
    with pytest.raises(ValidationError) as info:
        Interaction(
            customer_id="C-1",
            at=T0,
            channel=InteractionChannel.VISIT,
            direction=Direction.OUTBOUND,
            next_action_due=T0 - dt.timedelta(hours=1),
        )
    assert ["$.next_action", "$.next_action_due"] == info.value.paths
