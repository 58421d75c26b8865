"""Complaint SLA clocks: working calendars, per-priority targets, pauses, breaches, escalation.

The clock is a pure function of ``(priority, status history, policy, now)``: the history is
a sequence of ``(timestamp, status)`` pairs (timezone-aware timestamps; statuses are strings
or enums with a string ``value``: ``open``, ``acknowledged``, ``in_progress``,
``waiting_on_customer``, ``resolved``, ``closed``). It therefore works on plain records as
well as on :class:`distcrm.domain.ComplaintCase` objects (see :func:`case_sla`).

Rules
-----
- First response: the working time from the first ``open`` to the first status other than
  ``open`` (or to ``now`` while still open).
- Resolution: the working time spent in the active statuses (``open``, ``acknowledged``,
  ``in_progress``, and any status not listed as paused or stopped). The clock is paused in
  ``waiting_on_customer`` and stopped in ``resolved``/``closed``; a reopened case resumes
  counting where it stopped (the total is cumulative).
- Only working time counts: the calendar's opening hours per weekday minus its holidays.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from distcrm.errors import FieldError, ValidationError

__all__ = [
    "PRIORITIES",
    "SlaPolicy",
    "SlaStatus",
    "SlaTarget",
    "WorkingCalendar",
    "case_sla",
    "escalation_list",
    "sla_clock",
]

PRIORITIES = ("low", "normal", "high", "urgent")
_PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}
_MAX_DAYS = 3700  # ten years: a deadline further away than this means the calendar has no hours


def _name(x: Any) -> str:
    return str(getattr(x, "value", x)).lower()


def _as_tz(value: Any) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, str):
        try:
            return ZoneInfo(value)
        except Exception:
            raise ValidationError.single("timezone", value, "is not a known IANA time zone") from None
    raise ValidationError.single("timezone", value, "must be a tzinfo or an IANA zone name")


def _parse_time(field: str, v: Any) -> time:
    if isinstance(v, time):
        return v
    if isinstance(v, str):
        try:
            return time.fromisoformat(v)
        except ValueError:
            pass
    raise ValidationError.single(field, v, "must be a datetime.time or 'HH:MM'")


def _convert_hours(value: Any) -> dict[int, tuple[tuple[time, time], ...]]:
    if not isinstance(value, Mapping):
        raise ValidationError.single("hours", value, "must map weekday (0=Monday) to a list of (start, end)")
    out: dict[int, tuple[tuple[time, time], ...]] = {}
    errors: list[FieldError] = []
    for day, spans in value.items():
        if not (isinstance(day, int) and 0 <= day <= 6):
            errors.append(FieldError(f"$.hours[{day!r}]", "weekday must be 0 (Monday) .. 6 (Sunday)", day))
            continue
        parsed = []
        for j, span in enumerate(spans):
            s = _parse_time(f"hours[{day}][{j}][0]", span[0])
            e = _parse_time(f"hours[{day}][{j}][1]", span[1])
            if not s < e:
                errors.append(
                    FieldError(f"$.hours[{day}][{j}]", "start must be before end", (str(s), str(e)))
                )
            parsed.append((s, e))
        parsed.sort()
        for j in range(1, len(parsed)):
            if parsed[j][0] < parsed[j - 1][1]:
                errors.append(
                    FieldError(f"$.hours[{day}]", "spans must not overlap", [str(p) for p in parsed])
                )
        out[day] = tuple(parsed)
    if errors:
        raise ValidationError(errors)
    if not any(out.values()):
        raise ValidationError.single("hours", value, "must have at least one working span")
    return out


_OFFICE = dict.fromkeys(range(5), (("09:00", "18:00"),))


@attrs.frozen(kw_only=True)
class WorkingCalendar:
    """Opening hours per weekday in a time zone, minus holidays.

    ``hours`` maps a weekday (0 = Monday) to its working spans ``(start, end)`` (``time``
    objects or ``"HH:MM"`` strings; several spans allow a lunch break); a missing weekday
    is a day off. ``holidays`` are local dates with no working time. Default: Monday to
    Friday 09:00–18:00 in UTC.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> cal = WorkingCalendar()
    >>> fri = datetime(2024, 3, 1, 17, 0, tzinfo=UTC)
    >>> cal.working_seconds(fri, datetime(2024, 3, 4, 10, 0, tzinfo=UTC)) / 3600  # Fri 17-18, Mon 9-10
    2.0
    >>> cal.add_working_time(fri, timedelta(hours=3))
    datetime.datetime(2024, 3, 4, 11, 0, tzinfo=datetime.timezone.utc)
    """

    hours: Mapping[int, tuple[tuple[time, time], ...]] = attrs.field(
        factory=lambda: dict(_OFFICE), converter=_convert_hours
    )
    holidays: frozenset[date] = attrs.field(factory=frozenset, converter=frozenset)
    timezone: tzinfo = attrs.field(default=UTC, converter=_as_tz)

    @holidays.validator
    def _check_holidays(self, _: Any, value: frozenset[Any]) -> None:
        bad = [d for d in value if not isinstance(d, date) or isinstance(d, datetime)]
        if bad:
            raise ValidationError.single("holidays", bad[:5], "must be datetime.date values")

    @classmethod
    def always(cls) -> WorkingCalendar:
        """A 24/7 calendar (every second counts), e.g. for urgent cases."""
        return cls(hours=dict.fromkeys(range(7), ((time(0, 0), time.max),)))

    def _spans(self, d: date) -> Iterable[tuple[float, float]]:
        if d in self.holidays:
            return
        for s, e in self.hours.get(d.weekday(), ()):
            start = datetime.combine(d, s, tzinfo=self.timezone).timestamp()
            if e == time.max:
                end = datetime.combine(d + timedelta(days=1), time(0, 0), tzinfo=self.timezone).timestamp()
            else:
                end = datetime.combine(d, e, tzinfo=self.timezone).timestamp()
            yield start, end

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working seconds between two aware datetimes (0 when ``end <= start``)."""
        _aware("start", start)
        _aware("end", end)
        a, b = start.timestamp(), end.timestamp()
        if b <= a:
            return 0.0
        d = start.astimezone(self.timezone).date() - timedelta(days=1)
        last = end.astimezone(self.timezone).date()
        total = 0.0
        while d <= last:
            for s, e in self._spans(d):
                total += max(0.0, min(e, b) - max(s, a))
            d += timedelta(days=1)
        return total

    def add_working_time(self, start: datetime, duration: timedelta | float) -> datetime:
        """The moment ``duration`` of working time after ``start`` (a deadline)."""
        _aware("start", start)
        need = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
        if need < 0:
            raise ValidationError.single("duration", duration, "must be >= 0")
        a = start.timestamp()
        d = start.astimezone(self.timezone).date() - timedelta(days=1)
        for _ in range(_MAX_DAYS):
            for s, e in self._spans(d):
                lo = max(s, a)
                if e <= lo:
                    continue
                if need <= e - lo:
                    return datetime.fromtimestamp(lo + need, tz=start.tzinfo)
                need -= e - lo
            d += timedelta(days=1)
        raise ValidationError.single(
            "duration", duration, "cannot be reached within ten years of working time"
        )


