"""Offline evaluation of recommenders on a time split: hit-rate, recall and MAP at k."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._estimator import clone
from distcrm.errors import ValidationError
from distcrm.kpi._table import Table
from distcrm.recommend._base import BaseRecommender, interaction_matrix, log_arrays

__all__ = ["EvaluationResult", "compare", "evaluate", "ranking_metrics"]


@attrs.frozen(kw_only=True)
class EvaluationResult:
    """Ranking quality of one recommender on a time split.

    Attributes
    ----------
    hit_rate
        Share of test customers with at least one relevant item in their top ``k``.
    recall
        Mean over test customers of ``hits / relevant``.
    map
        Mean average precision at ``k``: mean over customers of
        ``Σ_{i≤k} precision@i · rel_i / min(k, relevant)``.
    n_users
        Test customers (bought something relevant in the test window and were known
        before the split).
    """

    k: int
    hit_rate: float
    recall: float
    map: float
    n_users: int
    n_items: int
    split: np.datetime64 | None = None
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The figures as a plain dictionary."""
        return {
            "name": self.name,
            f"hit_rate@{self.k}": self.hit_rate,
            f"recall@{self.k}": self.recall,
            f"map@{self.k}": self.map,
            "n_users": self.n_users,
        }

    def to_frame(self) -> Any:
        """A one-row pandas frame of the figures."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="EvaluationResult.to_frame")
        return pd.DataFrame([self.to_dict()]).set_index("name")

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(str(self))}</p>"

    def __str__(self) -> str:
        return (
            f"{self.name or 'recommender'}: hit-rate@{self.k} {self.hit_rate:.3f}, recall@{self.k} "
            f"{self.recall:.3f}, MAP@{self.k} {self.map:.3f} over {self.n_users} customers"
        )


def ranking_metrics(
    ranked: npt.NDArray[np.int64], relevant: list[npt.NDArray[np.int64]] | Any, k: int
) -> tuple[float, float, float]:
    """``(hit_rate, recall, map)`` at ``k`` of ranked item lists against relevant sets.

    Examples
    --------
    >>> ranked = np.array([[1, 2, 3], [4, 5, 6]])
    >>> ranking_metrics(ranked, [np.array([2]), np.array([7, 4])], k=3)
    (1.0, 0.75, 0.5)
    """
    ranked = np.asarray(ranked, dtype=np.int64)[:, :k]
    n = ranked.shape[0]
    if n == 0:
        raise ValidationError.single("relevant", 0, "no test customers to evaluate")
    hits = np.zeros(ranked.shape, dtype=bool)
    n_rel = np.zeros(n)
    for u in range(n):  # one membership test per user: bounded by the test set, not the log
        rel = np.asarray(relevant[u])
        n_rel[u] = rel.size
        hits[u] = np.isin(ranked[u], rel)
    if (n_rel == 0).any():
        raise ValidationError.single(
            "relevant", int(np.flatnonzero(n_rel == 0)[0]), "every user needs a relevant item"
        )
    n_hits = hits.sum(axis=1)
    prec_at = np.cumsum(hits, axis=1) / np.arange(1, ranked.shape[1] + 1)
    ap = (prec_at * hits).sum(axis=1) / np.minimum(k, n_rel)
    return float((n_hits > 0).mean()), float((n_hits / n_rel).mean()), float(ap.mean())


def _split_arrays(
    log: Any, split: Any, end: Any, new_items_only: bool
) -> tuple[dict[str, Any], list[npt.NDArray[np.int64]], npt.NDArray[np.int64], np.datetime64]:
    cols = log_arrays(log)
    ts = cols["timestamp"]
    if ts is None:
        raise ValidationError.missing("log.timestamp", "is required for a time split")
    ts = np.asarray(ts).astype("datetime64[s]")
    try:
        at = np.datetime64(split, "s")
    except (TypeError, ValueError):
        raise ValidationError.single("split", split, "is not a date") from None
    stop = np.datetime64("NaT") if end is None else np.datetime64(end, "s")
    ci = np.asarray(cols["customer_index"], dtype=np.int64)
    ii = np.asarray(cols["item_index"], dtype=np.int64)
    train = ts < at
    test = (ts >= at) if end is None else (ts >= at) & (ts < stop)
    if not train.any() or not test.any():
        raise ValidationError.single("split", str(at), "leaves the training or the test period empty")
    # compact to the customers and items seen in training
    tr_c, tr_ci = np.unique(ci[train], return_inverse=True)
    tr_i, tr_ii = np.unique(ii[train], return_inverse=True)
    c_map = np.full(len(cols["customer_ids"]), -1, dtype=np.int64)
    c_map[tr_c] = np.arange(tr_c.size)
    i_map = np.full(len(cols["item_ids"]), -1, dtype=np.int64)
    i_map[tr_i] = np.arange(tr_i.size)
    te_c, te_i = c_map[ci[test]], i_map[ii[test]]
    ok = (te_c >= 0) & (te_i >= 0)
    te_c, te_i = te_c[ok], te_i[ok]
    X = interaction_matrix(tr_ci.reshape(-1), tr_ii.reshape(-1), None, tr_c.size, tr_i.size)
    T = interaction_matrix(te_c, te_i, None, tr_c.size, tr_i.size)
    if new_items_only:
        T = T - T.multiply(X)
        T.eliminate_zeros()
    T = T.tocsr()
    users = np.flatnonzero(np.diff(T.indptr) > 0).astype(np.int64)
    relevant = [T.indices[T.indptr[u] : T.indptr[u + 1]].astype(np.int64) for u in users]
    oi = cols["order_index"]
    train_cols = {
        "customer_index": tr_ci.reshape(-1),
        "item_index": tr_ii.reshape(-1),
        "n_customers": tr_c.size,
        "n_items": tr_i.size,
        "customer_ids": np.asarray(cols["customer_ids"], dtype=object)[tr_c],
        "item_ids": np.asarray(cols["item_ids"], dtype=object)[tr_i],
        "order_index": None if oi is None else np.asarray(oi)[train],
    }
    return train_cols, relevant, users, at


def evaluate(
    recommender: BaseRecommender,
    log: Any,
    *,
    split: Any,
    end: Any = None,
    k: int = 10,
    new_items_only: bool = True,
    name: str = "",
) -> EvaluationResult:
    """Fit a copy of ``recommender`` on the log before ``split`` and score its top ``k``.

    The test set of a customer is the items they bought from ``split`` until ``end``
    (default: the end of the log) — with ``new_items_only``, only the items they had
    never bought before the split (the question "what will they try next?"). Only
    customers and items seen before the split take part; seen items are excluded from
    the recommendations.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> log = SimpleNamespace(customer=np.array([0, 0, 1, 1, 0]), item=np.array([0, 1, 0, 1, 2]),
    ...     timestamp=np.array(["2024-01-01"] * 4 + ["2024-02-01"], dtype="datetime64[s]"),
    ...     customer_ids=np.array(["a", "b"]), item_ids=np.array(["x", "y", "z"]), order=None)
    >>> from distcrm.recommend import PopularityRecommender
    >>> r = evaluate(PopularityRecommender(), log, split="2024-01-15", k=1)
    >>> r.n_users
    0
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValidationError.single("k", k, "must be a positive integer")
    train, relevant, users, at = _split_arrays(log, split, end, new_items_only)
    if users.size == 0:
        return EvaluationResult(
            k=int(k),
            hit_rate=float("nan"),
            recall=float("nan"),
            map=float("nan"),
            n_users=0,
            n_items=int(train["n_items"]),
            split=at,
            name=name,
        )
    est = clone(recommender)
    assert isinstance(est, BaseRecommender)
    est.fit_arrays(**train)
    idx, _ = est._rank(users, min(int(k), int(train["n_items"])), exclude_seen=True)
    hr, rec, mp = ranking_metrics(idx, relevant, int(k))
    return EvaluationResult(
        k=int(k),
        hit_rate=hr,
        recall=rec,
        map=mp,
        n_users=int(users.size),
        n_items=int(train["n_items"]),
        split=at,
        name=name or type(recommender).__name__,
    )


