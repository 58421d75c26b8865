"""Campaigns: audience with a seeded random holdout; sends, opens, clicks, conversions; uplift."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from distcrm.domain import Campaign, CampaignContact, CampaignGroup, Customer, CustomerStatus
from distcrm.errors import ValidationError
from distcrm.kpi._pilot import PilotResult, two_proportion_test, welch_t_test
from distcrm.kpi._table import Table

__all__ = ["Audience", "CampaignReport", "campaign_report", "select_audience"]


@attrs.frozen
class Audience:
    """The campaign's contacts split into treatment and holdout, and who was left out why."""

    campaign_id: str
    treatment: tuple[str, ...]
    holdout: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]

    def contacts(self) -> list[CampaignContact]:
        """One unsent ``CampaignContact`` per selected customer, with its group."""
        return [
            CampaignContact(campaign_id=self.campaign_id, customer_id=c, group=CampaignGroup.TREATMENT)
            for c in self.treatment
        ] + [
            CampaignContact(campaign_id=self.campaign_id, customer_id=c, group=CampaignGroup.HOLDOUT)
            for c in self.holdout
        ]


def select_audience(
    campaign: Campaign,
    customers: Iterable[Customer],
    *,
    predicate: Callable[[Customer], bool] | None = None,
    holdout_share: float | None = None,
    seed: int = 0,
    at: dt.datetime | None = None,
) -> Audience:
    """The customers of ``campaign.segment`` (and ``predicate``) who consent, split at random.

    Only active customers with consent for the campaign's channel and purpose at ``at``
    (default: the campaign start) and a contact point on that channel are eligible —
    before the split, so treatment and holdout are comparable. The holdout is a
    seeded random ``holdout_share`` (default: ``campaign.holdout_share``) of the
    eligible customers, independent of their input order.

    Examples
    --------
    >>> from distcrm.domain import Channel, Consent, ConsentPurpose, ContactPoint
    >>> t = dt.datetime(2024, 4, 1, tzinfo=dt.timezone.utc)
    >>> ok = dict(contact_points=(ContactPoint(channel=Channel.EMAIL, value="a@b.cn"),),
    ...           consents=(Consent(channel=Channel.EMAIL, purpose=ConsentPurpose.MARKETING, given_at=t),))
    >>> cs = [Customer(id=f"C{i}", name="x", segment="vip", **ok) for i in range(10)] + [Customer(id="N", name="y", segment="vip")]
    >>> k = Campaign(id="K", name="spring", channel=Channel.EMAIL, starts_at=t, segment="vip", holdout_share=0.2)
    >>> a = select_audience(k, cs, seed=1)
    >>> len(a.treatment), len(a.holdout), a.excluded
    (8, 2, (('N', 'no marketing consent by email'),))
    """
    share = campaign.holdout_share if holdout_share is None else holdout_share
    if not 0 <= share < 1:
        raise ValidationError.single("holdout_share", share, "must lie in [0, 1)")
    when = at or campaign.starts_at
    eligible: list[str] = []
    excluded: list[tuple[str, str]] = []
    for c in customers:
        if campaign.segment is not None and c.segment != campaign.segment:
            continue
        if predicate is not None and not predicate(c):
            continue
        if c.status is not CustomerStatus.ACTIVE:
            excluded.append((c.id, f"customer is {c.status.value}"))
        elif not c.has_consent(campaign.channel, campaign.purpose, when):
            excluded.append((c.id, f"no {campaign.purpose.value} consent by {campaign.channel.value}"))
        elif c.primary_contact(campaign.channel) is None:
            excluded.append((c.id, f"no {campaign.channel.value} contact point"))
        else:
            eligible.append(c.id)
    ids = np.array(sorted(set(eligible)), dtype=object)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(ids.size)
    n_hold = round(share * ids.size)
    hold = set(ids[perm[:n_hold]].tolist())
    return Audience(
        campaign.id,
        tuple(i for i in ids.tolist() if i not in hold),
        tuple(i for i in ids.tolist() if i in hold),
        tuple(excluded),
    )


