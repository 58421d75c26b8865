"""TransactionLog.from_codes: logs from integer codes into sorted id tables."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.data import TransactionLog
from distcrm.errors import ValidationError


def _same(a: TransactionLog, b: TransactionLog) -> None:
    for field in ("customer", "timestamp", "quantity", "amount", "item", "order"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    for field in ("customer_ids", "item_ids", "order_ids"):
        assert getattr(a, field).tolist() == getattr(b, field).tolist(), field
    assert a.ingest_report.set_aside.keys() == b.ingest_report.set_aside.keys()


def test_from_codes_equals_from_arrays_of_the_decoded_ids() -> None:
    """Codes into id tables give the same log as the ids themselves, cancelled rows included."""
    cust = np.array(["a", "b", "c"])
    items = np.array(["p1", "p2"])
    orders = np.array(["o1", "o2", "o3"])
    cc = np.array([2, 0, 0, 1])
    ic = np.array([1, 0, 1, 0])
    oc = np.array([2, 0, 0, 1])
    ts = np.array(["2024-01-03", "2024-01-01", "2024-01-01", "2024-01-02"], dtype="datetime64[s]")
    qty = np.array([1.0, 2.0, 1.0, 3.0])
    amt = np.array([10.0, 4.0, 5.0, 9.0])
    canc = np.array([False, False, False, True])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = TransactionLog.from_arrays(
            customer=cust[cc],
            timestamp=ts,
            quantity=qty,
            amount=amt,
            item=items[ic],
            order=orders[oc],
            cancelled=canc,
        )
        actual = TransactionLog.from_codes(
            customer_codes=cc,
            customer_ids=cust,
            timestamp=ts,
            quantity=qty,
            amount=amt,
            item_codes=ic,
            item_ids=items,
            order_codes=oc,
            order_ids=orders,
            cancelled=canc,
        )
    _same(expected, actual)
    assert "codes" == actual.ingest_report.source
    assert 3 == len(actual)


def test_from_codes_keeps_unused_ids_in_the_tables() -> None:
    """Id tables are taken as given (an id without rows stays), unlike factorising."""
    log = TransactionLog.from_codes(
        customer_codes=[1], customer_ids=["a", "b"], timestamp=["2024-01-01"], amount=[1.0]
    )
    assert ["a", "b"] == log.customer_ids.tolist()
    assert [1] == log.customer.tolist()


def test_from_codes_reports_every_bad_column() -> None:
    """Out-of-range codes, float codes and unsorted or duplicate ids are all reported at once."""
    with pytest.raises(ValidationError) as info:
        TransactionLog.from_codes(
            customer_codes=[0, 5],
            customer_ids=["a", "b"],
            timestamp=["2024-01-01", "2024-01-02"],
            item_codes=[0.0, 1.0],
            item_ids=["x", "y"],
            order_codes=[0, 1],
            order_ids=["o2", "o1"],
        )
    paths = sorted(e.path for e in info.value.errors)
    assert ["$.customer_codes", "$.item_codes", "$.order_ids"] == paths
    with pytest.raises(ValidationError):
        TransactionLog.from_codes(
            customer_codes=[0, 0], customer_ids=["a", "a"], timestamp=["2024-01-01"] * 2
        )
    with pytest.raises(ValidationError):
        TransactionLog.from_codes(customer_codes=[0, 0], customer_ids=["a"], timestamp=["2024-01-01"])


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 1000), st.floats(0.5, 100)),
        min_size=1,
        max_size=40,
    )
)
def test_from_codes_matches_from_arrays(rows: list[tuple[int, int, int, float]]) -> None:
    """For any rows, from_codes over sorted tables equals from_arrays over the ids."""
    cust = np.array([f"c{i}" for i in range(5)])
    items = np.array([f"i{i}" for i in range(4)])
    cc, ic, minutes, amt = (np.array(col) for col in zip(*rows, strict=True))
    ts = np.datetime64("2024-01-01T00:00:00") + minutes.astype("timedelta64[m]")
    used_c, used_i = np.unique(cc), np.unique(ic)  # from_arrays keeps only the ids in use
    codes_c, codes_i = np.searchsorted(used_c, cc), np.searchsorted(used_i, ic)
    expected = TransactionLog.from_arrays(customer=cust[cc], timestamp=ts, amount=amt, item=items[ic])
    actual = TransactionLog.from_codes(
        customer_codes=codes_c,
        customer_ids=cust[used_c],
        timestamp=ts,
        amount=amt,
        item_codes=codes_i,
        item_ids=items[used_i],
    )
    _same(expected, actual)