def compare(
    recommenders: Mapping[str, BaseRecommender],
    log: Any,
    *,
    split: Any,
    end: Any = None,
    k: int = 10,
    new_items_only: bool = True,
    baseline: str | None = None,
) -> Table:
    """Evaluate several recommenders on one split; a table with a ratio to ``baseline``.

    ``baseline`` names one of ``recommenders`` (default: the first); the column
    ``vs_baseline`` is each hit-rate divided by the baseline's.
    """
    if not recommenders:
        raise ValidationError.single("recommenders", {}, "is empty")
    base = baseline if baseline is not None else next(iter(recommenders))
    if base not in recommenders:
        raise ValidationError.single("baseline", base, "is not one of the recommenders")
    results = {
        n: evaluate(r, log, split=split, end=end, k=k, new_items_only=new_items_only, name=n)
        for n, r in recommenders.items()
    }
    b = results[base].hit_rate
    return Table(
        {
            "model": list(results),
            f"hit_rate@{k}": [r.hit_rate for r in results.values()],
            f"recall@{k}": [r.recall for r in results.values()],
            f"map@{k}": [r.map for r in results.values()],
            "vs_baseline": [r.hit_rate / b if b > 0 else float("nan") for r in results.values()],
            "n_users": [r.n_users for r in results.values()],
        },
        index=("model",),
        title=f"new-item recommendation quality (baseline {base})",
    )
