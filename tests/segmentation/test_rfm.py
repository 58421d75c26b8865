"""RFM scores, segments and transitions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.data import CustomerSummary
from distcrm.errors import ValidationError
from distcrm.segmentation import RFM, SEGMENTS, RFMData


def test_quantile_scores_split_ties_by_customer_id() -> None:
    """Equal values are ranked by customer id, so scores are deterministic and bins equal-sized."""
    d = RFMData.from_arrays(
        recency=[5] * 10, frequency=[1] * 10, monetary=[10] * 10, customer_ids=list("jihgfedcba")
    )
    res = RFM().score(d)
    assert [5, 5, 4, 4, 3, 3, 2, 2, 1, 1] == res.f.tolist()


def test_threshold_scoring_uses_cut_points() -> None:
    """Fixed thresholds: values equal to a cut go up; recency is reversed."""
    th = {"recency": [7, 30, 90, 180], "frequency": [1, 2, 5, 10], "monetary": [50, 100, 500, 1000]}
    d = RFMData.from_arrays(recency=[3, 200, 30], frequency=[12, 1, 2], monetary=[2000, 10, 100])
    res = RFM(method="thresholds", thresholds=th).score(d)
    assert [5, 1, 3] == res.r.tolist()
    assert [5, 2, 3] == res.f.tolist()
    assert ["Champions", "Hibernating", "Need attention"] == res.segment.tolist()


def test_bad_thresholds_and_empty_data_raise() -> None:
    """Thresholds must have n_bins-1 increasing cuts; negative values name the customer."""
    with pytest.raises(ValidationError) as err:
        RFM(method="thresholds", thresholds={"recency": [1, 2]}).score(
            RFMData.from_arrays(recency=[1], frequency=[1], monetary=[1])
        )
    assert "$.thresholds.recency" == err.value.field
    with pytest.raises(ValidationError) as err2:
        RFMData.from_arrays(recency=[1, -2], frequency=[1, 1], monetary=[1, 1], customer_ids=["a", "b"])
    assert "b" in err2.value.field


def test_from_summary_and_transition_matrix() -> None:
    """RFM works from a CustomerSummary, and the transition matrix counts customers present at both dates."""
    s1 = CustomerSummary.from_arrays(
        frequency=[0, 3, 8, 1],
        recency=[0, 20, 30, 5],
        T=[31, 31, 31, 31],
        monetary_value=[np.nan, 20, 50, 10],
        customer_ids=list("abcd"),
    )
    s2 = CustomerSummary.from_arrays(
        frequency=[1, 3, 9, 1, 0],
        recency=[40, 20, 40, 5, 0],
        T=[41, 41, 41, 41, 2],
        monetary_value=[15, 20, 50, 10, np.nan],
        customer_ids=list("abcde"),
    )
    r1, r2 = RFM().score(s1), RFM().score(s2)
    tr = r1.transition(r2)
    assert 4 == tr.counts.sum()
    assert 1 == tr.new.sum()
    assert (len(SEGMENTS), len(SEGMENTS)) == tr.to_frame().shape


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 400), st.integers(1, 50), st.floats(0, 1e4)), min_size=1, max_size=60))
def test_scores_are_in_range_and_monotone(rows: list[tuple[float, int, float]]) -> None:
    """Scores lie in 1..5 and a strictly larger monetary value never scores lower."""
    r, f, m = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    res = RFM().score(RFMData.from_arrays(recency=r, frequency=f, monetary=m))
    for sc in (res.r, res.f, res.m):
        assert sc.min() >= 1
        assert sc.max() <= 5
    i, j = np.argmax(m), np.argmin(m)
    if m[i] > m[j]:
        assert res.m[i] >= res.m[j]
    assert sum(res.segment_sizes().values()) == len(rows)


def test_rfm_result_frame_html_and_plots() -> None:
    """The result has to_frame, an HTML table, a heatmap and a segment-size chart."""
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(0)
    d = RFMData.from_arrays(
        recency=rng.uniform(0, 300, 200),
        frequency=rng.integers(1, 20, 200),
        monetary=rng.lognormal(4, 1, 200),
    )
    res = RFM().score(d)
    assert ["recency", "frequency", "monetary", "r", "f", "m", "segment"] == list(res.to_frame().columns)
    assert "<table>" in res._repr_html_()
    assert 200 == res.heatmap().sum()
    assert res.plot() is not None
    assert res.plot_segments() is not None


def test_from_log_counts_orders_days_and_respects_as_of() -> None:
    """From a log: distinct orders or purchase days per customer, total amount, days since the last purchase."""
    from distcrm.data import TransactionLog

    log = TransactionLog.from_arrays(
        customer=["b", "a", "a", "a", "b", "c"],
        timestamp=[
            "2024-01-01T09:00",
            "2024-01-02T09:00",
            "2024-01-02T10:00",
            "2024-01-05T09:00",
            "2024-01-03T12:00",
            "2024-01-09T00:00",
        ],
        order=["o1", "o2", "o3", "o3", "o4", "o5"],
        amount=[10.0, 5.0, 7.0, 3.0, 20.0, 1.0],
    )
    d = RFMData.from_log(log)
    assert ["a", "b", "c"] == d.customer_ids.tolist()
    assert [2.0, 2.0, 1.0] == d.frequency.tolist()
    assert [15.0, 30.0, 1.0] == d.monetary.tolist()
    assert [3.625, 5.5, 0.0] == d.recency.tolist()
    days = RFMData.from_log(log, by="day")
    assert [2.0, 2.0, 1.0] == days.frequency.tolist()
    early = RFMData.from_log(log, as_of="2024-01-02T12:00")
    assert ["a", "b"] == early.customer_ids.tolist()
    assert [2.0, 1.0] == early.frequency.tolist()
    assert [12.0, 10.0] == early.monetary.tolist()
