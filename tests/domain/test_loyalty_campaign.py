"""Loyalty ledger records, campaigns, campaign contacts and competitors."""

from __future__ import annotations

import datetime as dt

import pytest

from distcrm.domain import (
    Campaign,
    CampaignContact,
    CampaignGroup,
    CampaignStatus,
    Channel,
    Competitor,
    LedgerEntry,
    LedgerKind,
    LostDeal,
    LoyaltyAccount,
)
from distcrm.errors import InvalidTransition, ValidationError

from .conftest import T0, eur

D = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("kind", "points"),
    [
        (LedgerKind.EARN, 0),
        (LedgerKind.EARN, -5),
        (LedgerKind.REDEEM, 5),
        (LedgerKind.EXPIRE, 0),
        (LedgerKind.ADJUST, 0),
    ],
)
def test_ledger_entry_point_signs(kind: LedgerKind, points: int) -> None:
    """Earn must be positive, redeem/expire negative, adjust non-zero."""
    with pytest.raises(ValidationError) as info:
        LedgerEntry(kind=kind, points=points, at=T0)
    assert ["$.points"] == info.value.paths


def test_ledger_expiry_only_on_earned_points_and_after_at() -> None:
    """A redemption cannot expire, and an expiry must follow the entry."""
    with pytest.raises(ValidationError):
        LedgerEntry(kind=LedgerKind.REDEEM, points=-5, at=T0, expires_at=T0 + D)
    with pytest.raises(ValidationError):
        LedgerEntry(kind=LedgerKind.EARN, points=5, at=T0, expires_at=T0)


def test_account_balance_over_time_and_unique_ordered_entries() -> None:
    """balance(at) sums entries up to at; duplicate ids and out-of-order entries are rejected."""
    e1 = LedgerEntry(id="E1", kind=LedgerKind.EARN, points=100, at=T0, expires_at=T0 + 365 * D)
    e2 = LedgerEntry(id="E2", kind=LedgerKind.REDEEM, points=-30, at=T0 + D)
    acc = LoyaltyAccount(customer_id="C-1", programme_id="P", entries=(e1,)).with_entry(e2)
    assert (0, 100, 70, 70) == (acc.balance(T0 - D), acc.balance(T0), acc.balance(T0 + D), acc.balance())
    with pytest.raises(ValidationError) as info:
        LoyaltyAccount(customer_id="C-1", programme_id="P", entries=(e2, e1, e1))
    assert ["$.entries[1].at", "$.entries[2].id"] == info.value.paths


def test_reverse_entry_must_point_at_an_entry() -> None:
    """A reverse entry needs reverses_id naming an entry of the same account."""
    e1 = LedgerEntry(id="E1", kind=LedgerKind.EARN, points=100, at=T0)
    rev = LedgerEntry(id="E2", kind=LedgerKind.REVERSE, points=-100, at=T0 + D, reverses_id="NOPE")
    with pytest.raises(ValidationError) as info:
        LoyaltyAccount(customer_id="C-1", programme_id="P", entries=(e1, rev))
    assert ["$.entries[1].reverses_id"] == info.value.paths


def test_campaign_lifecycle() -> None:
    """draft -> scheduled -> running -> finished; finishing a draft is illegal."""
    c = Campaign(name="Mid-autumn", channel=Channel.WECHAT, starts_at=T0, ends_at=T0 + 7 * D)
    assert CampaignStatus.FINISHED == c.schedule().start().finish().status
    with pytest.raises(InvalidTransition) as info:
        c.finish()
    assert ("draft", "finished") == (info.value.from_state.value, info.value.to_state.value)


def test_campaign_validation() -> None:
    """ends_at before starts_at, holdout_share 1.0 and a negative budget are reported."""
    with pytest.raises(ValidationError) as info:
        Campaign(name="X", channel=Channel.EMAIL, starts_at=T0, holdout_share=1.0)
    assert ["$.holdout_share"] == info.value.paths
    with pytest.raises(ValidationError) as info:
        Campaign(name="X", channel=Channel.EMAIL, starts_at=T0, ends_at=T0 - D, budget=eur("-1"))
    assert ["$.ends_at", "$.budget.amount"] == info.value.paths


def test_campaign_contact_funnel_order() -> None:
    """Opened before sent, or converted before clicked, is rejected."""
    with pytest.raises(ValidationError) as info:
        CampaignContact(campaign_id="K", customer_id="C", sent_at=T0, opened_at=T0 - D)
    assert ["$.opened_at"] == info.value.paths
    with pytest.raises(ValidationError) as info:
        CampaignContact(
            campaign_id="K", customer_id="C", sent_at=T0, clicked_at=T0 + 2 * D, converted_at=T0 + D
        )
    assert ["$.converted_at"] == info.value.paths


def test_holdout_contact_is_never_sent_but_may_convert() -> None:
    """A holdout contact with sent_at is rejected; one with only a conversion is fine."""
    with pytest.raises(ValidationError):
        CampaignContact(campaign_id="K", customer_id="C", group=CampaignGroup.HOLDOUT, sent_at=T0)
    ok = CampaignContact(
        campaign_id="K", customer_id="C", group=CampaignGroup.HOLDOUT, converted_at=T0, revenue=eur("12")
    )
    assert eur("12") == ok.revenue


def test_revenue_needs_conversion() -> None:
    """Revenue without converted_at is rejected."""
    with pytest.raises(ValidationError) as info:
        CampaignContact(campaign_id="K", customer_id="C", sent_at=T0, revenue=eur("5"))
    assert ["$.revenue"] == info.value.paths


def test_competitor_and_lost_deal() -> None:
    """Lost deals need a reason; blank strengths are rejected."""
    with pytest.raises(ValidationError) as info:
        LostDeal(customer_id="C", at=T0, reason=" ")
    assert ["$.reason"] == info.value.paths
    with pytest.raises(ValidationError) as info:
        Competitor(name="Rival", strengths=("cheap", ""))
    assert ["$.strengths"] == info.value.paths
