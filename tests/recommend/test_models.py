"""Tests of the recommenders: worked examples, the estimator contract and Online Retail quality."""

from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm._estimator import clone
from distcrm.errors import DataQualityWarning, NotFittedError, NotFoundError, ValidationError
from distcrm.recommend import (
    AssociationRules,
    EASERecommender,
    ItemKNNRecommender,
    PopularityRecommender,
    bm25_weight,
    compare,
    evaluate,
    interaction_matrix,
)

ALL = [PopularityRecommender, ItemKNNRecommender, EASERecommender, AssociationRules]

# 4 customers, 4 items; every basket is one order per customer
CUST = [0, 0, 1, 1, 1, 2, 2, 3]
ITEM = [0, 1, 0, 1, 2, 0, 1, 3]
ORDER = [0, 0, 1, 1, 1, 2, 2, 3]
IDS = np.array(["tea", "mug", "lid", "jam"], dtype=object)


def _fit(cls: type, **kw: Any) -> Any:
    return cls(**kw).fit_arrays(
        CUST, ITEM, item_ids=IDS, customer_ids=["a", "b", "c", "d"], order_index=ORDER
    )


@pytest.mark.parametrize("cls", ALL)
def test_not_fitted_raises(cls: type) -> None:
    """recommend and similar_items before fit raise NotFittedError."""
    with pytest.raises(NotFittedError):
        cls().recommend(["a"])
    with pytest.raises(NotFittedError):
        cls().similar_items("tea")


@pytest.mark.parametrize("cls", ALL)
def test_exclude_seen_never_returns_bought_items(cls: type) -> None:
    """With exclude_seen the recommendations hold no item the customer bought."""
    m = _fit(cls)
    recs = m.recommend(["a", "b", "c", "d"], k=4)
    assert set() == set(recs["a"]) & {"tea", "mug"}
    assert set() == set(recs["b"]) & {"tea", "mug", "lid"}
    assert ["a", "b", "c", "d"] == list(recs)


@pytest.mark.parametrize("cls", ALL)
def test_builtins_satisfy_the_recommender_protocol(cls: type) -> None:
    """Every built-in recommender is a Recommender (fit, recommend, similar_items)."""
    from distcrm.recommend import Recommender

    assert isinstance(cls(), Recommender)


@pytest.mark.parametrize("cls", ALL)
def test_params_round_trip_and_clone(cls: type) -> None:
    """get_params/set_params/clone follow the estimator contract."""
    m = cls()
    c = clone(m)
    assert m.get_params() == c.get_params()
    assert type(m) is type(c)


def test_popularity_orders_by_customers_who_bought() -> None:
    """Popularity ranks items by the number of buying customers (ties: fixed order)."""
    m = _fit(PopularityRecommender)
    assert ["tea", "mug", "lid", "jam"] == m.recommend("d", k=4, exclude_seen=False)["d"]
    assert ["tea", "mug", "lid"] == m.recommend("d", k=4)["d"]


def test_ease_matches_closed_form() -> None:
    """EASE weights equal I - P diag(1/diag P) with P = (XᵀX + λI)⁻¹, zero diagonal."""
    m = _fit(EASERecommender, regularization=2.0)
    X = interaction_matrix(CUST, ITEM, None, 4, 4).toarray()
    P = np.linalg.inv(X.T @ X + 2.0 * np.eye(4))
    B = np.eye(4) - P / np.diag(P)
    np.testing.assert_allclose(B, m.weights_, atol=1e-6)
    assert "lid" == m.recommend("a", k=1)["a"][0]


def test_cosine_similarity_worked_example() -> None:
    """Item-kNN cosine of tea and mug (bought by a, b, c each) is 1; tea and lid 1/√3."""
    m = _fit(ItemKNNRecommender)
    sims = dict(m.similar_items("tea", k=3))
    assert pytest.approx(1.0) == sims["mug"]
    assert pytest.approx(1 / np.sqrt(3)) == sims["lid"]
    assert "jam" not in sims


def test_bm25_weight_matches_formula() -> None:
    """BM25 weights follow x(k1+1)/(k1·L+x)·idf entry by entry."""
    import scipy.sparse as sp

    X = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 3.0]])
    W = bm25_weight(sp.csr_matrix(X), k1=1.2, b=0.75).toarray()
    lengths = X.sum(1)
    L = 0.25 + 0.75 * lengths / lengths.mean()
    idf = np.log(3) - np.log1p((X > 0).sum(0))
    expected = np.where(X > 0, X * 2.2 / (1.2 * L[:, None] + X) * idf[None, :], 0.0)
    np.testing.assert_allclose(expected, W)


