"""Feedback scores and the complaint-case lifecycle with SLA helpers."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from distcrm.domain import CaseStatus, ComplaintCase, Feedback, SlaTargets, StatusChange
from distcrm.errors import InvalidTransition, ValidationError

from .conftest import T0

H = dt.timedelta(hours=1)


def test_feedback_score_ranges_reported_together() -> None:
    """NPS 11, CSAT 0 and CES 8 are each out of range, reported at once."""
    with pytest.raises(ValidationError) as info:
        Feedback(customer_id="C-1", at=T0, nps=11, csat=0, ces=8)
    assert ["$.nps", "$.csat", "$.ces"] == info.value.paths


def test_feedback_needs_a_score_or_text() -> None:
    """Feedback with no score and blank text is rejected; text alone is enough."""
    with pytest.raises(ValidationError, match="at least one"):
        Feedback(customer_id="C-1", at=T0, text="  ")
    assert "司机很有礼貌" == Feedback(customer_id="C-1", at=T0, text="司机很有礼貌").text


def _case() -> ComplaintCase:
    return ComplaintCase(
        id="K-1",
        customer_id="C-1",
        opened_at=T0,
        subject="Damaged crate",
        sla=SlaTargets(first_response=4 * H, resolution=48 * H),
    )


def test_case_full_lifecycle_with_reopen() -> None:
    """open -> ack -> in_progress <-> waiting -> resolved -> closed -> reopen -> resolved."""
    c = _case().acknowledge(T0 + H).start(T0 + 2 * H).wait_on_customer(T0 + 3 * H).resume(T0 + 4 * H)
    c = c.resolve(T0 + 5 * H, resolution="credit note").close(T0 + 6 * H).reopen(T0 + 7 * H, "still broken")
    assert CaseStatus.IN_PROGRESS == c.status
    c = c.resolve(T0 + 8 * H)
    expected = [
        "acknowledged",
        "in_progress",
        "waiting_on_customer",
        "in_progress",
        "resolved",
        "closed",
        "in_progress",
        "resolved",
    ]
    assert expected == [s.to_status.value for s in c.history]
    assert (T0 + H, T0 + 8 * H, "credit note") == (c.first_response_at(), c.resolved_at(), c.resolution)


def test_case_open_can_start_directly() -> None:
    """open -> in_progress is allowed without an acknowledgement."""
    assert CaseStatus.IN_PROGRESS == _case().start(T0).status


@pytest.mark.parametrize(
    ("steps", "action", "frm", "to"),
    [
        ([], "resolve", "open", "resolved"),
        ([], "close", "open", "closed"),
        ([], "reopen", "open", "in_progress"),
        (["start"], "reopen", "in_progress", "in_progress"),
        (["start"], "acknowledge", "in_progress", "acknowledged"),
        (["start", "wait_on_customer"], "resolve", "waiting_on_customer", "resolved"),
        (["start", "resolve"], "resume", "resolved", "in_progress"),
    ],
)
def test_case_illegal_transitions(steps: list[str], action: str, frm: str, to: str) -> None:
    """Moves outside the case state machine raise InvalidTransition naming both states."""
    c = _case()
    for i, step in enumerate(steps):
        c = getattr(c, step)(T0 + i * H)
    with pytest.raises(InvalidTransition) as info:
        getattr(c, action)(T0 + 10 * H)
    assert ("complaint case", frm, to) == (
        info.value.kind,
        info.value.from_state.value,
        info.value.to_state.value,
    )


def test_case_timestamps_cannot_go_backwards() -> None:
    """A step before the previous one, or before opened_at, is rejected."""
    with pytest.raises(ValidationError):
        _case().acknowledge(T0 - H)
    with pytest.raises(ValidationError):
        _case().start(T0 + 2 * H).resolve(T0 + H)


def test_case_history_must_be_a_chain() -> None:
    """A stored history whose steps do not chain, or that is illegal, cannot be built."""
    bad = (
        StatusChange(at=T0 + H, from_status=CaseStatus.OPEN, to_status=CaseStatus.IN_PROGRESS),
        StatusChange(at=T0 + 2 * H, from_status=CaseStatus.OPEN, to_status=CaseStatus.ACKNOWLEDGED),
    )
    with pytest.raises(ValidationError) as info:
        attrs.evolve(_case(), history=bad, status=CaseStatus.ACKNOWLEDGED)
    assert ["$.history[1].from_status"] == info.value.paths


def test_case_sla_breach() -> None:
    """A first response after 4 h breaches the SLA; a fast response and resolution does not."""
    late = _case().acknowledge(T0 + 5 * H)
    assert late.sla_breached(T0 + 6 * H)
    fast = _case().start(T0 + H).resolve(T0 + 10 * H)
    assert not fast.sla_breached(T0 + 100 * H)
    assert _case().sla_breached(T0 + 49 * H)


def test_sla_resolution_not_shorter_than_response() -> None:
    """SLA resolution shorter than first response is rejected; non-positive durations too."""
    with pytest.raises(ValidationError) as info:
        SlaTargets(first_response=4 * H, resolution=H)
    assert ["$.resolution"] == info.value.paths
    with pytest.raises(ValidationError) as info:
        SlaTargets(first_response=dt.timedelta(0), resolution=-H)
    assert ["$.first_response", "$.resolution"] == info.value.paths
