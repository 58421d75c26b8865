"""Recommendations: what each customer is likely to buy next, and what sells together.

Every recommender is an estimator fitted on a ``TransactionLog`` (or on parallel index
arrays through ``fit_arrays``); ``recommend(customer_ids, k)`` returns the top items per
customer and ``similar_items(item, k)`` the neighbours of an item. :func:`evaluate`
scores a recommender on a time split (hit-rate, recall and MAP at k).

>>> from distcrm.recommend import EASERecommender
>>> EASERecommender().regularization
50.0
"""

from distcrm.recommend._base import Recommendations, Recommender, interaction_matrix
from distcrm.recommend._ease import EASERecommender
from distcrm.recommend._evaluate import EvaluationResult, compare, evaluate, ranking_metrics
from distcrm.recommend._knn import ItemKNNRecommender, bm25_weight
from distcrm.recommend._popularity import PopularityRecommender
from distcrm.recommend._rules import AssociationRules

__all__ = [
    "AssociationRules",
    "EASERecommender",
    "EvaluationResult",
    "ItemKNNRecommender",
    "PopularityRecommender",
    "Recommendations",
    "Recommender",
    "bm25_weight",
    "compare",
    "evaluate",
    "interaction_matrix",
    "ranking_metrics",
]
