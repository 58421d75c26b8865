"""Marketing campaigns and the per-customer record of each contact."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import ClassVar

import attrs

from distcrm.domain._lifecycle import Lifecycle
from distcrm.domain._validation import Record, between, checks, err, ge, ident, new_id, nonblank
from distcrm.domain._values import Channel, ConsentPurpose, Money
from distcrm.errors import FieldError

__all__ = ["CAMPAIGN_LIFECYCLE", "Campaign", "CampaignContact", "CampaignGroup", "CampaignStatus"]


class CampaignStatus(enum.Enum):
    """Where a campaign is in its lifecycle."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    FINISHED = "finished"


_K = CampaignStatus
CAMPAIGN_LIFECYCLE: Lifecycle[CampaignStatus] = Lifecycle(
    "campaign",
    {
        "schedule": ({_K.DRAFT}, _K.SCHEDULED),
        "unschedule": ({_K.SCHEDULED}, _K.DRAFT),
        "start": ({_K.DRAFT, _K.SCHEDULED}, _K.RUNNING),
        "finish": ({_K.RUNNING}, _K.FINISHED),
    },
)


class CampaignGroup(enum.Enum):
    """Whether a contact was in the treated group or the held-out control group."""

    TREATMENT = "treatment"
    HOLDOUT = "holdout"


@attrs.frozen(kw_only=True)
class Campaign(Record):
    """A campaign sent over one channel, for one consent purpose, to a segment, with a holdout.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> c = Campaign(name="Spring reorder", channel=Channel.EMAIL, purpose=ConsentPurpose.MARKETING,
    ...              starts_at=datetime(2024, 4, 1, tzinfo=timezone.utc), holdout_share=0.1)
    >>> c.schedule().start().status.value
    'running'
    """

    lifecycle: ClassVar[Lifecycle[CampaignStatus]] = CAMPAIGN_LIFECYCLE
    """The state machine of ``status`` (events, sources, targets)."""

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    name: str = attrs.field(metadata=checks(nonblank))
    channel: Channel
    purpose: ConsentPurpose = ConsentPurpose.MARKETING
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    segment: str | None = None
    holdout_share: float = attrs.field(default=0.0, metadata=checks(between(0.0, 1.0, hi_open=True)))
    status: CampaignStatus = CampaignStatus.DRAFT
    objective: str = ""
    description: str = ""
    budget: Money | None = None
    actual_cost: Money | None = None
    expected_revenue: Money | None = None
    tags: frozenset[str] = attrs.field(factory=frozenset)
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            yield err("ends_at", f"must be after starts_at ({self.starts_at.isoformat()})", self.ends_at)
        for name in ("budget", "actual_cost", "expected_revenue"):
            m: Money | None = getattr(self, name)
            if m is not None and m.amount < 0:
                yield err(f"{name}.amount", "must be >= 0", m.amount)

    def _move(self, event: str) -> Campaign:
        return attrs.evolve(self, status=CAMPAIGN_LIFECYCLE.fire(event, self.status))

    def schedule(self) -> Campaign:
        """draft → scheduled."""
        return self._move("schedule")

    def unschedule(self) -> Campaign:
        """scheduled → draft."""
        return self._move("unschedule")

    def start(self) -> Campaign:
        """draft/scheduled → running."""
        return self._move("start")

    def finish(self) -> Campaign:
        """running → finished."""
        return self._move("finish")


_FUNNEL = ("sent_at", "opened_at", "clicked_at", "converted_at")


@attrs.frozen(kw_only=True)
class CampaignContact(Record):
    """One customer in one campaign: group, and when they were sent, opened, clicked, converted.

    Holdout contacts are never sent anything, but their conversions are recorded (that is
    what the lift is measured against).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = datetime(2024, 4, 1, 9, tzinfo=timezone.utc)
    >>> CampaignContact(campaign_id="K-1", customer_id="C-1", sent_at=t,
    ...                 opened_at=t.replace(hour=10)).group.value
    'treatment'
    >>> CampaignContact(campaign_id="K-1", customer_id="C-1", sent_at=t, opened_at=t.replace(hour=8))
    Traceback (most recent call last):
    ...
    distcrm.errors.ValidationError: invalid CampaignContact: $.opened_at: must not be before sent_at (2024-04-01T09:00:00+00:00), got datetime.datetime(2024, 4, 1, 8, 0, tzinfo=datetime.timezone.utc)
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    campaign_id: str = attrs.field(metadata=checks(ident))
    customer_id: str = attrs.field(metadata=checks(ident))
    group: CampaignGroup = CampaignGroup.TREATMENT
    sent_at: dt.datetime | None = None
    opened_at: dt.datetime | None = None
    clicked_at: dt.datetime | None = None
    converted_at: dt.datetime | None = None
    unsubscribed_at: dt.datetime | None = None
    bounced: bool = False
    revenue: Money | None = None
    order_id: str | None = None
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        prev: tuple[str, dt.datetime] | None = None
        for name in _FUNNEL:
            t: dt.datetime | None = getattr(self, name)
            if t is None:
                continue
            if prev is not None and t < prev[1]:
                yield err(name, f"must not be before {prev[0]} ({prev[1].isoformat()})", t)
            prev = (name, t)
        if self.group is CampaignGroup.HOLDOUT:
            for name in ("sent_at", "opened_at", "clicked_at", "unsubscribed_at"):
                if getattr(self, name) is not None:
                    yield err(
                        name,
                        "must be null for a holdout contact (it was not sent anything)",
                        getattr(self, name),
                    )
        else:
            for name in ("opened_at", "clicked_at"):
                if getattr(self, name) is not None and self.sent_at is None:
                    yield err("sent_at", f"is required when {name} is set")
                    break
        if self.bounced and (self.opened_at is not None or self.clicked_at is not None):
            yield err("bounced", "a bounced message cannot have been opened or clicked", True)
        if self.revenue is not None:
            if self.converted_at is None:
                yield err("revenue", "needs converted_at")
            if self.revenue.amount < 0:
                yield err("revenue.amount", "must be >= 0", self.revenue.amount)
