"""Customer summaries, purchase-model scoring and CLV, per partition on Dask."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, clone
from distcrm._optional import import_optional
from distcrm.data import CustomerSummary
from distcrm.errors import ValidationError
from distcrm.scale._io import (
    Source,
    compute,
    concat_ids,
    delayed,
    ids_in_order,
    list_partitions,
    persist,
    read_log,
    share,
)

__all__ = ["CustomerScores", "customer_summaries", "score_customers"]

FloatArray = npt.NDArray[np.float64]


# ---------------------------------------------------------------------- worker side
def _partition_end(path: str, returns: str) -> Any:
    """The last purchase instant of one partition (``None`` without purchases)."""
    log = read_log(path, returns=returns)
    ts = log.timestamp[log.quantity > 0]
    return ts.max() if ts.size else None


def _partition_summary(path: str, options: Mapping[str, Any]) -> CustomerSummary | None:
    """``TransactionLog.summary`` of one partition; ``None`` when it has no customer to summarise."""
    log = read_log(path, returns=options["returns"])
    if not bool((log.quantity > 0).any()):
        return None
    try:
        return log.summary(
            options["unit"],
            period=options["period"],
            calibration_end=options["calibration_end"],
            observation_end=options["observation_end"],
            monetary=options["monetary"],
        )
    except ValidationError as exc:
        # every purchase of this partition lies after the end: its customers are simply
        # not in the single-machine summary either
        if any("before the first purchase" in e.message for e in exc.errors):
            return None
        raise


def _summary_frame(summary: CustomerSummary | None, meta: Any) -> Any:
    if summary is None:
        return meta
    return summary.to_frame().reset_index().astype(meta.dtypes.to_dict())


def _bounds(summary: CustomerSummary | None) -> tuple[Any, Any] | None:
    if summary is None:
        return None
    ids = summary.customer_ids
    return ids[0], ids[-1]


def _columns(summary: CustomerSummary | None, with_ids: bool) -> dict[str, Any] | None:
    if summary is None:
        return None
    out: dict[str, Any] = {
        "x": summary.frequency,
        "tx": summary.recency,
        "T": summary.T,
        "m": summary.monetary_value,
    }
    if with_ids:
        out["ids"] = summary.customer_ids
    return out


def _score_frame(
    summary: CustomerSummary | None,
    purchase_model: Any,
    spend_model: Any,
    zero_spend: float,
    options: Mapping[str, Any],
    meta: Any,
) -> Any:
    """Scores of one partition's customers (one pandas frame)."""
    if summary is None:
        return meta
    pd = import_optional("pandas", feature="distcrm.scale.score_customers")
    cols: dict[str, Any] = {
        "customer_id": summary.customer_ids,
        "frequency": summary.frequency,
        "recency": summary.recency,
        "T": summary.T,
    }
    if summary.monetary_value is not None:
        cols["monetary_value"] = summary.monetary_value
    cols["expected_purchases"] = purchase_model.expected_purchases(options["t"], summary)
    cols["p_alive"] = purchase_model.p_alive(summary)
    if spend_model is not None:
        spend = np.array(spend_model.expected_spend(summary), dtype=np.float64)
        spend[summary.frequency == 0] = zero_spend
        cols["expected_spend"] = spend
        cols["clv"] = purchase_model.clv(
            summary,
            spend=spend,
            horizon=options["clv_horizon"],
            discount_rate=options["discount_rate"],
            margin=options["margin"],
        )
    return pd.DataFrame(cols).astype(meta.dtypes.to_dict())


# ---------------------------------------------------------------------- driver side
def _id_dtype(files: Sequence[str]) -> Any:
    pq = import_optional("pyarrow.parquet", feature="distcrm.scale", extra="dask")
    fsspec = import_optional("fsspec", feature="distcrm.scale", extra="dask")
    fs, root = fsspec.core.url_to_fs(files[0])
    schema = pq.read_schema(root, filesystem=fs)
    if "customer_id" not in schema.names:
        raise ValidationError.single("customer_id", files[0], "is a required column of a partitioned log")
    return schema.empty_table().select(["customer_id"]).to_pandas()["customer_id"].dtype


