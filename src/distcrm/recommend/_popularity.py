"""``PopularityRecommender``: the most bought items, the baseline every model must beat."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from distcrm.recommend._base import BaseRecommender, FloatArray

__all__ = ["PopularityRecommender"]


class PopularityRecommender(BaseRecommender):
    """Recommend the items bought by the most customers.

    With ``exclude_seen=True`` (the default of :meth:`recommend`) each customer gets the
    most popular items they have not bought yet — the fair baseline for new-item
    recommendation.

    Examples
    --------
    >>> m = PopularityRecommender().fit_arrays([0, 1, 1, 2], [0, 0, 1, 0], item_ids=["tea", "mug"])
    >>> m.recommend([0], k=2)[0]
    ['mug']
    >>> m.recommend([0], k=2, exclude_seen=False)[0]
    ['tea', 'mug']
    """

    def __init__(self) -> None:
        pass

    def _fit_matrix(self, X: sp.csr_matrix, baskets: sp.csr_matrix | None) -> None:
        self.scores_ = self.item_popularity_.astype(np.float64)

    def _scores(self, rows: sp.csr_matrix) -> FloatArray:
        return np.broadcast_to(self.scores_, (rows.shape[0], self.scores_.shape[0])).copy()

    def _item_scores(self, i: int) -> FloatArray:
        return self.scores_.copy()