def _aware(field: str, t: Any) -> None:
    if not isinstance(t, datetime):
        raise ValidationError.single(field, t, "must be a datetime")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValidationError.single(field, t, "must be timezone-aware")


def _td(v: Any) -> timedelta:
    if isinstance(v, timedelta):
        return v
    if isinstance(v, (int, float)):
        return timedelta(hours=float(v))
    raise ValidationError.single("target", v, "must be a timedelta or a number of hours")


@attrs.frozen(kw_only=True)
class SlaTarget:
    """First-response and resolution targets (working time), and an optional own calendar."""

    first_response: timedelta = attrs.field(converter=_td)
    resolution: timedelta = attrs.field(converter=_td)
    calendar: WorkingCalendar | None = None

    def __attrs_post_init__(self) -> None:
        errors = []
        if self.first_response <= timedelta(0):
            errors.append(FieldError("$.first_response", "must be positive", self.first_response))
        if self.resolution <= timedelta(0):
            errors.append(FieldError("$.resolution", "must be positive", self.resolution))
        if errors:
            raise ValidationError(errors)


def _default_targets() -> dict[str, SlaTarget]:
    return {
        "low": SlaTarget(first_response=timedelta(hours=24), resolution=timedelta(hours=120)),
        "normal": SlaTarget(first_response=timedelta(hours=8), resolution=timedelta(hours=40)),
        "high": SlaTarget(first_response=timedelta(hours=2), resolution=timedelta(hours=16)),
        "urgent": SlaTarget(first_response=timedelta(hours=1), resolution=timedelta(hours=8)),
    }