def _summary_meta(id_dtype: Any, monetary: str | None, holdout: bool) -> Any:
    pd = import_optional("pandas", feature="distcrm.scale.customer_summaries")
    cols: dict[str, Any] = {"customer_id": pd.Series([], dtype=id_dtype)}
    names = ["frequency", "recency", "T"] + (["monetary_value"] if monetary else [])
    cols.update({n: pd.Series([], dtype="float64") for n in names})
    cols["first_purchase"] = pd.Series([], dtype="datetime64[s]")
    cols["last_purchase"] = pd.Series([], dtype="datetime64[s]")
    if holdout:
        cols["frequency_holdout"] = pd.Series([], dtype="float64")
        if monetary:
            cols["monetary_value_holdout"] = pd.Series([], dtype="float64")
    return pd.DataFrame(cols)


def _options(
    *,
    unit: str,
    period: str | None,
    calibration_end: Any,
    observation_end: Any,
    monetary: str | None,
    returns: str,
) -> dict[str, Any]:
    if monetary not in ("amount", "quantity", None):
        raise ValidationError.single("monetary", monetary, "must be 'amount', 'quantity' or None")
    if returns not in ("separate", "net", "drop-with-report"):
        raise ValidationError.single("returns", returns, "must be 'separate', 'net' or 'drop-with-report'")
    return {
        "unit": unit,
        "period": period,
        "calibration_end": calibration_end,
        "observation_end": observation_end,
        "monetary": monetary,
        "returns": returns,
    }


def _summaries(client: Any, files: Sequence[str], options: dict[str, Any]) -> list[Any]:
    """Delayed per-partition ``CustomerSummary`` objects, after finding the global end if needed."""
    if options["observation_end"] is None:
        ends = [
            e
            for e in compute(client, [delayed(_partition_end)(f, options["returns"]) for f in files])
            if e is not None
        ]
        if not ends:
            raise ValidationError.single("source", len(files), "has no purchases to summarise")
        options["observation_end"] = max(ends)
    return [delayed(_partition_summary)(f, options) for f in files]


def _write_or_frame(client: Any, parts: Sequence[Any], meta: Any, output: Any) -> Any:
    dd = import_optional("dask.dataframe", feature="distcrm.scale")
    ddf = dd.from_delayed(list(parts), meta=meta, verify_meta=False)
    if output is None:
        return ddf
    import os

    path = os.fspath(output)
    compute(client, [ddf.to_parquet(path, write_index=False, compute=False)])
    return path


def customer_summaries(
    source: Source,
    *,
    unit: str = "W",
    period: str | None = None,
    calibration_end: Any = None,
    observation_end: Any = None,
    monetary: str | None = "amount",
    returns: str = "separate",
    client: Any = None,
    output: Any = None,
) -> Any:
    """Per-customer frequency, recency, T and spend, one partition at a time on Dask.

    Each Parquet file of ``source`` (one partition; see
    :func:`write_partitioned_log` for the schema) is read on a worker into a
    ``TransactionLog`` and summarised with :meth:`TransactionLog.summary`. Every row of
    a customer must be in one file. The result equals the single-machine summary of
    all the data: same customers, same values (the summary is per customer, so no
    number is computed differently). Rows come sorted by customer id within each
    partition; with range-partitioned files (as :func:`write_partitioned_log` writes
    them) the whole frame is in customer-id order.

    Without ``observation_end``, a first pass over the partitions finds the last
    purchase (the single-machine default end); give it to save that pass.

    Parameters
    ----------
    source
        A directory of Parquet files, a glob, or a list of files.
    unit, period, calibration_end, observation_end, monetary
        As :meth:`TransactionLog.summary`.
    returns
        The returns policy of :meth:`TransactionLog.from_frame`.
    client
        A ``distributed.Client``; by default the current default scheduler.
    output
        A directory: write the summaries there as Parquet and return its path.

    Returns
    -------
    dask.dataframe.DataFrame or str
        Columns ``customer_id``, ``frequency``, ``recency``, ``T``, ``monetary_value``,
        ``first_purchase``, ``last_purchase`` (and the holdout columns with a
        calibration end); or ``output``.

    Raises
    ------
    ValidationError
        No Parquet file in ``source``, no purchase at all, or as
        :meth:`TransactionLog.summary`.
    """
    files = list_partitions(source)
    options = _options(
        unit=unit,
        period=period,
        calibration_end=calibration_end,
        observation_end=observation_end,
        monetary=monetary,
        returns=returns,
    )
    meta = _summary_meta(_id_dtype(files), monetary, calibration_end is not None)
    summaries = _summaries(client, files, options)
    frame = delayed(_summary_frame)
    return _write_or_frame(client, [frame(s, meta) for s in summaries], meta, output)


