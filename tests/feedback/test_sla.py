"""Tests for the complaint SLA clock: working calendars, holidays, pauses, breaches, escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.errors import ValidationError
from distcrm.feedback import SlaPolicy, SlaTarget, WorkingCalendar, case_sla, escalation_list, sla_clock

H = timedelta(hours=1)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2024 (1 March is a Friday), UTC."""
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)


def test_working_seconds_over_weekend() -> None:
    """Friday 17:00 to Monday 10:00 is two working hours on a 9–18 weekday calendar."""
    assert 2 * 3600 == WorkingCalendar().working_seconds(t(1, 17), t(4, 10))


def test_working_seconds_skip_holiday_and_lunch() -> None:
    """A holiday Monday and a lunch break are not counted."""
    cal = WorkingCalendar(
        hours=dict.fromkeys(range(5), (("09:00", "12:00"), ("13:00", "17:00"))),
        holidays={date(2024, 3, 4)},
    )
    # Fri 11:00–17:00 = 1 + 4 h; Mon holiday; Tue 09:00–14:00 = 3 + 1 h
    assert 9 * 3600 == cal.working_seconds(t(1, 11), t(5, 14))


def test_add_working_time_rolls_over_weekend_and_holiday() -> None:
    """Eight working hours from Friday 14:00 with a holiday Monday end Tuesday 13:00."""
    cal = WorkingCalendar(holidays={date(2024, 3, 4)})
    assert t(5, 13) == cal.add_working_time(t(1, 14), 8 * H)


def test_calendar_in_local_time_zone() -> None:
    """Hours are local: 09:00–18:00 in Shanghai is 01:00–10:00 UTC."""
    cal = WorkingCalendar(timezone="Asia/Shanghai")
    assert 3600 == cal.working_seconds(t(4, 0), t(4, 2))


def test_always_calendar_counts_every_second() -> None:
    """The 24/7 calendar counts a weekend in full."""
    assert 48 * 3600 == WorkingCalendar.always().working_seconds(t(2, 0), t(4, 0))


def test_clock_worked_example_with_pause() -> None:
    """The documented example: 3 h to first response, 8 h of resolution, pause not counted."""
    h = [
        (t(1, 16), "open"),
        (t(4, 10), "acknowledged"),
        (t(4, 12), "waiting_on_customer"),
        (t(6, 12), "in_progress"),
        (t(6, 15), "resolved"),
    ]
    s = sla_clock("normal", h, now=t(8, 0), case_id="C1")
    assert 3 * H == s.first_response_elapsed
    assert 8 * H == s.resolution_elapsed
    assert (True, False, False, 0) == (s.resolved, s.paused, s.breached, s.reopened)
    assert s.resolution_due is None


def test_clock_breach_of_first_response() -> None:
    """An urgent case still open after 2 working hours has breached its 1 h first-response target."""
    s = sla_clock("urgent", [(t(4, 9), "open")], now=t(4, 11))
    assert s.first_response_breached
    assert t(4, 10) == s.first_response_due
    assert 1 * H == s.overdue


def test_running_clock_projects_deadline() -> None:
    """A high case in progress projects its resolution deadline over the night."""
    h = [(t(4, 9), "open"), (t(4, 9, 30), "in_progress")]
    s = sla_clock("high", h, now=t(4, 17))
    # 8 h used of 16 h; the remaining 8 h are Mon 17–18 and Tue 09–16
    assert 8 * H == s.resolution_elapsed
    assert t(5, 16) == s.resolution_due
    assert s.at_risk is False


def test_paused_clock_has_no_deadline_and_does_not_advance() -> None:
    """Waiting on the customer stops the resolution clock."""
    h = [(t(4, 9), "open"), (t(4, 10), "waiting_on_customer")]
    s = sla_clock("normal", h, now=t(15, 9))
    assert (True, None) == (s.paused, s.resolution_due)
    assert 1 * H == s.resolution_elapsed


def test_reopen_resumes_cumulative_clock() -> None:
    """A reopened case adds its new active time to the old and counts one reopening."""
    h = [
        (t(4, 9), "open"),
        (t(4, 11), "resolved"),
        (t(5, 9), "open"),
        (t(5, 12), "resolved"),
    ]
    s = sla_clock("urgent", h, now=t(6, 0))
    assert 5 * H == s.resolution_elapsed
    assert 1 == s.reopened


def test_bad_history_reports_each_problem() -> None:
    """Naive timestamps and decreasing times are listed together."""
    with pytest.raises(ValidationError) as info:
        sla_clock("normal", [(t(4, 9), "open"), (datetime(2024, 3, 4, 10), "resolved"), (t(3, 9), "closed")])
    assert ["$.history[1][0]", "$.history[2][0]"] == info.value.paths


def test_unknown_priority_is_error() -> None:
    """A priority without a target raises naming the priority."""
    with pytest.raises(ValidationError) as info:
        sla_clock("critical", [(t(4, 9), "open")], now=t(4, 10))
    assert "critical" == info.value.value


def test_policy_with_own_calendar_per_priority() -> None:
    """Urgent cases can run on a 24/7 calendar while others keep office hours."""
    pol = SlaPolicy(
        targets={
            "urgent": SlaTarget(first_response=1, resolution=4, calendar=WorkingCalendar.always()),
            "normal": SlaTarget(first_response=8, resolution=40),
        }
    )
    s = sla_clock("urgent", [(t(2, 10), "open")], policy=pol, now=t(2, 12))  # Saturday
    assert 2 * H == s.first_response_elapsed
    n = sla_clock("normal", [(t(2, 10), "open")], policy=pol, now=t(2, 12))
    assert timedelta(0) == n.first_response_elapsed


def test_escalation_order() -> None:
    """Breached cases come first, by priority; at-risk cases follow."""
    now = t(4, 17)
    a = sla_clock("normal", [(t(4, 9), "open")], now=now, case_id="normal-breached")
    b = sla_clock("urgent", [(t(4, 9), "open")], now=now, case_id="urgent-breached")
    c = sla_clock("low", [(t(1, 9), "open")], now=t(5, 12), case_id="low-at-risk")
    d = sla_clock("low", [(t(4, 9), "open")], now=t(4, 10), case_id="low-ok")
    assert ["urgent-breached", "normal-breached", "low-at-risk"] == [
        s.case_id for s in escalation_list([a, b, c, d])
    ]


def test_case_adapter_reads_duck_typed_case() -> None:
    """case_sla reads id, priority and status_history from a case-like object."""

    class Case:
        id = "K-1"
        priority = "high"
        status_history = ((t(4, 9), "open"), (t(4, 10), "acknowledged"))

    s = case_sla(Case(), now=t(4, 12))
    assert ("K-1", "high", 1 * H) == (s.case_id, s.priority, s.first_response_elapsed)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 24 * 14), st.integers(0, 24 * 14), st.integers(0, 24 * 7))
def test_working_time_is_additive_and_inverse(a: int, b: int, hours: int) -> None:
    """working_seconds is additive over a split point and add_working_time inverts it."""
    cal = WorkingCalendar(holidays={date(2024, 3, 6)})
    start = t(1, 0) + timedelta(hours=min(a, b))
    mid = t(1, 0) + timedelta(hours=(a + b) // 2)
    end = t(1, 0) + timedelta(hours=max(a, b))
    whole = cal.working_seconds(start, end)
    assert whole == cal.working_seconds(start, mid) + cal.working_seconds(mid, end)
    due = cal.add_working_time(start, hours * H)
    assert hours * 3600 == pytest.approx(cal.working_seconds(start, due))
