"""The vectorised customer summary against a plain-Python reference (lifetimes' conventions)."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.data import TransactionLog
from distcrm.errors import ValidationError

BASE = dt.datetime(2023, 12, 20)
COMBOS = [("D", "D", 1.0), ("W", "W", 1.0), ("M", "M", 1.0), ("D", "W", 7.0), ("h", "D", 24.0)]


def _pidx(t: dt.datetime, period: str) -> int:
    if period == "h":
        return t.toordinal() * 24 + t.hour
    if period == "D":
        return t.toordinal()
    if period == "W":
        return (t.toordinal() - dt.date(2000, 1, 3).toordinal()) // 7  # 2000-01-03 was a Monday
    return t.year * 12 + t.month


def reference(rows, period, mult, cal_end, obs_end):
    """Straightforward per-customer dictionaries, as lifetimes defines the summary."""
    purchases = [(c, t, a) for c, t, q, a in rows if c is not None and q > 0]
    obs = obs_end if obs_end is not None else max(t for _, t, _ in purchases)
    end = cal_end if cal_end is not None else obs
    end_p = _pidx(end, period)
    per: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for c, t, a in purchases:
        inside = t <= cal_end if cal_end is not None else _pidx(t, period) <= end_p
        if inside:
            per[c][_pidx(t, period)] += a
    hold: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    if cal_end is not None:
        for c, t, a in purchases:
            if cal_end < t <= obs and c in per:
                hold[c][_pidx(t, period)] += a
    out = {}
    for c in sorted(per):
        ps = sorted(per[c])
        repeat = [per[c][p] for p in ps[1:]]
        h = list(hold[c].values()) if c in hold else []
        out[c] = (
            len(ps) - 1,
            (ps[-1] - ps[0]) / mult,
            (end_p - ps[0]) / mult,
            sum(repeat) / len(repeat) if repeat else math.nan,
            len(h),
            sum(h) / len(h) if h else math.nan,
        )
    return out


row = st.tuples(
    st.sampled_from(["a", "b", "c", "d", None]),
    st.integers(0, 24 * 120 - 1).map(lambda h: BASE + dt.timedelta(hours=h)),
    st.sampled_from([-2.0, -1.0, 1.0, 2.0, 3.0]),
    st.integers(0, 10_000).map(lambda cents: cents / 100),
)


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(row, min_size=1, max_size=40),
    combo=st.sampled_from(COMBOS),
    cal_hours=st.one_of(st.none(), st.integers(0, 24 * 100)),
)
def test_summary_equals_reference(rows, combo, cal_hours) -> None:
    """frequency, recency, T, spend and holdout equal the plain-Python reference for any log."""
    period, unit, mult = combo
    if not any(c is not None and q > 0 for c, _, q, _ in rows):
        return
    log_rows = list(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = TransactionLog.from_arrays(
            customer=np.array([r[0] for r in log_rows], dtype=object),
            timestamp=np.array([r[1] for r in log_rows], dtype="datetime64[s]"),
            quantity=[r[2] for r in log_rows],
            amount=[r[2] * r[3] for r in log_rows],
            returns="net",
        )
    cal = None if cal_hours is None else BASE + dt.timedelta(hours=cal_hours)
    obs = max(t for c, t, q, _ in rows if c is not None and q > 0)
    if cal is not None and not cal < obs:
        cal = None
    amounts = [(c, t, q, q * a) for c, t, q, a in rows]
    expected = reference(amounts, period, mult, cal, obs if cal is not None else None)
    if cal is not None and not expected:
        with pytest.raises(ValidationError):
            log.summary(unit, period=period, calibration_end=cal, observation_end=obs)
        return
    s = log.summary(unit, period=period, calibration_end=cal, observation_end=obs if cal else None)
    assert list(expected) == s.customer_ids.tolist()
    exp = np.array(list(expected.values()), dtype=float).reshape(-1, 6)
    np.testing.assert_array_equal(exp[:, 0], s.frequency)
    np.testing.assert_allclose(exp[:, 1], s.recency)
    np.testing.assert_allclose(exp[:, 2], s.T)
    np.testing.assert_allclose(exp[:, 3], s.monetary_value, equal_nan=True)
    if cal is not None:
        np.testing.assert_array_equal(exp[:, 4], s.frequency_holdout)
        np.testing.assert_allclose(exp[:, 5], s.monetary_value_holdout, equal_nan=True)
        assert (_pidx(obs, period) - _pidx(cal, period)) / mult == s.duration_holdout


def test_weeks_start_on_monday() -> None:
    """A Sunday and the next Monday fall in different weekly periods (pandas W-SUN)."""
    log = TransactionLog.from_arrays(customer=[1, 1], timestamp=["2024-01-07", "2024-01-08"], amount=[1, 2])
    s = log.summary("W")
    assert [1.0] == s.frequency.tolist()
    assert [1.0] == s.recency.tolist()


def test_same_period_purchases_are_summed() -> None:
    """Two purchases in one period count once and their amounts add up (lifetimes sums per period)."""
    log = TransactionLog.from_arrays(
        customer=[1, 1, 1],
        timestamp=["2024-01-01", "2024-01-05 10:00", "2024-01-05 18:00"],
        amount=[5, 10, 20],
    )
    s = log.summary("D")
    assert [1.0] == s.frequency.tolist()
    assert [30.0] == s.monetary_value.tolist()


def test_first_and_last_purchase_are_actual_times() -> None:
    """first_purchase and last_purchase are the timestamps of the first and last purchase rows."""
    log = TransactionLog.from_arrays(
        customer=["x", "x"], timestamp=["2024-01-01 09:30", "2024-02-01 17:00"], amount=[1, 1]
    )
    s = log.summary("D")
    assert np.datetime64("2024-01-01T09:30") == s.first_purchase[0]
    assert np.datetime64("2024-02-01T17:00") == s.last_purchase[0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit": "Q"}, "$.unit"),
        ({"unit": "W", "period": "M"}, "$.period"),
        ({"unit": "D", "monetary": "price"}, "$.monetary"),
        (
            {"unit": "D", "calibration_end": "2025-01-01", "observation_end": "2024-01-01"},
            "$.calibration_end",
        ),
        ({"unit": "D", "calibration_end": "2000-01-01"}, "$.calibration_end"),
    ],
)
def test_bad_summary_arguments_raise(kwargs, field) -> None:
    """Bad units, periods, monetary columns and ends raise a ValidationError naming the argument."""
    log = TransactionLog.from_arrays(customer=[1, 2], timestamp=["2024-01-01", "2024-03-01"], amount=[1, 2])
    with pytest.raises(ValidationError) as info:
        log.summary(**kwargs)
    assert field == info.value.field


def test_summary_without_amounts_needs_no_monetary() -> None:
    """A log without amounts summarises with monetary=None and refuses monetary='amount'."""
    log = TransactionLog.from_arrays(customer=[1, 1], timestamp=["2024-01-01", "2024-01-03"])
    assert log.summary("D", monetary=None).monetary_value is None
    with pytest.raises(ValidationError):
        log.summary("D")