def _convert_targets(value: Mapping[Any, SlaTarget]) -> dict[str, SlaTarget]:
    out = {}
    for k, v in value.items():
        if not isinstance(v, SlaTarget):
            raise ValidationError.single(f"targets[{_name(k)!r}]", v, "must be an SlaTarget")
        out[_name(k)] = v
    return out


@attrs.frozen(kw_only=True)
class SlaPolicy:
    """SLA targets per priority, the working calendar, and which statuses pause or stop the clock.

    Defaults: low 24 h / 120 h, normal 8 h / 40 h, high 2 h / 16 h, urgent 1 h / 8 h of
    working time (first response / resolution) on a Monday–Friday 09:00–18:00 calendar.
    ``warn_fraction`` marks a running case "at risk" once that share of a target is used.
    """

    targets: Mapping[str, SlaTarget] = attrs.field(factory=_default_targets, converter=_convert_targets)
    calendar: WorkingCalendar = attrs.field(factory=WorkingCalendar)
    paused_statuses: frozenset[str] = frozenset({"waiting_on_customer"})
    stopped_statuses: frozenset[str] = frozenset({"resolved", "closed"})
    warn_fraction: float = 0.8

    def __attrs_post_init__(self) -> None:
        if not 0.0 < self.warn_fraction <= 1.0:
            raise ValidationError.single("warn_fraction", self.warn_fraction, "must be in (0, 1]")

    def target(self, priority: Any) -> SlaTarget:
        """The target for ``priority`` (ValidationError if the policy has none)."""
        p = _name(priority)
        if p not in self.targets:
            raise ValidationError.single(
                "priority", priority, f"has no SLA target (known: {sorted(self.targets)})"
            )
        return self.targets[p]

    def calendar_for(self, priority: Any) -> WorkingCalendar:
        """The calendar that applies to ``priority``."""
        return self.target(priority).calendar or self.calendar


@attrs.frozen(kw_only=True)
class SlaStatus:
    """Where one case stands against its SLA at ``as_of``.

    Elapsed times are working time. ``*_due`` is the projected deadline (``None`` once the
    clock has stopped, or while it is paused for the resolution clock).
    """

    case_id: str | None
    priority: str
    as_of: datetime
    status: str
    first_response_target: timedelta
    first_response_elapsed: timedelta
    first_responded: bool
    first_response_due: datetime | None
    resolution_target: timedelta
    resolution_elapsed: timedelta
    resolved: bool
    paused: bool
    resolution_due: datetime | None
    reopened: int
    warn_fraction: float = 0.8

    @property
    def first_response_breached(self) -> bool:
        """The first response came (or is still missing) after its target."""
        return self.first_response_elapsed > self.first_response_target

    @property
    def resolution_breached(self) -> bool:
        """Resolution took (or is taking) longer than its target."""
        return self.resolution_elapsed > self.resolution_target

    @property
    def breached(self) -> bool:
        """Either target is breached."""
        return self.first_response_breached or self.resolution_breached

    @property
    def at_risk(self) -> bool:
        """A running clock has used at least ``warn_fraction`` of a target, without breach yet."""
        if self.breached:
            return False
        fr = (
            not self.first_responded
            and self.first_response_elapsed >= self.warn_fraction * self.first_response_target
        )
        rs = not self.resolved and self.resolution_elapsed >= self.warn_fraction * self.resolution_target
        return fr or rs

    @property
    def overdue(self) -> timedelta:
        """The worst overrun of a target (zero when none is breached)."""
        return max(
            self.first_response_elapsed - self.first_response_target,
            self.resolution_elapsed - self.resolution_target,
            timedelta(0),
        )

    def to_dict(self) -> dict[str, Any]:
        """The fields and the derived flags as a dict."""
        d = attrs.asdict(self)
        d.update(
            first_response_breached=self.first_response_breached,
            resolution_breached=self.resolution_breached,
            breached=self.breached,
            at_risk=self.at_risk,
        )
        return d

    def _repr_html_(self) -> str:
        flag = "BREACHED" if self.breached else ("at risk" if self.at_risk else "ok")
        return (
            f"<p>case {html.escape(str(self.case_id))} ({self.priority}, {self.status}): {flag}; "
            f"first response {self.first_response_elapsed} / {self.first_response_target}, "
            f"resolution {self.resolution_elapsed} / {self.resolution_target}</p>"
        )


