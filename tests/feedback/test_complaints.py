"""Tests for reopen rate, root-cause summaries and corrective-action effects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from distcrm.errors import ValidationError
from distcrm.feedback import CorrectiveAction, action_effect, reopen_rate, root_cause_summary

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def test_reopen_rate_counts_cases_reopened_after_resolution() -> None:
    """Two of four resolved cases were reopened; an open case does not count."""
    h = lambda *s: [(T0 + timedelta(hours=i), x) for i, x in enumerate(s)]  # noqa: E731
    cases = [
        h("open", "in_progress", "resolved", "in_progress", "resolved"),
        h("open", "resolved", "closed"),
        h("open", "resolved", "closed", "in_progress"),
        h("open", "in_progress", "resolved"),
        h("open"),
    ]
    r = reopen_rate(cases)
    assert (4, 2, 0.5) == (r.n_resolved, r.n_reopened, r.rate)
    assert r.ci_low < 0.5 < r.ci_high


def test_reopen_rate_on_domain_cases() -> None:
    """ComplaintCase objects from distcrm.domain are read through their history."""
    from distcrm.domain import ComplaintCase

    c = ComplaintCase(customer_id="C-1", opened_at=T0, subject="Broken")
    c = c.start(T0 + timedelta(hours=1)).resolve(T0 + timedelta(hours=2)).reopen(T0 + timedelta(hours=3))
    assert 1.0 == reopen_rate([c]).rate


def test_reopen_rate_empty() -> None:
    """No resolved cases gives an explicit empty result."""
    assert reopen_rate([]).rate is None


def test_root_cause_summary_pareto() -> None:
    """Tags are counted once per case and ordered by frequency."""
    r = root_cause_summary([{"late"}, ["late", "late"], "damaged", None, []])
    assert [("late", 2), ("damaged", 1)] == r.top()
    assert 2 == r.n_untagged
    assert (2 / 3, 1.0) == pytest.approx(r.cumulative_share)


def test_action_effect_rate_ratio() -> None:
    """Halving complaints at equal exposure gives a rate ratio of 0.5 with a CI below 1."""
    orders = [T0 + timedelta(hours=h) for h in range(-24 * 30, 24 * 30)]
    before = [T0 - timedelta(hours=3 * i + 1) for i in range(200)]
    after = [T0 + timedelta(hours=6 * i + 1) for i in range(100)]
    a = CorrectiveAction(
        id="CA-9", description="Extra packing check", implemented_at=T0, root_cause="damaged"
    )
    e = action_effect(a, before + after, orders, window=timedelta(days=30))
    assert (200, 100, 720.0, 720.0) == (
        e.complaints_before,
        e.complaints_after,
        e.exposure_before,
        e.exposure_after,
    )
    assert 0.5 == pytest.approx(e.rate_ratio)
    assert e.ci_high < 1
    assert e.p_value < 1e-6
    assert "CA-9" == e.action_id


def test_action_effect_without_data_is_empty() -> None:
    """No exposure in a window gives an explicit empty effect."""
    e = action_effect(T0, [], [T0 + timedelta(days=1)], window=timedelta(days=7))
    assert e.rate_ratio is None
    assert "not enough data" in str(e)


def test_corrective_action_needs_aware_time() -> None:
    """A naive implementation time is rejected."""
    with pytest.raises(ValidationError):
        CorrectiveAction(id="x", description="y", implemented_at=datetime(2024, 1, 1))
