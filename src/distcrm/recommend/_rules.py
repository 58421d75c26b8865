"""``AssociationRules``: pairwise "bought together" rules with support, confidence and lift."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from distcrm._estimator import check_is_fitted
from distcrm.errors import NotFoundError, ValidationError
from distcrm.kpi._table import Table
from distcrm.recommend._base import BaseRecommender, FloatArray

__all__ = ["AssociationRules"]

_METRICS = ("confidence", "lift", "support")


class AssociationRules(BaseRecommender):
    """Rules ``A → B`` between single items, learned from baskets (orders).

    For ``N`` baskets, ``support(A → B) = n(A ∧ B) / N``, ``confidence = n(A ∧ B) / n(A)``
    and ``lift = confidence / (n(B) / N)`` (Agrawal, Imieliński & Swami 1993; Brin et al.
    1997). Rules below ``min_support``, ``min_confidence`` or ``min_lift`` (or with fewer
    than ``min_count`` baskets) are dropped. All pairs are counted at once from the sparse
    basket matrix (``BᵀB``), not by enumerating itemsets.

    As a recommender, a customer's score for ``B`` is the sum over the items ``A`` they
    bought of the confidence of ``A → B``; :meth:`similar_items` ranks by confidence and
    :meth:`bought_together` by any metric.

    Examples
    --------
    >>> orders = [0, 0, 1, 1, 2, 2, 3]
    >>> items = ["bread", "butter", "bread", "butter", "bread", "jam", "jam"]
    >>> ids, idx = np.unique(items, return_inverse=True)
    >>> m = AssociationRules(min_support=0.2).fit_arrays(
    ...     [0, 0, 1, 1, 2, 2, 3], idx, item_ids=ids, order_index=orders)
    >>> r = m.rules(sort_by="confidence")
    >>> r.row(0)["antecedent"], r.row(0)["consequent"], r.row(0)["confidence"]
    ('butter', 'bread', 1.0)
    """

    _needs_baskets = True

    def __init__(
        self,
        min_support: float = 0.001,
        min_confidence: float = 0.0,
        min_lift: float = 0.0,
        min_count: int = 2,
    ) -> None:
        self.min_support = min_support
        self.min_confidence = min_confidence
        self.min_lift = min_lift
        self.min_count = min_count

    def _fit_matrix(self, X: sp.csr_matrix, baskets: sp.csr_matrix | None) -> None:
        for name in ("min_support", "min_confidence"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ValidationError.single(name, v, "must lie in [0, 1]")
        if not self.min_lift >= 0:
            raise ValidationError.single("min_lift", self.min_lift, "must be >= 0")
        if not isinstance(self.min_count, (int, np.integer)) or self.min_count < 1:
            raise ValidationError.single("min_count", self.min_count, "must be a positive integer")
        assert baskets is not None
        n = baskets.shape[0]
        C = sp.csr_matrix(baskets.T @ baskets)
        counts = C.diagonal().astype(np.float64)
        C.setdiag(0)
        C.eliminate_zeros()
        Co = C.tocoo()
        a, b, nab = Co.row, Co.col, Co.data.astype(np.float64)
        support = nab / n
        confidence = nab / counts[a]
        lift = confidence / (counts[b] / n)
        keep = (
            (nab >= self.min_count)
            & (support >= self.min_support)
            & (confidence >= self.min_confidence)
            & (lift >= self.min_lift)
        )
        self.n_baskets_ = n
        self.item_support_ = counts / n
        self._a, self._b = a[keep].astype(np.int64), b[keep].astype(np.int64)
        self._sup, self._conf, self._lift, self._n = support[keep], confidence[keep], lift[keep], nab[keep]
        shape = (X.shape[1], X.shape[1])
        self.confidence_ = sp.csr_matrix((self._conf, (self._a, self._b)), shape=shape)
        self.lift_ = sp.csr_matrix((self._lift, (self._a, self._b)), shape=shape)

    def rules(self, *, sort_by: str = "lift", top: int | None = None) -> Table:
        """Every kept rule, best first by ``sort_by`` (``"lift"``, ``"confidence"``, ``"support"``)."""
        check_is_fitted(self, "confidence_", "rules")
        if sort_by not in _METRICS:
            raise ValidationError.single("sort_by", sort_by, f"must be one of {_METRICS}")
        key = {"lift": self._lift, "confidence": self._conf, "support": self._sup}[sort_by]
        order = np.lexsort((self._b, self._a, -key))
        if top is not None:
            order = order[:top]
        return Table(
            {
                "antecedent": self.item_ids_[self._a[order]],
                "consequent": self.item_ids_[self._b[order]],
                "count": self._n[order].astype(np.int64),
                "support": self._sup[order],
                "confidence": self._conf[order],
                "lift": self._lift[order],
            },
            title=f"association rules ({len(order)})",
        )

    def bought_together(self, item: Any, k: int = 10, *, by: str = "confidence") -> Table:
        """The rules ``item → B``, best ``k`` by ``by``."""
        check_is_fitted(self, "confidence_", "bought_together")
        if item not in self._item_pos:
            raise NotFoundError("item", item)
        if by not in _METRICS:
            raise ValidationError.single("by", by, f"must be one of {_METRICS}")
        i = self._item_pos[item]
        sel = np.flatnonzero(self._a == i)
        key = {"lift": self._lift, "confidence": self._conf, "support": self._sup}[by][sel]
        sel = sel[np.lexsort((self._b[sel], -key))][:k]
        return Table(
            {
                "consequent": self.item_ids_[self._b[sel]],
                "count": self._n[sel].astype(np.int64),
                "support": self._sup[sel],
                "confidence": self._conf[sel],
                "lift": self._lift[sel],
            },
            title=f"bought together with {item!r}",
        )

    def _scores(self, rows: sp.csr_matrix) -> FloatArray:
        return np.asarray((rows @ self.confidence_).toarray(), dtype=np.float64)

    def _item_scores(self, i: int) -> FloatArray:
        s = np.asarray(self.confidence_[i].toarray(), dtype=np.float64).ravel()
        s[s == 0] = -np.inf
        return s
