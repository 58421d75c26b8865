"""``ItemKNNRecommender``: item-to-item neighbours by cosine or BM25-weighted co-purchase."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from distcrm.errors import ValidationError
from distcrm.recommend._base import BaseRecommender, FloatArray

__all__ = ["ItemKNNRecommender", "bm25_weight"]

_WEIGHTINGS = ("cosine", "bm25")


def bm25_weight(X: sp.csr_matrix, k1: float = 100.0, b: float = 0.8) -> sp.csr_matrix:
    """Okapi BM25 weights of a rows × columns count matrix (rows are the "documents").

    Each entry becomes ``x (k1 + 1) / (k1 L_r + x) · idf_c`` with the length norm
    ``L_r = 1 - b + b · len_r / mean(len)`` and ``idf_c = log(n_rows) - log1p(df_c)``, the
    weighting of the ``implicit`` library's ``bm25_weight``.

    Examples
    --------
    >>> W = bm25_weight(sp.csr_matrix(np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])))
    >>> W.shape
    (3, 2)
    """
    C = sp.coo_matrix(X, dtype=np.float64)
    n_rows = C.shape[0]
    idf = np.log(float(n_rows)) - np.log1p(np.bincount(C.col, minlength=C.shape[1]).astype(np.float64))
    row_sums = np.asarray(C.sum(axis=1)).ravel()
    avg = row_sums.mean() if row_sums.size and row_sums.mean() > 0 else 1.0
    length_norm = (1.0 - b) + b * row_sums / avg
    data = C.data * (k1 + 1.0) / (k1 * length_norm[C.row] + C.data) * idf[C.col]
    return sp.csr_matrix((data, (C.row, C.col)), shape=C.shape)


class ItemKNNRecommender(BaseRecommender):
    """Item-based collaborative filtering with ``n_neighbors`` neighbours per item.

    A customer's score for item ``j`` is the sum of the similarities between ``j`` and
    the items they bought, each item keeping only its ``n_neighbors`` most similar.

    Parameters
    ----------
    n_neighbors
        Neighbours kept per item.
    weighting
        ``"cosine"``: cosine of the binary customer columns, with ``shrinkage`` added to
        the denominator (damps pairs with little support). ``"bm25"``: dot products of
        BM25-weighted item rows (items as documents, customers as terms), as
        ``implicit.nearest_neighbours.BM25Recommender``.
    shrinkage
        Cosine denominator shrinkage (0 for plain cosine).
    k1, b
        BM25 parameters.

    Examples
    --------
    >>> m = ItemKNNRecommender(n_neighbors=5).fit_arrays([0, 0, 1, 1, 2], [0, 1, 0, 1, 0])
    >>> m.recommend([2], k=1)[2]
    [1]
    """

    def __init__(
        self,
        n_neighbors: int = 100,
        weighting: str = "cosine",
        shrinkage: float = 0.0,
        k1: float = 100.0,
        b: float = 0.8,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.weighting = weighting
        self.shrinkage = shrinkage
        self.k1 = k1
        self.b = b

    def _check_params(self) -> None:
        if self.weighting not in _WEIGHTINGS:
            raise ValidationError.single("weighting", self.weighting, f"must be one of {_WEIGHTINGS}")
        if not isinstance(self.n_neighbors, (int, np.integer)) or self.n_neighbors < 1:
            raise ValidationError.single("n_neighbors", self.n_neighbors, "must be a positive integer")
        if not self.shrinkage >= 0:
            raise ValidationError.single("shrinkage", self.shrinkage, "must be >= 0")
        if not (self.k1 > 0 and 0 <= self.b <= 1):
            raise ValidationError.single("k1", (self.k1, self.b), "need k1 > 0 and 0 <= b <= 1")

    def _fit_matrix(self, X: sp.csr_matrix, baskets: sp.csr_matrix | None) -> None:
        self._check_params()
        if self.weighting == "cosine":
            G = (X.T @ X).toarray()
            norms = np.sqrt(np.diag(G).copy())
            S = G / (np.outer(norms, norms) + self.shrinkage + 1e-12)
        else:
            W = bm25_weight(X.T.tocsr(), self.k1, self.b)
            S = (W @ W.T).toarray()
        np.fill_diagonal(S, 0.0)
        self.similarity_ = _keep_top_per_column(S, int(self.n_neighbors))

    def _scores(self, rows: sp.csr_matrix) -> FloatArray:
        return np.asarray((rows @ self.similarity_).toarray(), dtype=np.float64)

    def _item_scores(self, i: int) -> FloatArray:
        return np.asarray(self.similarity_[i].toarray(), dtype=np.float64).ravel()


def _keep_top_per_column(S: npt.NDArray[np.float64], k: int) -> sp.csr_matrix:
    """``S`` with all but the ``k`` largest positive entries of each column set to zero."""
    n = S.shape[0]
    if k < n:
        idx = np.argpartition(-S, k - 1, axis=0)[:k]
        cols = np.broadcast_to(np.arange(n), idx.shape)
        vals = S[idx, cols]
        keep = vals > 0
        return sp.csr_matrix((vals[keep], (idx[keep], cols[keep])), shape=S.shape)
    S = np.where(S > 0, S, 0.0)
    return sp.csr_matrix(S)