@attrs.frozen(kw_only=True)
class CustomerScores:
    """What :func:`score_customers` produced: the scores and the fitted models.

    Attributes
    ----------
    scores
        A dask DataFrame of the scores (``None`` when they were written to ``path``).
    path
        Where the scores were written as Parquet (``None`` without an ``output``).
    purchase_model
        The fitted purchase model (fitted on every customer, on the driver).
    spend_model
        The fitted spend model, or ``None`` without CLV.
    n_customers
        The number of customers scored.
    """

    scores: Any
    path: str | None
    purchase_model: Any
    spend_model: Any
    n_customers: int

    def __repr__(self) -> str:
        where = self.path if self.path is not None else "dask DataFrame"
        spend = "" if self.spend_model is None else f", {type(self.spend_model).__name__}"
        return (
            f"<CustomerScores: {self.n_customers} customers, "
            f"{type(self.purchase_model).__name__}{spend}, {where}>"
        )


def _global_summary(client: Any, summaries: Sequence[Any], unit: str) -> tuple[CustomerSummary, int]:
    """The (frequency, recency, T, monetary) columns of every customer, in customer-id order.

    Returns the summary (customer ids left as ``None`` unless they had to be gathered
    to sort) and the number of customers.
    """
    bounds = compute(client, [delayed(_bounds)(s) for s in summaries])
    order = ids_in_order(bounds)
    with_ids = order is None
    idx = order if order is not None else [i for i, b in enumerate(bounds) if b is not None]
    if not idx:
        raise ValidationError.single("source", len(summaries), "has no customer to summarise")
    parts = compute(client, [delayed(_columns)(summaries[i], with_ids) for i in idx])
    x = np.concatenate([p["x"] for p in parts])
    tx = np.concatenate([p["tx"] for p in parts])
    T = np.concatenate([p["T"] for p in parts])
    m = None if parts[0]["m"] is None else np.concatenate([p["m"] for p in parts])
    if with_ids:  # overlapping ranges (e.g. hash partitions): sort on the driver
        ids = concat_ids([p["ids"] for p in parts])
        perm = np.argsort(ids, kind="stable")
        x, tx, T, ids = x[perm], tx[perm], T[perm], ids[perm]
        m = None if m is None else m[perm]
    else:
        ids = np.full(x.shape[0], None, dtype=object)
    s = CustomerSummary(frequency=x, recency=tx, T=T, customer_ids=ids, monetary_value=m, time_unit=unit)
    return s, int(x.shape[0])


