"""TransactionLog construction, messy-input handling and views."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.data import TransactionLog
from distcrm.errors import DataQualityWarning, NotFoundError, ValidationError

MESSY = {
    "invoice": ["1", "1", "2", "C3", "4", "5", "6", "7", "8", "9"],
    "customer": ["a", "a", None, "b", "b", "", "c", "c", "d", "d"],
    "when": [
        "2024-01-01",
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
        None,
        "2024-01-07",
        "2024-01-08",
        "2024-01-09",
    ],
    "sku": ["x", "y", "x", "x", "y", "x", "x", "y", "x", None],
    "qty": [1.0, 2.0, 1.0, -1.0, 3.0, 1.0, 1.0, 0.0, 2.0, 1.0],
    "price": [2.0, 0.0, 2.0, 2.0, -5.0, 2.0, 2.0, 2.0, 2.0, 2.0],
}


def _messy_log(returns: str = "separate") -> TransactionLog:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return TransactionLog.from_frame(
            pd.DataFrame(MESSY),
            customer="customer",
            timestamp="when",
            item="sku",
            quantity="qty",
            price="price",
            order="invoice",
            cancelled_prefix="C",
            returns=returns,
        )


def test_every_set_aside_row_is_reported_with_its_reason() -> None:
    """Missing customers, timestamps, zero quantities, negative prices and returns are each counted by row."""
    r = _messy_log().ingest_report
    assert {
        "missing_customer": 2,
        "missing_timestamp": 1,
        "zero_quantity": 1,
        "negative_price": 1,
        "returns": 1,
    } == r.counts()
    assert [2, 5] == r.rows("missing_customer").tolist()
    assert [3] == r.rows("returns").tolist()
    assert {"zero_price": 1} == r.flag_counts()
    assert r.n_rows == r.n_kept + r.n_set_aside


def test_set_aside_rows_raise_a_data_quality_warning() -> None:
    """Building a log that sets rows aside warns once, naming the counts."""
    with pytest.warns(DataQualityWarning, match="missing_customer"):
        TransactionLog.from_arrays(customer=[None, "a"], timestamp=["2024-01-01", "2024-01-02"])


@pytest.mark.parametrize(
    ("policy", "kept", "in_returns"), [("separate", 4, 1), ("net", 5, None), ("drop-with-report", 4, None)]
)
def test_returns_policies(policy: str, kept: int, in_returns: int | None) -> None:
    """'separate' moves returns to log.returns, 'net' keeps them (flagged), 'drop-with-report' counts them."""
    log = _messy_log(policy)
    assert kept == len(log)
    assert in_returns == (None if log.returns is None else len(log.returns))
    if policy == "net":
        assert [3] == log.ingest_report.flagged["returns"].tolist()
        assert -1.0 == log.quantity.min()


def test_cancelled_column_sets_positive_lines_aside() -> None:
    """A cancelled flag on a positive line sets it aside as a cancelled order."""
    log = TransactionLog.from_arrays(
        customer=[1, 1], timestamp=["2024-01-01", "2024-01-02"], quantity=[1, 1], cancelled=[False, True]
    )
    assert {"cancelled_order": 1} == log.ingest_report.counts()


def test_pandas_and_polars_give_the_same_log() -> None:
    """from_frame on pandas and on polars builds identical arrays, ids and reports."""
    a = _messy_log()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        b = TransactionLog.from_frame(
            pl.DataFrame(MESSY).with_columns(pl.col("when").str.to_date()),
            customer="customer",
            timestamp="when",
            item="sku",
            quantity="qty",
            price="price",
            order="invoice",
            cancelled_prefix="C",
        )
    for name in ("customer", "timestamp", "quantity", "amount", "item", "order"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.customer_ids.tolist() == b.customer_ids.tolist()
    assert a.item_ids.tolist() == b.item_ids.tolist()
    assert a.ingest_report.counts() == b.ingest_report.counts()


def test_float_customer_ids_with_gaps_become_integers() -> None:
    """A customer column made float by missing values (13047.0) gives integer ids."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        log = TransactionLog.from_frame(
            pd.DataFrame({"c": [13047.0, np.nan, 12.0], "t": pd.to_datetime(["2024-01-01"] * 3)}),
            customer="c",
            timestamp="t",
        )
    assert [12, 13047] == log.customer_ids.tolist()
    assert np.int64 == log.customer_ids.dtype


def test_unknown_columns_are_all_listed() -> None:
    """from_frame names every column that the frame does not have."""
    with pytest.raises(ValidationError) as info:
        TransactionLog.from_frame(pd.DataFrame({"c": [1]}), customer="c", timestamp="t", item="i")
    assert ["$.timestamp", "$.item"] == info.value.paths


def test_amount_and_price_together_are_rejected() -> None:
    """Giving both amount and price is ambiguous and raises."""
    with pytest.raises(ValidationError):
        TransactionLog.from_arrays(customer=[1], timestamp=["2024-01-01"], amount=[1], price=[1])


