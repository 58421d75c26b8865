"""Customer level: the inter-purchase hazard, who_orders (hazard and purchase models) and baskets."""

from __future__ import annotations

import numpy as np
import pytest

from distcrm.data import CustomerSummary
from distcrm.datasets import load_cdnow_summary
from distcrm.errors import NotFittedError, ValidationError
from distcrm.forecast import (
    BetaGeoModel,
    CustomerBaskets,
    InterPurchaseHazard,
    OrderProbabilities,
    expected_basket,
    who_orders,
)


def _weekly_buyers() -> tuple[list[str], list[float]]:
    rng = np.random.default_rng(3)
    ids: list[str] = []
    days: list[float] = []
    for c in range(30):
        gap = [7.0, 14.0, 30.0][c % 3]
        t = np.cumsum(rng.normal(gap, gap * 0.15, size=10).clip(1.0))
        ids += [f"c{c}"] * t.size
        days += t.tolist()
    return ids, days


def test_probability_grows_with_time_since_last_order() -> None:
    """With a regular ~30-day rhythm, the chance of an order next week rises with the days of silence."""
    rng = np.random.default_rng(7)
    ids: list[str] = []
    days: list[float] = []
    now = 400.0
    for c in range(60):
        gaps = rng.normal(30.0, 3.0, size=9)
        last = now - rng.uniform(0.0, 27.0)  # silent for 0..27 days
        t = last - np.concatenate([[0.0], np.cumsum(gaps)])[::-1]
        ids += [f"c{c}"] * t.size
        days += t.tolist()
    m = InterPurchaseHazard().fit(ids, days, now=now)
    p = m.probability_within(7)
    frac = m.elapsed_ / m.median_gap_
    recent, due = p[frac < 0.3], p[frac > 0.7]
    assert recent.size > 5
    assert due.size > 5
    assert recent.max() < due.min()
    order = np.argsort(frac)
    assert np.corrcoef(np.arange(order.size), np.argsort(np.argsort(p[order])))[0, 1] > 0.9


def test_probability_within_grows_with_window() -> None:
    """A longer window never gives a smaller order probability."""
    ids, days = _weekly_buyers()
    m = InterPurchaseHazard().fit(ids, days, now=max(days) + 3)
    p7, p30 = m.probability_within(7), m.probability_within(30)
    assert (p30 >= p7).all()
    assert ((p7 >= 0) & (p30 <= 1)).all()


def test_who_orders_with_hazard_sorted_and_filtered() -> None:
    """who_orders lists customers most likely first, above min_probability, as arrays."""
    ids, days = _weekly_buyers()
    m = InterPurchaseHazard().fit(ids, days, now=max(days) + 2)
    res = who_orders(m, 7, min_probability=0.2)
    assert isinstance(res, OrderProbabilities)
    assert (np.diff(res.probability) <= 0).all()
    assert (res.probability >= 0.2).all()
    assert len(res) == res.customer_ids.size
    assert "<table>" in res._repr_html_()


def test_who_orders_accepts_purchase_model() -> None:
    """A fitted BG/NBD model (CDNOW) plus its summary: probability = 1 - P(no purchase in the window)."""
    s = load_cdnow_summary()
    bg = BetaGeoModel().fit(s)
    res = who_orders(bg, 14, summary=s)
    expected = 1.0 - bg.probability_of_purchases(0, 2.0, s)  # 14 days = 2 weeks
    assert s.customer_ids.size == len(res)
    pos = {c: i for i, c in enumerate(res.customer_ids.tolist())}
    got = res.probability[[pos[c] for c in s.customer_ids.tolist()]]
    np.testing.assert_allclose(expected, got, rtol=1e-12)
    assert (np.diff(res.probability) <= 0).all()


def test_who_orders_accepts_protocol_duck() -> None:
    """Any object with probability_of_purchases (a BetaGeoModel-like) is accepted."""

    class Fake:
        def probability_of_purchases(self, k: int, t: float, summary: object = None) -> np.ndarray:
            return np.array([0.9, 0.2, 0.5])

    s = CustomerSummary.from_arrays(
        frequency=[1, 2, 3], recency=[1, 2, 3], T=[4, 4, 4], customer_ids=["x", "y", "z"]
    )
    res = who_orders(Fake(), 7, summary=s)
    assert ["y", "z", "x"] == res.customer_ids.tolist()
    np.testing.assert_allclose([0.8, 0.5, 0.1], res.probability)


def test_who_orders_bad_input() -> None:
    """Bad window, missing summary, a non-model and predict-before-fit raise typed errors."""
    ids, days = _weekly_buyers()
    m = InterPurchaseHazard().fit(ids, days)
    with pytest.raises(ValidationError) as exc:
        who_orders(m, 0)
    assert "$.within_days" == exc.value.field
    with pytest.raises(ValidationError):
        who_orders(BetaGeoModel(), 7)
    with pytest.raises(ValidationError) as exc:
        who_orders(object(), 7)
    assert "$.model" == exc.value.field
    with pytest.raises(NotFittedError):
        InterPurchaseHazard().probability_within(7)


def test_expected_basket() -> None:
    """Expected quantity = total bought / the customer's orders; share = orders containing the item / orders."""
    b = expected_basket(
        ["a", "a", "a", "a", "b"],
        ["x", "y", "x", "x", "x"],
        [2, 1, 4, 1, 3],
        ["o1", "o1", "o2", "o2", "o3"],
    )
    assert isinstance(b, CustomerBaskets)
    assert {"x": 3.5, "y": 0.5} == b.for_customer("a")
    assert {"x": 3.0} == b.for_customer("b")
    assert [1.0, 0.5, 1.0] == b.share_of_orders.tolist()
    with pytest.raises(ValidationError) as exc:
        expected_basket(["a"], ["x"], [-1], ["o"])
    assert "$.quantities[0]" == exc.value.field


def test_results_to_frame() -> None:
    """to_frame gives pandas tables with the same numbers (pandas is optional, installed in dev)."""
    pytest.importorskip("pandas")
    b = expected_basket(["a", "a"], ["x", "y"], [2, 1], ["o1", "o1"])
    df = b.to_frame()
    assert 2.0 == df.loc[("a", "x"), "expected_quantity"]
