"""k-means segmenter, ABC tiers and profitability."""

from __future__ import annotations

import numpy as np
import pytest

from distcrm.errors import NotFittedError, ValidationError
from distcrm.segmentation import KMeansSegmenter, abc_analysis, customer_profitability


def blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.r_[
        rng.lognormal([1, 0.5, 2], 0.15, (60, 3)),
        rng.lognormal([4, 2.5, 6], 0.15, (40, 3)),
        rng.lognormal([2, 3.5, 3], 0.15, (30, 3)),
    ]


@pytest.mark.parametrize("criterion", ["silhouette", "gap"])
def test_auto_k_finds_three_blobs(criterion: str) -> None:
    """Automatic k by silhouette or gap recovers three well-separated groups."""
    seg = KMeansSegmenter(criterion=criterion, k_range=(2, 3, 4, 5), n_init=3, random_state=1).fit(blobs())
    assert 3 == seg.n_clusters_
    assert [60, 40, 30] == seg.profile_.sizes.tolist()


def test_seed_makes_fit_reproducible_and_labels_are_words() -> None:
    """Same seed, same clusters; every profile has a plain-language label."""
    a = KMeansSegmenter(3, random_state=5).fit(blobs())
    b = KMeansSegmenter(3, random_state=5).fit(blobs())
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert all(lab.endswith("customers") for lab in a.profile_.labels)
    np.testing.assert_array_equal(a.labels_, a.predict(blobs()))


def test_kmeans_rejects_negative_and_requires_fit() -> None:
    """Negative features raise naming the cell; predict before fit raises."""
    with pytest.raises(ValidationError):
        KMeansSegmenter(2).fit([[1.0, -1.0, 2.0], [1.0, 1.0, 1.0]])
    with pytest.raises(NotFittedError):
        KMeansSegmenter(2).predict(blobs())


def test_abc_shares() -> None:
    """A holds the customers that start before 80 % of the value; shares add up to 1."""
    r = abc_analysis([700, 100, 80, 50, 40, 30], customer_ids=list("abcdef"))
    assert ["A", "A", "B", "B", "B", "C"] == r.tier.tolist()
    s = r.summary()
    assert 1.0 == pytest.approx(sum(v["value_share"] for v in s.values()))


def test_profitability_allocates_delivery_cost() -> None:
    """Delivery cost is shared by deliveries; profit subtracts every cost."""
    r = customer_profitability(
        [100.0, 50.0],
        cogs=[60, 30],
        delivery_cost=20.0,
        deliveries=[3, 1],
        discounts=[5, 0],
        loyalty_cost=1.0,
        customer_ids=["a", "b"],
    )
    assert [19.0, 14.0] == r.profit.tolist()
    assert [15.0, 5.0] == r.delivery_cost.tolist()
    with pytest.raises(ValidationError):
        customer_profitability([1.0], cogs=[-1.0])