def test_bm25_knn_recommends_co_bought_item() -> None:
    """BM25 item-kNN recommends lid to customer a (lid co-bought with tea and mug)."""
    m = _fit(ItemKNNRecommender, weighting="bm25")
    assert "lid" == m.recommend("a", k=1)["a"][0]


def test_association_rules_support_confidence_lift() -> None:
    """Rule lid → tea: support 1/4, confidence 1, lift 1/(3/4)."""
    m = _fit(AssociationRules, min_count=1)
    t = m.rules()
    row = next(r for r in t.rows() if r["antecedent"] == "lid" and r["consequent"] == "tea")
    assert pytest.approx(0.25) == row["support"]
    assert pytest.approx(1.0) == row["confidence"]
    assert pytest.approx(4 / 3) == row["lift"]
    bt = m.bought_together("tea", by="confidence")
    assert ["mug", "lid"] == bt["consequent"].tolist()


def test_association_rules_need_orders() -> None:
    """AssociationRules without order_index raises a ValidationError naming it."""
    with pytest.raises(ValidationError) as exc:
        AssociationRules().fit_arrays(CUST, ITEM)
    assert "$.order_index" == exc.value.field


def test_unknown_customer_gets_popular_items_with_warning() -> None:
    """An unseen customer gets the popular items and a DataQualityWarning."""
    m = _fit(EASERecommender)
    with pytest.warns(DataQualityWarning):
        recs = m.recommend(["zz"], k=2)
    assert ["tea", "mug"] == recs["zz"]


def test_unknown_item_and_bad_k() -> None:
    """similar_items of an unknown item raises NotFoundError; k=0 raises ValidationError."""
    m = _fit(ItemKNNRecommender)
    with pytest.raises(NotFoundError):
        m.similar_items("nope")
    with pytest.raises(ValidationError):
        m.recommend(["a"], k=0)


def test_bad_hyper_parameters_raise_on_fit() -> None:
    """Bad hyper-parameters are reported at fit, naming the parameter."""
    with pytest.raises(ValidationError) as e1:
        _fit(EASERecommender, regularization=-1)
    assert "$.regularization" == e1.value.field
    with pytest.raises(ValidationError) as e2:
        _fit(ItemKNNRecommender, weighting="jaccard")
    assert "$.weighting" == e2.value.field


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 9)), min_size=1, max_size=60),
    st.integers(1, 12),
    st.sampled_from(ALL),
)
def test_recommendations_are_unique_unseen_and_at_most_k(
    pairs: list[tuple[int, int]], k: int, cls: type
) -> None:
    """Every list has at most k distinct items, none already bought."""
    c = [p[0] for p in pairs]
    i = [p[1] for p in pairs]
    m = cls().fit_arrays(c, i, n_customers=8, n_items=10, order_index=c)
    recs = m.recommend(list(range(8)), k=k)
    for cust in range(8):
        items = recs[cust]
        bought = {ii for cc, ii in pairs if cc == cust}
        assert len(items) <= k
        assert len(items) == len(set(items))
        assert set() == set(items) & bought
        assert min(k, 10 - len(bought)) == len(items)


def test_evaluate_on_toy_split() -> None:
    """evaluate counts a hit when the recommended new item is bought after the split."""
    log = SimpleNamespace(
        customer=np.array([0, 0, 1, 1, 1, 2, 2]),
        item=np.array([0, 1, 0, 1, 2, 0, 2]),
        order=np.array([0, 0, 1, 1, 1, 2, 3]),
        timestamp=np.array(["2024-01-01"] * 6 + ["2024-03-01"], dtype="datetime64[s]"),
        customer_ids=np.array(["a", "b", "c"], dtype=object),
        item_ids=np.array(["x", "y", "z"], dtype=object),
    )
    r1 = evaluate(PopularityRecommender(), log, split="2024-02-01", k=1)
    assert 1 == r1.n_users  # only c buys after the split (z, new to c)
    assert 0.0 == r1.hit_rate  # c's top-1 unseen popular item is y
    r2 = evaluate(PopularityRecommender(), log, split="2024-02-01", k=2)
    assert (1.0, 1.0, 0.5) == (r2.hit_rate, r2.recall, r2.map)


@pytest.mark.slow
def test_online_retail_ease_beats_popularity_by_1_8(retail_log: Any) -> None:
    """On Online Retail (split 2011-11-09, new items) EASE hit-rate@10 ≥ 1.8× popularity."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        table = compare(
            {"popularity": PopularityRecommender(), "ease": EASERecommender()},
            retail_log,
            split="2011-11-09",
            k=10,
        )
    ease = table.lookup(model="ease")
    assert ease["vs_baseline"] >= 1.8
    assert 600 < ease["n_users"] < 700
