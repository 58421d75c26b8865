"""Tests of recommendations on Dask against one machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from distcrm.data import TransactionLog
from distcrm.errors import ValidationError
from distcrm.recommend import AssociationRules, EASERecommender, ItemKNNRecommender
from distcrm.scale import CustomerRecommendations, recommend_customers


@pytest.mark.parametrize("source", ["parts", "hashed"])
def test_ease_equals_single_machine(
    client: Any, log: TransactionLog, source: str, request: pytest.FixtureRequest
) -> None:
    """EASE fitted on gathered pairs has the same weights; per-partition top-k equals one machine."""
    expected_model = EASERecommender(regularization=5.0).fit(log)
    expected = expected_model.recommend(log.customer_ids, 5).to_frame()
    res = recommend_customers(
        request.getfixturevalue(source), EASERecommender(regularization=5.0), k=5, client=client
    )
    assert isinstance(res, CustomerRecommendations)
    np.testing.assert_array_equal(expected_model.weights_, res.recommender.weights_)
    actual = res.recommendations.compute()
    actual = actual.sort_values(["customer_id", "rank"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(expected.astype(actual.dtypes.to_dict()), actual, check_exact=True)


def test_item_knn_to_parquet(client: Any, parts: Path, log: TransactionLog, tmp_path: Path) -> None:
    """Another item-based recommender, written to Parquet, matches one machine too."""
    expected = ItemKNNRecommender().fit(log).recommend(log.customer_ids, 3).to_frame()
    res = recommend_customers(parts, ItemKNNRecommender(), k=3, client=client, output=tmp_path / "rec")
    assert res.recommendations is None
    actual = pd.read_parquet(res.path).reset_index(drop=True)
    assert expected["item_id"].tolist() == actual["item_id"].tolist()
    np.testing.assert_array_equal(expected["score"].to_numpy(), actual["score"].to_numpy())


def test_basket_model_rejected(parts: Path) -> None:
    """Basket models need whole orders across partitions and are refused by name."""
    with pytest.raises(ValidationError) as err:
        recommend_customers(parts, AssociationRules())
    assert "$.recommender" == err.value.errors[0].path