def _check_history(history: Sequence[tuple[datetime, Any]]) -> list[tuple[datetime, str]]:
    if len(history) == 0:
        raise ValidationError.single("history", [], "must contain at least the opening status")
    out: list[tuple[datetime, str]] = []
    errors: list[FieldError] = []
    for i, item in enumerate(history):
        try:
            t, s = item
        except (TypeError, ValueError):
            errors.append(FieldError(f"$.history[{i}]", "must be a (timestamp, status) pair", item))
            continue
        if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
            errors.append(FieldError(f"$.history[{i}][0]", "must be a timezone-aware datetime", t))
            continue
        if out and t < out[-1][0]:
            errors.append(FieldError(f"$.history[{i}][0]", "timestamps must not decrease", t))
        out.append((t, _name(s)))
    if errors:
        raise ValidationError(errors)
    return out


def sla_clock(
    priority: Any,
    history: Sequence[tuple[datetime, Any]],
    policy: SlaPolicy | None = None,
    *,
    now: datetime | None = None,
    case_id: str | None = None,
) -> SlaStatus:
    """Evaluate one case's SLA clocks from its status history (a pure function).

    Parameters
    ----------
    priority
        ``"low"``, ``"normal"``, ``"high"`` or ``"urgent"`` (or an enum with that value).
    history
        ``(timestamp, status)`` pairs in time order; the first is the opening.
    policy
        Targets and calendar; the default :class:`SlaPolicy` when omitted.
    now
        Evaluation time (timezone-aware); defaults to the current UTC time. History after
        ``now`` is ignored.
    case_id
        Carried into the result for reporting.

    Examples
    --------
    A normal case (8 h to respond, 40 h to resolve, office hours Mon–Fri 9–18) opened on
    Friday 16:00, acknowledged Monday 10:00: first response took 2 + 1 = 3 working hours.
    It waited on the customer from Monday 12:00 to Wednesday 12:00 and was resolved
    Wednesday 15:00: 3 + 2 + 3 = 8 working hours of resolution time.

    >>> from datetime import datetime, UTC
    >>> h = [(datetime(2024, 3, 1, 16, tzinfo=UTC), "open"),
    ...      (datetime(2024, 3, 4, 10, tzinfo=UTC), "acknowledged"),
    ...      (datetime(2024, 3, 4, 12, tzinfo=UTC), "waiting_on_customer"),
    ...      (datetime(2024, 3, 6, 12, tzinfo=UTC), "in_progress"),
    ...      (datetime(2024, 3, 6, 15, tzinfo=UTC), "resolved")]
    >>> s = sla_clock("normal", h, now=datetime(2024, 3, 8, tzinfo=UTC))
    >>> s.first_response_elapsed, s.resolution_elapsed, s.breached
    (datetime.timedelta(seconds=10800), datetime.timedelta(seconds=28800), False)
    """
    pol = policy or SlaPolicy()
    target = pol.target(priority)
    cal = pol.calendar_for(priority)
    now = datetime.now(UTC) if now is None else now
    _aware("now", now)
    hist = [(t, s) for t, s in _check_history(history) if t <= now]
    if not hist:
        raise ValidationError.single("now", now, "is before the case was opened")

    # first response: time spent in the initial "open" status
    t_open = hist[0][0]
    responded = next((t for t, s in hist[1:] if s != hist[0][1]), None)
    fr_end = responded if responded is not None else now
    fr_elapsed = cal.working_seconds(t_open, fr_end)

    # resolution: working time while active
    res = 0.0
    reopened = 0
    was_stopped = False
    for i, (t, s) in enumerate(hist):
        end = hist[i + 1][0] if i + 1 < len(hist) else now
        stopped = s in pol.stopped_statuses
        if was_stopped and not stopped:
            reopened += 1
        was_stopped = stopped
        if not stopped and s not in pol.paused_statuses:
            res += cal.working_seconds(t, end)
    status = hist[-1][1]
    resolved = status in pol.stopped_statuses
    paused = status in pol.paused_statuses

    fr_target = target.first_response
    res_target = target.resolution
    if responded is None:
        fr_due: datetime | None = cal.add_working_time(t_open, fr_target)
    else:
        fr_due = None
    if resolved or paused:
        res_due = None
    else:
        remaining = res_target.total_seconds() - res
        # an overdue case has no future deadline: its breach is reported instead
        res_due = cal.add_working_time(now, remaining) if remaining >= 0 else None
    return SlaStatus(
        case_id=case_id,
        priority=_name(priority),
        as_of=now,
        status=status,
        first_response_target=fr_target,
        first_response_elapsed=timedelta(seconds=fr_elapsed),
        first_responded=responded is not None,
        first_response_due=fr_due,
        resolution_target=res_target,
        resolution_elapsed=timedelta(seconds=res),
        resolved=resolved,
        paused=paused,
        resolution_due=res_due,
        reopened=reopened,
        warn_fraction=pol.warn_fraction,
    )