@attrs.frozen(kw_only=True)
class CampaignReport:
    """Funnel per group and the uplift of the conversion rate over the holdout."""

    campaign_id: str
    funnel: Table
    uplift: PilotResult
    incremental_revenue: float
    incremental_revenue_ci: tuple[float, float]
    currency: str | None

    def to_frame(self) -> Any:
        """The funnel as a pandas frame."""
        return self.funnel.to_frame()

    def plot(self, ax: Any = None) -> Any:
        """Funnel bars (sent, opened, clicked, converted) per group (matplotlib)."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="CampaignReport.plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        stages = ("sent", "opened", "clicked", "converted")
        x = np.arange(len(stages))
        groups = self.funnel["group"].tolist()
        width = 0.8 / max(len(groups), 1)
        for j, g in enumerate(groups):
            ax.bar(x + j * width, [self.funnel[s][j] for s in stages], width, label=str(g))
        ax.set_xticks(x + width * (len(groups) - 1) / 2, stages)
        ax.legend()
        ax.set_title(self.uplift.verdict(), fontsize="small")
        return ax

    def summary(self) -> str:
        """The funnel and the verdict on conversion uplift and incremental revenue."""
        lo, hi = self.incremental_revenue_ci
        cur = f" {self.currency}" if self.currency else ""
        return (
            f"{self.funnel!r}\n{self.uplift.verdict()}\n"
            f"incremental revenue {self.incremental_revenue:,.2f}{cur} (95 % CI {lo:,.2f}–{hi:,.2f})"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return self.funnel._repr_html_() + f"<p>{self.uplift.verdict()}</p>"


def campaign_report(contacts: Sequence[CampaignContact], *, confidence: float = 0.95) -> CampaignReport:
    """Sends, opens, clicks, conversions and revenue per group; uplift vs the holdout.

    Rates: ``open_rate = opened / sent``, ``click_rate = clicked / sent``,
    ``conversion_rate = converted / contacts`` (per group, so the holdout's natural
    conversion is the baseline). Uplift is the difference of conversion rates
    (two-proportion test). Incremental revenue is the difference of revenue per contact
    (Welch interval) times the treatment group's size.

    Examples
    --------
    >>> t = dt.datetime(2024, 4, 1, tzinfo=dt.timezone.utc)
    >>> cs = ([CampaignContact(campaign_id="K", customer_id=f"T{i}", sent_at=t, converted_at=t if i < 30 else None)
    ...        for i in range(100)] +
    ...       [CampaignContact(campaign_id="K", customer_id=f"H{i}", group=CampaignGroup.HOLDOUT,
    ...                        converted_at=t if i < 10 else None) for i in range(100)])
    >>> campaign_report(cs).uplift.verdict()
    'conversion rate rose 20.0 points (95 % CI 9.3–30.7), significant'
    """
    if not contacts:
        raise ValidationError.single("contacts", 0, "no campaign contacts")
    ids = {c.campaign_id for c in contacts}
    if len(ids) > 1:
        raise ValidationError.single("contacts", sorted(ids), "belong to several campaigns")
    currencies = {c.revenue.currency for c in contacts if c.revenue is not None}
    if len(currencies) > 1:
        raise ValidationError.single("contacts.revenue", sorted(currencies), "mix currencies")
    stats: dict[str, dict[str, float]] = {}
    revenue: dict[str, list[float]] = {}
    converted: dict[str, list[float]] = {}
    for g in CampaignGroup:
        cs = [c for c in contacts if c.group is g]
        rev = [float(c.revenue.amount if c.revenue is not None else Decimal(0)) for c in cs]
        conv = [1.0 if c.converted_at is not None else 0.0 for c in cs]
        sent = sum(c.sent_at is not None and not c.bounced for c in cs)
        stats[g.value] = {
            "contacts": len(cs),
            "sent": sent,
            "opened": sum(c.opened_at is not None for c in cs),
            "clicked": sum(c.clicked_at is not None for c in cs),
            "converted": sum(conv),
            "revenue": sum(rev),
        }
        revenue[g.value], converted[g.value] = rev, conv
    t, h = stats["treatment"], stats["holdout"]
    if t["contacts"] == 0 or h["contacts"] == 0:
        raise ValidationError.single(
            "contacts",
            {k: v["contacts"] for k, v in stats.items()},
            "need both a treatment and a holdout group",
        )

    def rate(a: float, b: float) -> float:
        return a / b if b else float("nan")

    funnel = Table(
        {
            "group": list(stats),
            "contacts": [s["contacts"] for s in stats.values()],
            "sent": [s["sent"] for s in stats.values()],
            "opened": [s["opened"] for s in stats.values()],
            "clicked": [s["clicked"] for s in stats.values()],
            "converted": [s["converted"] for s in stats.values()],
            "open_rate": [rate(s["opened"], s["sent"]) for s in stats.values()],
            "click_rate": [rate(s["clicked"], s["sent"]) for s in stats.values()],
            "conversion_rate": [rate(s["converted"], s["contacts"]) for s in stats.values()],
            "revenue": [s["revenue"] for s in stats.values()],
        },
        index=("group",),
        title=f"campaign {next(iter(ids))}",
    )
    d, lo, hi, p = two_proportion_test(
        int(h["converted"]),
        int(h["contacts"]),
        int(t["converted"]),
        int(t["contacts"]),
        confidence=confidence,
    )
    uplift = PilotResult(
        metric="conversion rate",
        design="treatment/holdout",
        test="two-proportion z test",
        estimate=d,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        confidence=confidence,
        kind="proportion",
        n=(int(h["contacts"]), int(t["contacts"])),
    )
    n_t = t["contacts"]
    if len(revenue["treatment"]) >= 2 and len(revenue["holdout"]) >= 2:
        dr, rlo, rhi, _ = welch_t_test(revenue["holdout"], revenue["treatment"], confidence=confidence)
    else:
        dr = float(np.mean(revenue["treatment"]) - np.mean(revenue["holdout"]))
        rlo = rhi = float("nan")
    return CampaignReport(
        campaign_id=next(iter(ids)),
        funnel=funnel,
        uplift=uplift,
        incremental_revenue=dr * n_t,
        incremental_revenue_ci=(rlo * n_t, rhi * n_t),
        currency=next(iter(currencies)) if currencies else None,
    )
