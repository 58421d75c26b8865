"""Demand panels built from a TransactionLog."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.data import TransactionLog
from distcrm.errors import DataQualityWarning, ValidationError


def _log(**kw) -> TransactionLog:
    return TransactionLog.from_arrays(
        customer=[1, 2, 1, 2],
        item=["x", "x", "y", "y"],
        timestamp=["2024-01-03", "2024-02-10", "2024-03-31", "2024-03-01"],
        quantity=[2.0, 1.0, 5.0, 1.0],
        **kw,
    )


def test_monthly_item_panel_fills_the_calendar_with_zeros() -> None:
    """Months without demand are zeros and the calendar is complete."""
    p = _log().demand_panel("M")
    assert ["x", "y"] == p.series_ids.tolist()
    assert [[2.0, 1.0, 0.0], [0.0, 0.0, 6.0]] == p.values.tolist()
    assert ["2024-01-01", "2024-02-01", "2024-03-01"] == [str(d) for d in p.periods]


def test_customer_item_panel_and_explicit_range() -> None:
    """customer × item series over an explicit range, periods outside it left out."""
    p = _log().demand_panel("M", by="customer_item", start="2024-02-15", end="2024-04-30")
    assert ["1|x", "1|y", "2|x", "2|y"] == p.series_ids.tolist()
    assert [[0, 0, 0], [0, 5, 0], [1, 0, 0], [0, 1, 0]] == p.values.tolist()
    assert [1, 1, 2, 2] == p.customer_ids.tolist()


def test_panel_total_equals_log_total() -> None:
    """Every unit sold lands in exactly one cell of a daily panel."""
    log = _log()
    assert float(log.quantity.sum()) == float(log.demand_panel("D").values.sum())


def test_rows_without_item_are_reported() -> None:
    """Rows with no item cannot be placed and are counted in a warning."""
    log = TransactionLog.from_arrays(
        customer=[1, 1], item=["x", None], timestamp=["2024-01-01", "2024-01-02"]
    )
    with pytest.warns(DataQualityWarning, match="1 of 2 rows have no item"):
        p = log.demand_panel("D")
    assert [[1.0, 0.0]] == p.values.tolist()


def test_net_returns_beyond_sales_are_zeroed_with_a_warning() -> None:
    """Under the 'net' policy a period with more returned than sold becomes 0, with a warning."""
    log = TransactionLog.from_arrays(
        customer=[1, 1],
        item=["x", "x"],
        timestamp=["2024-01-01", "2024-01-09"],
        quantity=[1, -3],
        returns="net",
    )
    with pytest.warns(DataQualityWarning, match="more returned than sold"):
        p = log.demand_panel("W")
    assert [[1.0, 0.0]] == p.values.tolist()


@pytest.mark.parametrize(("kwargs", "field"), [({"freq": "Q"}, "$.freq"), ({"by": "customer"}, "$.by")])
def test_bad_panel_arguments_raise(kwargs, field) -> None:
    """Unknown frequencies and groupings raise a ValidationError naming the argument."""
    with pytest.raises(ValidationError) as info:
        _log().demand_panel(**kwargs)
    assert field == info.value.field


def test_weekly_panel_periods_start_on_monday() -> None:
    """Weekly panel periods begin on Mondays."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = _log().demand_panel("W")
    assert {0} == {int(d.astype("datetime64[D]").astype(object).weekday()) for d in p.periods}
    assert 9.0 == p.values.sum()


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.sampled_from(["x", "y", "z"]),
            st.integers(0, 400),
            st.integers(1, 9),
        ),
        min_size=1,
        max_size=40,
    ),
    freq=st.sampled_from(["D", "W", "M"]),
    by=st.sampled_from(["item", "customer_item"]),
)
def test_panel_conserves_units(rows, freq, by) -> None:
    """Every unit lands in exactly one cell, whatever the frequency and grouping."""
    log = TransactionLog.from_arrays(
        customer=[r[0] for r in rows],
        item=[r[1] for r in rows],
        timestamp=np.datetime64("2024-01-01") + np.array([r[2] for r in rows]).astype("timedelta64[D]"),
        quantity=[r[3] for r in rows],
    )
    p = log.demand_panel(freq, by=by)
    assert sum(r[3] for r in rows) == p.values.sum()
    assert len({(r[0], r[1]) if by == "customer_item" else r[1] for r in rows}) == p.n_series
