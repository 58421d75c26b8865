"""Tests of campaign audiences (seeded holdout, consent) and the uplift report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.care import campaign_report, select_audience
from distcrm.domain import (
    Campaign,
    CampaignContact,
    CampaignGroup,
    Channel,
    Consent,
    ConsentPurpose,
    ContactPoint,
    Customer,
    Money,
)
from distcrm.errors import ValidationError

T = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
EMAIL_OK = {
    "contact_points": (ContactPoint(channel=Channel.EMAIL, value="x@y.cn"),),
    "consents": (Consent(channel=Channel.EMAIL, purpose=ConsentPurpose.MARKETING, given_at=T),),
}


def _customers(n: int, segment: str = "vip") -> list[Customer]:
    return [Customer(id=f"C{i:03d}", name="x", segment=segment, **EMAIL_OK) for i in range(n)]  # type: ignore[arg-type]


CAMPAIGN = Campaign(
    id="K", name="spring", channel=Channel.EMAIL, starts_at=T, segment="vip", holdout_share=0.1
)


def test_holdout_is_seeded_and_order_independent() -> None:
    """The same seed gives the same holdout whatever the input order; another seed differs."""
    cs = _customers(200)
    a = select_audience(CAMPAIGN, cs, seed=7)
    b = select_audience(CAMPAIGN, list(reversed(cs)), seed=7)
    c = select_audience(CAMPAIGN, cs, seed=8)
    assert a == b
    assert a.holdout != c.holdout
    assert 20 == len(a.holdout)
    assert 180 == len(a.treatment)


def test_segment_and_predicate_filter_and_consent_excludes() -> None:
    """Other segments are ignored; a predicate narrows; customers without consent are excluded with a reason."""
    cs = _customers(10) + _customers(5, segment="other") + [Customer(id="NC", name="n", segment="vip")]
    a = select_audience(CAMPAIGN, cs, predicate=lambda c: c.id != "C000", holdout_share=0.0)
    assert 9 == len(a.treatment)
    assert (("NC", "no marketing consent by email"),) == a.excluded
    assert {CampaignGroup.TREATMENT} == {x.group for x in a.contacts()}


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 300), st.floats(0, 0.9), st.integers(0, 10**6))
def test_audience_partitions_eligible_customers(n: int, share: float, seed: int) -> None:
    """Treatment and holdout are disjoint, cover every eligible customer, and the holdout has round(share·n)."""
    cs = _customers(n)
    a = select_audience(CAMPAIGN, cs, holdout_share=share, seed=seed)
    assert set() == set(a.treatment) & set(a.holdout)
    assert {c.id for c in cs} == set(a.treatment) | set(a.holdout)
    assert round(share * n) == len(a.holdout)


def test_report_funnel_uplift_and_incremental_revenue() -> None:
    """30 % vs 10 % conversion: funnel rates, uplift 20 points, incremental revenue 20 × 50 × 100 / 100."""

    def contact(i: int, group: CampaignGroup, conv: bool) -> CampaignContact:
        treated = group is CampaignGroup.TREATMENT
        return CampaignContact(
            campaign_id="K",
            customer_id=f"{group.value}{i}",
            group=group,
            sent_at=T if treated else None,
            opened_at=T if treated and i < 60 else None,
            clicked_at=T if treated and i < 40 else None,
            converted_at=T if conv else None,
            revenue=Money.of("50", "CNY") if conv else None,
        )

    cs = [contact(i, CampaignGroup.TREATMENT, i < 30) for i in range(100)]
    cs += [contact(i, CampaignGroup.HOLDOUT, i < 10) for i in range(100)]
    r = campaign_report(cs)
    t = r.funnel.lookup(group="treatment")
    assert (100, 60, 40, 30) == (t["sent"], t["opened"], t["clicked"], t["converted"])
    assert (0.6, 0.4, 0.3) == (t["open_rate"], t["click_rate"], t["conversion_rate"])
    assert pytest.approx(0.2) == r.uplift.estimate
    assert r.uplift.significant
    assert pytest.approx(1000.0) == r.incremental_revenue
    lo, hi = r.incremental_revenue_ci
    assert lo < 1000.0 < hi
    assert "CNY" == r.currency
    import matplotlib

    matplotlib.use("Agg")
    assert 2 == len(r.plot().get_legend().get_texts())
    assert Decimal("50") == cs[0].revenue.amount  # type: ignore[union-attr]


def test_report_needs_both_groups() -> None:
    """A report without a holdout raises ValidationError."""
    cs = [CampaignContact(campaign_id="K", customer_id="a", sent_at=T)]
    with pytest.raises(ValidationError):
        campaign_report(cs)
