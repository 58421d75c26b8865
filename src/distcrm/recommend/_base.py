"""The shared recommender machinery: interaction matrix, scoring, top-k, results."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.errors import DataQualityWarning, NotFoundError, ValidationError

__all__ = ["BaseRecommender", "Recommendations", "Recommender", "interaction_matrix", "log_arrays"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_BATCH = 2048


def interaction_matrix(
    customer_index: Any,
    item_index: Any,
    weights: Any,
    n_customers: int,
    n_items: int,
) -> sp.csr_matrix:
    """The ``(n_customers, n_items)`` CSR matrix of summed ``weights`` (duplicates add up).

    ``weights=None`` gives a binary matrix: 1 where the customer bought the item.

    Examples
    --------
    >>> interaction_matrix([0, 0, 1], [1, 1, 0], None, 2, 2).toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    ci = np.asarray(customer_index)
    ii = np.asarray(item_index)
    if ci.ndim != 1 or ii.ndim != 1 or ci.shape != ii.shape:
        raise ValidationError.single(
            "item_index", (ci.shape, ii.shape), "customer_index and item_index must be 1-D of one length"
        )
    if ci.size and (ci.min() < 0 or ci.max() >= n_customers):
        raise ValidationError.single("customer_index", int(ci.max()), f"must lie in [0, {n_customers})")
    if ii.size and (ii.min() < 0 or ii.max() >= n_items):
        raise ValidationError.single("item_index", int(ii.max()), f"must lie in [0, {n_items})")
    if weights is None:
        data = np.ones(ci.shape[0], dtype=np.float64)
    else:
        data = np.asarray(weights, dtype=np.float64)
        if data.shape != ci.shape:
            raise ValidationError.single("weights", data.shape, f"must have shape {ci.shape}")
        if not np.all(np.isfinite(data)) or (data < 0).any():
            raise ValidationError.single("weights", "negative or non-finite", "must be finite and >= 0")
    m = sp.csr_matrix((data, (ci, ii)), shape=(n_customers, n_items), dtype=np.float64)
    m.sum_duplicates()
    if weights is None:
        m.data[:] = 1.0
    m.eliminate_zeros()
    return m


def log_arrays(log: Any) -> dict[str, Any]:
    """The columns of a ``TransactionLog`` the recommenders use, as plain arrays.

    Reads ``customer``, ``item``, ``order`` (integer codes), ``timestamp``,
    ``customer_ids`` and ``item_ids``; rows without an item (code ``-1``) are left out
    (they cannot be recommended).
    """
    needed = ("customer", "item", "customer_ids", "item_ids")
    missing = [n for n in needed if not isinstance(getattr(log, n, None), np.ndarray)]
    if missing:
        raise ValidationError.single(
            "log", type(log).__name__, f"is not a TransactionLog (missing {', '.join(missing)})"
        )
    item = np.asarray(log.item, dtype=np.int64)
    keep = item >= 0
    if not keep.any():
        raise ValidationError.single("log.item", "all -1", "the log has no item codes to learn from")
    out: dict[str, Any] = {
        "customer_index": np.asarray(log.customer, dtype=np.int64)[keep],
        "item_index": item[keep],
        "customer_ids": log.customer_ids,
        "item_ids": log.item_ids,
    }
    for name, attr in (("timestamp", "timestamp"), ("order_index", "order"), ("quantity", "quantity")):
        v = getattr(log, attr, None)
        out[name] = np.asarray(v)[keep] if isinstance(v, np.ndarray) else None
    return out


@runtime_checkable
class Recommender(Protocol):
    """What every recommender offers: ``fit`` on a ``TransactionLog``, ``recommend``, ``similar_items``.

    ``fit(log)`` returns the fitted recommender; ``recommend(customer_ids, k,
    exclude_seen=True)`` returns a mapping customer id → item ids, best first, at most
    ``k`` each, none already bought when ``exclude_seen``; ``similar_items(item, k)``
    returns ``(item_id, score)`` pairs, best first. :func:`~distcrm.recommend.evaluate`
    additionally needs the :class:`BaseRecommender` array entry points.
    """

    def fit(self, log: Any) -> Any: ...

    def recommend(
        self, customer_ids: Sequence[Any] | Any, k: int = 10, *, exclude_seen: bool = True
    ) -> Mapping[Any, list[Any]]: ...

    def similar_items(self, item: Any, k: int = 10) -> list[tuple[Any, float]]: ...


