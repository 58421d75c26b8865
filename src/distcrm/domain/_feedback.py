"""Customer feedback (NPS, CSAT, CES, free text) and complaint cases (with their lifecycle)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import ClassVar

import attrs

from distcrm.domain._customer import InteractionChannel, language_tag
from distcrm.domain._lifecycle import Lifecycle, StatusChange
from distcrm.domain._validation import Record, between, checks, each, err, ge, ident, new_id, nonblank, opt
from distcrm.errors import FieldError, ValidationError

__all__ = [
    "CASE_LIFECYCLE",
    "CasePriority",
    "CaseStatus",
    "ComplaintCase",
    "Feedback",
    "SlaTargets",
]


@attrs.frozen(kw_only=True)
class Feedback(Record):
    """One piece of feedback: survey scores and/or free text, maybe tied to an order or shipment.

    NPS is 0–10, CSAT 1–5, CES 1–7; at least one score or a non-blank text is required.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> Feedback(customer_id="C-1", at=datetime(2024, 5, 3, tzinfo=timezone.utc), nps=9,
    ...          text="送货很准时", language="zh").nps
    9
    """

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    customer_id: str = attrs.field(metadata=checks(ident))
    at: dt.datetime
    nps: int | None = attrs.field(default=None, metadata=checks(opt(between(0, 10))))
    csat: int | None = attrs.field(default=None, metadata=checks(opt(between(1, 5))))
    ces: int | None = attrs.field(default=None, metadata=checks(opt(between(1, 7))))
    text: str | None = None
    language: str | None = attrs.field(default=None, metadata=checks(opt(language_tag)))
    order_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    shipment_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    channel: InteractionChannel | None = None
    tags: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        if (
            self.nps is None
            and self.csat is None
            and self.ces is None
            and not (self.text and self.text.strip())
        ):
            yield err("$", "feedback needs at least one of nps, csat, ces or a non-blank text")


class CasePriority(enum.Enum):
    """How urgent a complaint is."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseStatus(enum.Enum):
    """Where a complaint case is in its lifecycle."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


_C = CaseStatus
CASE_LIFECYCLE: Lifecycle[CaseStatus] = Lifecycle(
    "complaint case",
    {
        "acknowledge": ({_C.OPEN}, _C.ACKNOWLEDGED),
        "start": ({_C.OPEN, _C.ACKNOWLEDGED}, _C.IN_PROGRESS),
        "wait_on_customer": ({_C.IN_PROGRESS}, _C.WAITING_ON_CUSTOMER),
        "resume": ({_C.WAITING_ON_CUSTOMER}, _C.IN_PROGRESS),
        "resolve": ({_C.IN_PROGRESS}, _C.RESOLVED),
        "close": ({_C.RESOLVED}, _C.CLOSED),
        "reopen": ({_C.RESOLVED, _C.CLOSED}, _C.IN_PROGRESS),
    },
)


def _positive_td(v: dt.timedelta) -> str | None:
    return None if v > dt.timedelta(0) else "must be a positive duration"


@attrs.frozen(kw_only=True)
class SlaTargets(Record):
    """Service-level targets counted from when a case is opened."""

    first_response: dt.timedelta = attrs.field(metadata=checks(_positive_td))
    resolution: dt.timedelta = attrs.field(metadata=checks(_positive_td))

    def _check(self) -> Iterator[FieldError]:
        if self.resolution < self.first_response:
            yield err("resolution", f"must be >= first_response ({self.first_response})", self.resolution)


@attrs.frozen(kw_only=True)
class ComplaintCase(Record):
    """A complaint and its handling: priority, assignee, SLA, status history, root causes.

    ``open → acknowledged → in_progress ⇄ waiting_on_customer``, ``in_progress →
    resolved → closed``; a resolved or closed case may be reopened (back to
    in_progress). Timestamps never go backwards.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2024, 5, 3, 9, tzinfo=timezone.utc)
    >>> c = ComplaintCase(customer_id="C-1", opened_at=t, subject="Late delivery",
    ...                   sla=SlaTargets(first_response=timedelta(hours=4), resolution=timedelta(days=2)))
    >>> c = c.acknowledge(t + timedelta(hours=1)).start(t + timedelta(hours=2)).resolve(t + timedelta(hours=5))
    >>> c.status.value, c.first_response_at() - t, c.sla_breached(t + timedelta(days=3))
    ('resolved', datetime.timedelta(seconds=3600), False)
    """

    lifecycle: ClassVar[Lifecycle[CaseStatus]] = CASE_LIFECYCLE
    """The state machine of ``status`` (events, sources, targets)."""

    id: str = attrs.field(factory=new_id, metadata=checks(ident))
    customer_id: str = attrs.field(metadata=checks(ident))
    opened_at: dt.datetime
    subject: str = attrs.field(metadata=checks(nonblank))
    description: str = ""
    priority: CasePriority = CasePriority.NORMAL
    status: CaseStatus = CaseStatus.OPEN
    history: tuple[StatusChange[CaseStatus], ...] = ()
    sla: SlaTargets | None = None
    category: str | None = None
    channel: InteractionChannel | None = None
    root_causes: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    order_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    shipment_id: str | None = attrs.field(default=None, metadata=checks(opt(ident)))
    assignee: str | None = None
    resolution: str | None = None
    corrective_action_ids: tuple[str, ...] = attrs.field(default=(), metadata=checks(each(ident)))
    tags: frozenset[str] = attrs.field(factory=frozenset, metadata=checks(each(nonblank)))
    version: int = attrs.field(default=0, metadata=checks(ge(0)))

    def _check(self) -> Iterator[FieldError]:
        yield from CASE_LIFECYCLE.check_history(self.history, self.status, since=self.opened_at)

    def _move(self, event: str, at: dt.datetime, note: str, **changes: object) -> ComplaintCase:
        new = CASE_LIFECYCLE.fire(event, self.status)
        if not isinstance(at, dt.datetime) or at.tzinfo is None:
            raise ValidationError.single("at", at, "must be a timezone-aware datetime")
        last = self.history[-1].at if self.history else self.opened_at
        if at < last:
            raise ValidationError.single("at", at, f"must not be before {last.isoformat()}")
        step = StatusChange(at=at, from_status=self.status, to_status=new, note=note)
        return attrs.evolve(self, status=new, history=(*self.history, step), **changes)  # type: ignore[arg-type]

    def acknowledge(self, at: dt.datetime, note: str = "") -> ComplaintCase:
        """open → acknowledged (the first response)."""
        return self._move("acknowledge", at, note)

    def start(self, at: dt.datetime, note: str = "") -> ComplaintCase:
        """open/acknowledged → in_progress."""
        return self._move("start", at, note)

    def wait_on_customer(self, at: dt.datetime, note: str = "") -> ComplaintCase:
        """in_progress → waiting_on_customer."""
        return self._move("wait_on_customer", at, note)

    def resume(self, at: dt.datetime, note: str = "") -> ComplaintCase:
        """waiting_on_customer → in_progress."""
        return self._move("resume", at, note)

    def resolve(self, at: dt.datetime, note: str = "", *, resolution: str | None = None) -> ComplaintCase:
        """in_progress → resolved."""
        return self._move(
            "resolve", at, note, resolution=resolution if resolution is not None else self.resolution
        )

    def close(self, at: dt.datetime, note: str = "") -> ComplaintCase:
        """resolved → closed."""
        return self._move("close", at, note)

    def reopen(self, at: dt.datetime, note: str = "") -> ComplaintCase:
        """resolved/closed → in_progress."""
        return self._move("reopen", at, note)

    # ----------------------------------------------------------------- SLA helpers
    def first_response_at(self) -> dt.datetime | None:
        """When the case first left ``open``, or ``None``."""
        return self.history[0].at if self.history else None

    def resolved_at(self) -> dt.datetime | None:
        """When the case was last resolved (``None`` if it is not resolved or closed now)."""
        if self.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            return None
        for step in reversed(self.history):
            if step.to_status is CaseStatus.RESOLVED:
                return step.at
        return None

    def sla_breached(self, now: dt.datetime) -> bool:
        """Whether a response or resolution target was missed (as of ``now``)."""
        if self.sla is None:
            return False
        first = self.first_response_at()
        if (first or now) - self.opened_at > self.sla.first_response:
            return True
        done = self.resolved_at()
        return (done or now) - self.opened_at > self.sla.resolution
