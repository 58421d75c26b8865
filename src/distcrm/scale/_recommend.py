"""Recommendations: fit on the driver from every partition's purchases, recommend per partition."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, clone
from distcrm._optional import import_optional
from distcrm.errors import ValidationError
from distcrm.scale._io import (
    Source,
    compute,
    concat_ids,
    delayed,
    ids_in_order,
    list_partitions,
    read_log,
    share,
)

__all__ = ["CustomerRecommendations", "recommend_customers"]


def _partition_pairs(path: str, returns: str) -> dict[str, Any]:
    """The customer and item id tables of one partition and its distinct (customer, item) pairs."""
    log = read_log(path, returns=returns)
    keep = log.item >= 0
    n_items = max(int(log.item_ids.size), 1)
    key = np.unique(log.customer[keep].astype(np.int64) * n_items + log.item[keep])
    return {
        "customer_ids": log.customer_ids,
        "item_ids": log.item_ids,
        "pair_customer": log.customer_ids[key // n_items],
        "pair_item": log.item_ids[key % n_items],
    }


def _bounds(part: dict[str, Any]) -> tuple[Any, Any] | None:
    ids = part["customer_ids"]
    return (ids[0], ids[-1]) if len(ids) else None


def _recommend_frame(path: str, model: Any, options: dict[str, Any], meta: Any) -> Any:
    log = read_log(path, returns=options["returns"])
    if log.customer_ids.size == 0:
        return meta
    rec = model.recommend(log.customer_ids, options["k"], exclude_seen=options["exclude_seen"])
    return rec.to_frame().astype(meta.dtypes.to_dict())


@attrs.frozen(kw_only=True)
class CustomerRecommendations:
    """What :func:`recommend_customers` produced.

    Attributes
    ----------
    recommendations
        A dask DataFrame (``customer_id``, ``rank``, ``item_id``, ``score``), or
        ``None`` when written to ``path``.
    path
        Where the recommendations were written as Parquet, or ``None``.
    recommender
        The fitted recommender (fitted on every customer, on the driver).
    """

    recommendations: Any
    path: str | None
    recommender: Any

    def __repr__(self) -> str:
        where = self.path if self.path is not None else "dask DataFrame"
        return f"<CustomerRecommendations: {type(self.recommender).__name__}, {where}>"


def recommend_customers(
    source: Source,
    recommender: BaseEstimator | None = None,
    *,
    k: int = 10,
    exclude_seen: bool = True,
    returns: str = "separate",
    client: Any = None,
    output: Any = None,
) -> CustomerRecommendations:
    """Fit an item-based recommender on all purchases, then recommend per partition on Dask.

    1. Each partition reduces its log to distinct (customer, item) pairs on a worker
       (an item-based recommender sees each pair once).
    2. The pairs are gathered to the driver, coded against the global customer and
       item tables, and ``recommender.fit_arrays`` learns the item × item model there,
       as ``recommender.fit(log)`` would on one machine.
    3. The fitted model is sent once to every worker and each partition recommends
       ``k`` items to its customers.

    The recommender learns from the same binary customer × item matrix as on one
    machine, so its weights and the recommendations are identical. The fitted model
    holds that matrix, so it must fit in the driver's and each worker's memory (one
    float and one index a distinct pair); the scoring, the costly part, is spread.

    Parameters
    ----------
    recommender
        An unfitted item-based recommender from :mod:`distcrm.recommend` (default
        ``EASERecommender()``); a clone is fitted. Basket models
        (``AssociationRules``) are not supported.
    k, exclude_seen
        As ``recommend``.
    returns, client, output
        As :func:`customer_summaries`.

    Raises
    ------
    ValidationError
        A basket recommender, or no purchase with an item.
    """
    from distcrm.recommend import AssociationRules, EASERecommender

    if isinstance(recommender, AssociationRules):
        raise ValidationError.single(
            "recommender", "AssociationRules", "basket models need orders across partitions: not supported"
        )
    files = list_partitions(source)
    parts = compute(client, [delayed(_partition_pairs)(f, returns) for f in files])
    order = ids_in_order([_bounds(p) for p in parts])
    customers = concat_ids([parts[i]["customer_ids"] for i in (order or range(len(parts)))])
    if order is None:
        customers = np.sort(customers)
    items: npt.NDArray[Any] = np.unique(concat_ids([p["item_ids"] for p in parts]))
    ci = np.searchsorted(customers, concat_ids([p["pair_customer"] for p in parts])).astype(np.int64)
    ii = np.searchsorted(items, concat_ids([p["pair_item"] for p in parts])).astype(np.int64)
    del parts
    if ci.size == 0:
        raise ValidationError.single("source", len(files), "has no purchase with an item to learn from")
    model: Any = clone(recommender if recommender is not None else EASERecommender())
    model.fit_arrays(
        ci, ii, n_customers=customers.shape[0], n_items=items.shape[0], customer_ids=customers, item_ids=items
    )
    del ci, ii

    pd = import_optional("pandas", feature="distcrm.scale.recommend_customers")
    from distcrm.scale._customers import _id_dtype

    meta = pd.DataFrame(
        {
            "customer_id": pd.Series([], dtype=_id_dtype(files)),
            "rank": pd.Series([], dtype="int64"),
            "item_id": pd.Series([], dtype=object),
            "score": pd.Series([], dtype="float64"),
        }
    )
    node = share(client, model, "distcrm-recommender")
    options = {"k": k, "exclude_seen": exclude_seen, "returns": returns}
    rec = delayed(_recommend_frame)
    tasks = [rec(f, node, options, meta) for f in files]
    from distcrm.scale._customers import _write_or_frame

    result = _write_or_frame(client, tasks, meta, output)
    if output is None:
        return CustomerRecommendations(recommendations=result, path=None, recommender=model)
    return CustomerRecommendations(recommendations=None, path=result, recommender=model)
