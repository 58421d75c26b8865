"""Tests of the sales KPIs and cohort retention against hand-worked examples."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

from distcrm.data import TransactionLog
from distcrm.errors import ValidationError
from distcrm.kpi import cohort_retention, sales_kpis

matplotlib.use("Agg")


def _log() -> TransactionLog:
    # a: orders o1 (Jan, 2 lines), o3 (Feb); b: o2 (Jan); c: o4 (Feb), o5 (Feb)
    return TransactionLog.from_arrays(
        customer=["a", "a", "b", "a", "c", "c"],
        timestamp=["2024-01-03", "2024-01-03", "2024-01-10", "2024-02-02", "2024-02-05", "2024-02-20"],
        amount=[10.0, 5.0, 20.0, 30.0, 8.0, 12.0],
        order=["o1", "o1", "o2", "o3", "o4", "o5"],
        item=["x", "y", "x", "x", "y", "y"],
    )


def test_monthly_sales_worked_example() -> None:
    """Revenue, orders, customers, AOV and repeat rate per month match the hand count."""
    t = sales_kpis(_log())
    assert ["2024-01", "2024-02"] == t["period"].tolist()
    assert [35.0, 50.0] == t["revenue"].tolist()
    assert [2.0, 3.0] == t["orders"].tolist()
    assert [2.0, 2.0] == t["customers"].tolist()
    assert [17.5, 50.0 / 3] == pytest.approx(t["aov"].tolist())
    # Jan: nobody has two orders yet; Feb: a (returning) and c (twice in Feb)
    assert [0.0, 1.0] == t["repeat_rate"].tolist()


def test_whole_log_repeat_rate_is_share_with_two_orders() -> None:
    """With freq=None the repeat rate is the share of customers with more than one order."""
    t = sales_kpis(_log(), freq=None)
    assert pytest.approx(2 / 3) == t["repeat_rate"][0]
    assert 85.0 == t["revenue"][0]


def test_segment_mapping_splits_groups() -> None:
    """A mapping customer → segment adds a segment key; missing customers are '(none)'."""
    t = sales_kpis(_log(), freq=None, segment={"a": "gold", "b": "silver"})
    assert ["(none)", "gold", "silver"] == t["segment"].tolist()
    assert [20.0, 45.0, 20.0] == t["revenue"].tolist()
    assert {"revenue": 45.0} == {"revenue": t.lookup(segment="gold")["revenue"]}


def test_territory_per_row_and_frame() -> None:
    """Per-row territories (in the log's row order) group rows; to_frame indexes by both keys."""
    log = _log()
    per_row = np.where(log.customer_ids[log.customer] == "a", "N", "S")
    df = sales_kpis(log, territory=per_row).to_frame()
    assert ["period", "territory"] == list(df.index.names)
    assert 30.0 == df.loc[("2024-02", "N"), "revenue"]
    assert 20.0 == df.loc[("2024-02", "S"), "revenue"]


def test_bad_freq_and_label_length() -> None:
    """An unknown freq or a label array of the wrong length raises ValidationError."""
    with pytest.raises(ValidationError) as e:
        sales_kpis(_log(), freq="Q")
    assert "$.freq" == e.value.field
    with pytest.raises(ValidationError):
        sales_kpis(_log(), segment=["x", "y"])


def test_cohort_retention_worked_example() -> None:
    """Jan cohort (a, b): 50 % buy in Feb; Feb cohort (c): 100 % at k=0, NaN beyond the log."""
    r = cohort_retention(_log())
    assert ["2024-01", "2024-02"] == r.cohorts.tolist()
    assert [2, 1] == r.sizes.tolist()
    assert [1.0, 0.5] == r.retention[0].tolist()
    assert 1.0 == r.retention[1, 0]
    assert np.isnan(r.retention[1, 1])
    assert [0.0, 0.5] == r.churn[0].tolist()


def test_cohort_plot_and_frame() -> None:
    """The cohort heatmap draws on an Agg axis and the frame has a size column."""
    r = cohort_retention(_log())
    ax = r.plot()
    assert "retention by cohort" == ax.get_title()
    assert [2, 1] == r.to_frame()["size"].tolist()


def test_kpi_table_plot_draws_lines() -> None:
    """KPITable.plot draws one line per territory."""
    t = sales_kpis(_log(), territory={"a": "N", "b": "S", "c": "S"})
    ax = t.plot("revenue")
    assert 2 == len(ax.get_lines())


def test_rows_without_order_ids_count_one_order_per_instant() -> None:
    """Lines without an order id form one order per customer and timestamp."""
    log = SimpleNamespace(
        customer=np.array([0, 0, 0]),
        order=np.array([-1, -1, -1]),
        amount=np.array([1.0, 2.0, 3.0]),
        customer_ids=np.array(["a"]),
        timestamp=np.array(["2024-01-01", "2024-01-01", "2024-01-02"], dtype="datetime64[s]"),
    )
    assert [2.0] == sales_kpis(log)["orders"].tolist()