class Recommendations(Mapping[Any, list[Any]]):
    """Top-``k`` items for each requested customer, best first.

    Behaves as a read-only mapping ``customer_id → [item_id, ...]``; the arrays
    ``item_ids`` and ``scores`` (shape ``(n_customers, k)``) hold the same ranking.
    Rows have fewer than ``k`` items when fewer are eligible (padded with ``None`` and
    ``-inf`` in the arrays).
    """

    __slots__ = ("_pos", "customer_ids", "item_ids", "scores")

    def __init__(
        self, customer_ids: npt.NDArray[Any], item_ids: npt.NDArray[Any], scores: FloatArray
    ) -> None:
        self.customer_ids = customer_ids
        self.item_ids = item_ids
        self.scores = scores
        self._pos = {c: i for i, c in enumerate(customer_ids.tolist())}

    def __getitem__(self, customer_id: Any) -> list[Any]:
        try:
            i = self._pos[customer_id]
        except KeyError:
            raise NotFoundError("customer", customer_id) from None
        return [x for x in self.item_ids[i].tolist() if x is not None]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._pos)

    def __len__(self) -> int:
        return len(self._pos)

    def to_frame(self) -> Any:
        """Long pandas frame: one row per (customer, rank) with item and score."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="Recommendations.to_frame")
        n, k = self.item_ids.shape
        keep = np.array([[x is not None for x in row] for row in self.item_ids], dtype=bool).reshape(n, k)
        return pd.DataFrame(
            {
                "customer_id": np.repeat(self.customer_ids, k)[keep.ravel()],
                "rank": np.tile(np.arange(1, k + 1), n)[keep.ravel()],
                "item_id": self.item_ids.ravel()[keep.ravel()],
                "score": self.scores.ravel()[keep.ravel()],
            }
        )

    def __repr__(self) -> str:
        k = self.item_ids.shape[1] if self.item_ids.ndim == 2 else 0
        return f"<Recommendations: {len(self)} customers, k={k}>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{c}</td><td>{', '.join(map(str, self[c]))}</td></tr>" for c in list(self)[:20]
        )
        return f"<table><thead><tr><th>customer</th><th>items</th></tr></thead><tbody>{rows}</tbody></table>"


def top_k(scores: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
    """Indices and values of the ``k`` largest scores per row, sorted descending.

    Ties break towards the lower item index, so results are deterministic.
    """
    n, m = scores.shape
    k = min(k, m)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0))
    if k < m:
        # exact selection with ties at the k-th value broken towards the lower index
        kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]
        above = scores > kth
        tied = scores == kth
        need = k - above.sum(axis=1, keepdims=True)
        chosen = above | (tied & (np.cumsum(tied, axis=1) <= need))
        part = np.nonzero(chosen)[1].reshape(n, k)
    else:
        part = np.broadcast_to(np.arange(m), (n, m)).copy()
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -vals), axis=1)
    idx = np.take_along_axis(part, order, axis=1).astype(np.int64)
    return idx, np.take_along_axis(vals, order, axis=1)


class BaseRecommender(BaseEstimator):
    """Common ``fit``/``recommend``/``similar_items`` for the item-based recommenders.

    Subclasses implement ``_fit_matrix(X)`` (learning from the binary customer × item
    matrix ``X``, and, for basket models, the order × item matrix) and ``_scores(X_rows)``
    (a dense ``(rows, n_items)`` score block) and ``_item_scores(i)``.
    """

    _needs_baskets = False

    # -- fitting ---------------------------------------------------------------
    def fit(self, log: Any) -> Self:
        """Learn from a ``TransactionLog`` (every customer × item pair bought counts once).

        Returns
        -------
        self
        """
        cols = log_arrays(log)
        return self.fit_arrays(
            cols["customer_index"],
            cols["item_index"],
            n_customers=len(cols["customer_ids"]),
            n_items=len(cols["item_ids"]),
            customer_ids=cols["customer_ids"],
            item_ids=cols["item_ids"],
            order_index=cols["order_index"],
        )

    def fit_arrays(
        self,
        customer_index: Any,
        item_index: Any,
        *,
        n_customers: int | None = None,
        n_items: int | None = None,
        customer_ids: Any = None,
        item_ids: Any = None,
        order_index: Any = None,
    ) -> Self:
        """Learn from parallel integer arrays (one entry per purchase line).

        ``customer_ids`` / ``item_ids`` map the indices to the caller's ids (default:
        the index itself). ``order_index`` groups lines into baskets (used by
        :class:`AssociationRules`; other recommenders ignore it).
        """
        ci = np.asarray(customer_index, dtype=np.int64)
        ii = np.asarray(item_index, dtype=np.int64)
        if ci.size == 0:
            raise ValidationError.single("customer_index", 0, "no purchases to learn from")
        nc = int(ci.max()) + 1 if n_customers is None else int(n_customers)
        ni = int(ii.max()) + 1 if n_items is None else int(n_items)
        cids = (
            np.arange(nc).astype(object) if customer_ids is None else np.asarray(customer_ids, dtype=object)
        )
        iids = np.arange(ni).astype(object) if item_ids is None else np.asarray(item_ids, dtype=object)
        if cids.shape != (nc,):
            raise ValidationError.single("customer_ids", cids.shape, f"must have {nc} entries")
        if iids.shape != (ni,):
            raise ValidationError.single("item_ids", iids.shape, f"must have {ni} entries")
        X = interaction_matrix(ci, ii, None, nc, ni)
        baskets = None
        if self._needs_baskets:
            if order_index is None:
                raise ValidationError.missing("order_index", "is required to learn baskets (bought together)")
            oi = np.asarray(order_index, dtype=np.int64)
            if oi.shape != ii.shape:
                raise ValidationError.single("order_index", oi.shape, f"must have shape {ii.shape}")
            _, oi = np.unique(oi, return_inverse=True)
            baskets = interaction_matrix(oi.reshape(-1), ii, None, int(oi.max()) + 1, ni)
        self.customer_ids_ = cids
        self.item_ids_ = iids
        self._customer_pos = {c: i for i, c in enumerate(cids.tolist())}
        self._item_pos = {c: i for i, c in enumerate(iids.tolist())}
        self.interactions_ = X
        self.item_popularity_ = np.asarray(X.sum(axis=0)).ravel()
        # columns in popularity order: equal scores then rank the more popular item first
        self._pop_order = np.argsort(-self.item_popularity_, kind="stable").astype(np.int64)
        self._fit_matrix(X, baskets)
        return self

    def _fit_matrix(self, X: sp.csr_matrix, baskets: sp.csr_matrix | None) -> None:
        raise NotImplementedError

    def _scores(self, rows: sp.csr_matrix) -> FloatArray:
        raise NotImplementedError

    def _item_scores(self, i: int) -> FloatArray:
        raise NotImplementedError

    # -- predicting ------------------------------------------------------------
    def score_matrix(self, rows: Any) -> FloatArray:
        """Dense scores of every item for the customers at positions ``rows`` (fitted order)."""
        check_is_fitted(self, "interactions_", "score_matrix")
        X = self.interactions_[np.asarray(rows, dtype=np.int64)]
        return self._scores(X)

    def recommend(
        self, customer_ids: Sequence[Any] | Any, k: int = 10, *, exclude_seen: bool = True
    ) -> Recommendations:
        """The ``k`` best items for each customer, best first.

        Parameters
        ----------
        customer_ids
            One id or a sequence of ids. A customer unseen during ``fit`` gets the most
            popular items (a :class:`~distcrm.errors.DataQualityWarning` says how many).
        k
            How many items per customer.
        exclude_seen
            Leave out items the customer already bought.
        """
        check_is_fitted(self, "interactions_", "recommend")
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise ValidationError.single("k", k, "must be a positive integer")
        if isinstance(customer_ids, (str, bytes)) or np.ndim(customer_ids) == 0:
            customer_ids = [customer_ids]
        req = np.asarray(list(customer_ids), dtype=object)
        pos = np.array([self._customer_pos.get(c, -1) for c in req.tolist()], dtype=np.int64)
        unknown = pos < 0
        if unknown.any():
            warnings.warn(
                f"{int(unknown.sum())} customer(s) not seen in fit (e.g. {req[unknown][0]!r}) get the most popular items",
                DataQualityWarning,
                stacklevel=2,
            )
        kk = min(int(k), len(self.item_ids_))
        out_idx, out_sc = self._rank(pos, kk, exclude_seen=exclude_seen)
        if unknown.any():
            idx, sc = top_k(self.item_popularity_[None, :].astype(np.float64), kk)
            out_idx[unknown], out_sc[unknown] = idx[0], sc[0]
        items = self.item_ids_[out_idx]
        items[~np.isfinite(out_sc)] = None
        return Recommendations(req, items, out_sc)

    def _rank(self, pos: IntArray, k: int, *, exclude_seen: bool) -> tuple[IntArray, FloatArray]:
        """Top-``k`` item positions and scores for customer positions ``pos`` (``-1``: unknown)."""
        n = pos.shape[0]
        out_idx = np.zeros((n, k), dtype=np.int64)
        out_sc = np.full((n, k), -np.inf)
        known = np.flatnonzero(pos >= 0)
        for start in range(0, known.size, _BATCH):
            sel = known[start : start + _BATCH]
            X = self.interactions_[pos[sel]]
            S = np.array(self._scores(X), dtype=np.float64)
            if exclude_seen:
                r, c = X.nonzero()
                S[r, c] = -np.inf
            idx, sc = top_k(S[:, self._pop_order], k)
            out_idx[sel], out_sc[sel] = self._pop_order[idx], sc
        return out_idx, out_sc

    def similar_items(self, item: Any, k: int = 10) -> list[tuple[Any, float]]:
        """The ``k`` items most similar to ``item`` as ``(item_id, score)``, best first.

        Only items with a positive score are listed (unrelated items are not "similar").
        """
        check_is_fitted(self, "interactions_", "similar_items")
        if item not in self._item_pos:
            raise NotFoundError("item", item)
        i = self._item_pos[item]
        s = np.array(self._item_scores(i), dtype=np.float64)
        s[i] = -np.inf
        idx, sc = top_k(s[None, self._pop_order], int(k))
        return [
            (self.item_ids_[self._pop_order[j]], float(v))
            for j, v in zip(idx[0].tolist(), sc[0].tolist(), strict=True)
            if v > 0
        ]