def _case_history(case: Any) -> list[tuple[datetime, Any]]:
    """``(timestamp, status)`` pairs of a case object, its opening first.

    Reads ``status_history``/``history`` (pairs, or records with ``at`` and ``to_status``
    or ``status``); when the case has ``opened_at`` (as ``distcrm.domain.ComplaintCase``
    does, whose history holds only the changes), ``(opened_at, "open")`` comes first.
    """
    for attr in ("status_history", "history", "events"):
        h = getattr(case, attr, None)
        if h is not None:
            break
    else:
        raise ValidationError.single("case", type(case).__name__, "has no status history")
    out: list[tuple[datetime, Any]] = []
    opened = getattr(case, "opened_at", None)
    if opened is not None:
        out.append((opened, "open"))
    for item in h:
        if isinstance(item, tuple):
            out.append((item[0], item[1]))
            continue
        t = getattr(item, "at", None) or getattr(item, "timestamp", None)
        st = getattr(item, "to_status", None) or getattr(item, "status", None)
        out.append((t, st))  # type: ignore[arg-type]
    return out


def _policy_from_case(case: Any, policy: SlaPolicy | None) -> SlaPolicy:
    base = policy or SlaPolicy()
    sla = getattr(case, "sla", None)
    fr = getattr(sla, "first_response", None)
    rs = getattr(sla, "resolution", None)
    if isinstance(fr, timedelta) and isinstance(rs, timedelta):
        t = SlaTarget(first_response=fr, resolution=rs)
        return attrs.evolve(base, targets=dict.fromkeys(PRIORITIES, t))
    return base


def case_sla(case: Any, policy: SlaPolicy | None = None, *, now: datetime | None = None) -> SlaStatus:
    """:func:`sla_clock` for a complaint-case object (``distcrm.domain.ComplaintCase``).

    Reads ``id``, ``priority``, ``opened_at`` and the status history. A case's own SLA
    targets (``case.sla`` with ``first_response`` and ``resolution``) take precedence over
    the policy's per-priority targets; the policy still supplies the working calendar and
    the paused statuses.

    Examples
    --------
    >>> from datetime import datetime, timedelta, UTC
    >>> from distcrm.domain import ComplaintCase, SlaTargets
    >>> t = datetime(2024, 3, 1, 17, tzinfo=UTC)  # a Friday
    >>> c = ComplaintCase(customer_id="C-1", opened_at=t, subject="Late",
    ...                   sla=SlaTargets(first_response=timedelta(hours=2), resolution=timedelta(hours=9)))
    >>> c = c.acknowledge(datetime(2024, 3, 4, 10, tzinfo=UTC))  # Monday 10:00
    >>> s = case_sla(c, now=datetime(2024, 3, 4, 12, tzinfo=UTC))
    >>> s.first_response_elapsed, s.first_response_breached
    (datetime.timedelta(seconds=7200), False)
    """
    cid = getattr(case, "id", None) or getattr(case, "case_id", None)
    return sla_clock(
        getattr(case, "priority", "normal"),
        _case_history(case),
        _policy_from_case(case, policy),
        now=now,
        case_id=None if cid is None else str(cid),
    )


def escalation_list(statuses: Iterable[SlaStatus], *, include_at_risk: bool = True) -> list[SlaStatus]:
    """Breached (and optionally at-risk) cases, most urgent first.

    Order: breached before at-risk, then higher priority, then larger overrun.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=UTC)
    >>> a = sla_clock("urgent", [(t0, "open")], now=datetime(2024, 3, 4, 11, tzinfo=UTC), case_id="A")
    >>> b = sla_clock("low", [(t0, "open")], now=datetime(2024, 3, 4, 11, tzinfo=UTC), case_id="B")
    >>> [s.case_id for s in escalation_list([b, a])]
    ['A']
    """
    chosen = [s for s in statuses if s.breached or (include_at_risk and s.at_risk)]
    return sorted(
        chosen,
        key=lambda s: (not s.breached, -_PRIORITY_RANK.get(s.priority, -1), -s.overdue.total_seconds()),
    )