def score_customers(
    source: Source,
    *,
    purchase_model: BaseEstimator | None = None,
    spend_model: BaseEstimator | None = None,
    clv: bool = True,
    t: float = 1.0,
    clv_horizon: int = 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
    unit: str = "W",
    period: str | None = None,
    observation_end: Any = None,
    monetary: str | None = "amount",
    returns: str = "separate",
    client: Any = None,
    output: Any = None,
) -> CustomerScores:
    """Fit a purchase (and spend) model on every customer, then score per partition on Dask.

    1. Each partition is summarised on a worker (as :func:`customer_summaries`); the
       summaries stay in the workers' memory.
    2. The model's global likelihood needs every customer: the numeric summary
       columns (frequency, recency, T, spend: 32 bytes a customer) are gathered to
       the driver in customer-id order and the models are fitted there, exactly as
       ``BetaGeoModel().fit(log.summary(...))`` would on one machine.
    3. Each partition is scored on a worker: ``expected_purchases(t)``, ``p_alive``,
       and with ``clv`` the spend model's ``expected_spend`` and the CLV.

    The fit sees the same arrays in the same order as the single-machine fit, so
    the parameters are identical; scores are per customer, so they are too. (If the
    partitions' customer-id ranges overlap, as with hash partitioning, the customer
    ids are gathered as well and sorted on the driver.)

    Parameters
    ----------
    source
        A directory of Parquet files, a glob, or a list of files.
    purchase_model
        An unfitted purchase model (default ``BetaGeoModel()``); a clone is fitted.
    spend_model
        An unfitted spend model (default ``GammaGammaModel()``); a clone is fitted.
    clv
        Whether to fit the spend model and compute ``expected_spend`` and ``clv``.
    t
        The horizon of ``expected_purchases``, in ``unit``.
    clv_horizon, discount_rate, margin
        As ``PurchaseModel.clv`` (``horizon`` periods of one month by default).
    unit, period, observation_end, monetary, returns
        As :func:`customer_summaries`.
    client
        A ``distributed.Client``; by default the current default scheduler.
    output
        A directory: write the scores there as Parquet (``CustomerScores.path``).

    Returns
    -------
    CustomerScores
        The scores (a dask DataFrame with ``customer_id``, ``frequency``, ``recency``,
        ``T``, ``monetary_value``, ``expected_purchases``, ``p_alive``,
        ``expected_spend``, ``clv``) or their path, and the fitted models.

    Raises
    ------
    ValidationError
        ``clv`` without a monetary column, or as :func:`customer_summaries` and the
        models' ``fit``.
    """
    from distcrm.forecast import BetaGeoModel, GammaGammaModel

    if clv and monetary is None:
        raise ValidationError.single("monetary", monetary, "is needed for clv=True (the spend model)")
    files = list_partitions(source)
    options = _options(
        unit=unit,
        period=period,
        calibration_end=None,
        observation_end=observation_end,
        monetary=monetary,
        returns=returns,
    )
    summaries = persist(client, _summaries(client, files, options))
    everyone, n = _global_summary(client, summaries, unit)
    pm: Any = clone(purchase_model if purchase_model is not None else BetaGeoModel())
    pm.fit(everyone)
    sm: Any = None
    zero_spend = float("nan")
    if clv:
        sm = clone(spend_model if spend_model is not None else GammaGammaModel())
        sm.fit(everyone)
        # customers without repeat purchases get one population figure; computed once
        # over everyone, as on one machine (it is a mean over all repeat customers when q <= 1)
        spend_all = np.asarray(sm.expected_spend(everyone), dtype=np.float64)
        zero = everyone.frequency == 0
        if zero.any():
            zero_spend = float(spend_all[np.flatnonzero(zero)[0]])
        del spend_all
    del everyone

    pd = import_optional("pandas", feature="distcrm.scale.score_customers")
    cols: dict[str, Any] = {"customer_id": pd.Series([], dtype=_id_dtype(files))}
    names = ["frequency", "recency", "T"] + (["monetary_value"] if monetary else [])
    names += ["expected_purchases", "p_alive"] + (["expected_spend", "clv"] if clv else [])
    cols.update({c: pd.Series([], dtype="float64") for c in names})
    meta = pd.DataFrame(cols)
    score_opts = {"t": t, "clv_horizon": clv_horizon, "discount_rate": discount_rate, "margin": margin}
    pm_node = share(client, pm, "distcrm-purchase-model")
    sm_node = share(client, sm, "distcrm-spend-model")
    score = delayed(_score_frame)
    parts = [score(s, pm_node, sm_node, zero_spend, score_opts, meta) for s in summaries]
    result = _write_or_frame(client, parts, meta, output)
    if output is None:
        return CustomerScores(scores=result, path=None, purchase_model=pm, spend_model=sm, n_customers=n)
    return CustomerScores(scores=None, path=result, purchase_model=pm, spend_model=sm, n_customers=n)