def test_columns_of_different_lengths_are_rejected() -> None:
    """Parallel arrays must have one value per row."""
    with pytest.raises(ValidationError):
        TransactionLog.from_arrays(customer=[1, 2], timestamp=["2024-01-01"])


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([1, 2, 3]),
            st.integers(0, 10_000),
            st.sampled_from([-1.0, 0.0, 1.0, float("nan")]),
        ),
        min_size=1,
        max_size=30,
    ),
    policy=st.sampled_from(["separate", "net", "drop-with-report"]),
)
def test_rows_are_sorted_and_accounted_for(rows, policy) -> None:
    """Kept rows are sorted by customer then time, and kept + set aside == read, for any input."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        log = TransactionLog.from_arrays(
            customer=[r[0] for r in rows],
            timestamp=np.array([r[1] for r in rows], dtype="datetime64[h]"),
            quantity=[r[2] for r in rows],
            returns=policy,
        )
    r = log.ingest_report
    assert len(rows) == r.n_kept + r.n_set_aside
    assert r.n_kept == len(log)
    key = log.customer.astype(np.int64) * 10**9 + log.timestamp.astype(np.int64)
    assert bool(np.all(np.diff(key) >= 0))


def test_lookups_between_and_for_customers() -> None:
    """Id lookups, time windows and customer subsets select the expected rows."""
    log = TransactionLog.from_arrays(
        customer=["b", "a", "b", "c"],
        timestamp=["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
        amount=[1.0, 2.0, 3.0, 4.0],
    )
    assert [1, 0] == log.customer_index(["b", "a"]).tolist()
    with pytest.raises(NotFoundError):
        log.customer_index(["zz"])
    assert [2.0, 3.0] == sorted(log.between("2024-01-02", "2024-01-04").amount.tolist())
    assert [1.0, 3.0] == log.for_customers(["b"]).amount.tolist()


def test_to_frame_restores_ids() -> None:
    """to_frame gives one row per log row with the original ids."""
    log = TransactionLog.from_arrays(
        customer=["b", "a"], timestamp=["2024-01-01", "2024-01-02"], item=["x", None], amount=[1, 2]
    )
    df = log.to_frame()
    assert ["a", "b"] == df["customer_id"].tolist()
    assert [None, "x"] == df["item_id"].tolist()


def test_html_and_repr_mention_the_report() -> None:
    """The notebook view shows the rows and the ingest report."""
    log = _messy_log()
    assert "IngestReport" in log._repr_html_()
    assert "TransactionLog" in repr(log)
    assert "missing_customer" in str(log.ingest_report)


def test_from_orders_sets_aside_drafts_and_cancellations() -> None:
    """Order lines become rows; draft and cancelled orders are reported, amounts apply the discount."""
    from datetime import datetime, timedelta, timezone
    from decimal import Decimal

    from distcrm.domain import Money, Order, OrderLine

    t = datetime(2024, 5, 1, 23, tzinfo=timezone(timedelta(hours=8)))

    def order(customer: str) -> Order:
        lines = (
            OrderLine(
                product_id="P-1",
                quantity=Decimal(2),
                unit_price=Money.of("10", "CNY"),
                discount=Decimal("0.1"),
            ),
            OrderLine(product_id="P-2", quantity=Decimal(1), unit_price=Money.of("5", "CNY")),
        )
        return Order(customer_id=customer, created_at=t, currency="CNY", lines=lines)

    orders = [order("C-1").confirm(t), order("C-2"), order("C-3").confirm(t).cancel(t, "changed mind")]
    log = TransactionLog.from_orders(orders)
    assert {"draft_order": 2, "cancelled_order": 2} == log.ingest_report.counts()
    assert [18.0, 5.0] == log.amount.tolist()
    assert np.datetime64("2024-05-01T23:00") == log.timestamp[0]
    assert np.datetime64("2024-05-01T15:00") == TransactionLog.from_orders(orders, tz="UTC").timestamp[0]


def test_totals_and_plot() -> None:
    """Period totals cover every period and the plot draws them on the given axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    log = TransactionLog.from_arrays(
        customer=[1, 2, 1], timestamp=["2024-01-01", "2024-01-02", "2024-03-05"], amount=[1.0, 2.0, 4.0]
    )
    starts, total = log.totals("M")
    assert [3.0, 0.0, 4.0] == total.tolist()
    assert np.datetime64("2024-02-01") == starts[1]
    assert [2.0, 0.0, 1.0] == log.totals("M", value="rows")[1].tolist()
    fig, ax = plt.subplots()
    assert ax is log.plot(ax=ax, freq="M")
    assert 1 == len(ax.lines)
    plt.close(fig)


def test_polars_lazy_frames_are_collected() -> None:
    """A polars LazyFrame is accepted and gives the same log as the collected frame."""
    frame = pl.DataFrame({"c": ["a", "b", "a"], "t": ["2024-01-01", "2024-01-02", "2024-01-03"]})
    lazy = TransactionLog.from_frame(frame.lazy(), customer="c", timestamp="t")
    eager = TransactionLog.from_frame(frame, customer="c", timestamp="t")
    np.testing.assert_array_equal(eager.timestamp, lazy.timestamp)
    assert 3 == len(lazy)
