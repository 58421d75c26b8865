"""Item demand panels and item forecasts, per partition on Dask."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, clone
from distcrm.data import DemandPanel
from distcrm.errors import DataQualityWarning, ValidationError
from distcrm.scale._io import Source, compute, delayed, list_partitions, read_log

__all__ = ["forecast_items", "item_demand_panel"]

Part = tuple[npt.NDArray[Any], npt.NDArray[np.float64], npt.NDArray[np.datetime64]] | None


def _partition_span(path: str, returns: str) -> tuple[Any, Any] | None:
    log = read_log(path, returns=returns)
    return None if len(log) == 0 else (log.start, log.end)


def _partition_panel(path: str, options: dict[str, Any]) -> Part:
    """Item ids, values and calendar of one partition's item panel (``None``: no item rows)."""
    log = read_log(path, returns=options["returns"])
    if len(log) == 0 or not bool((log.item >= 0).any()):
        return None
    p = log.demand_panel(
        options["freq"], by="item", start=options["start"], end=options["end"], value=options["value"]
    )
    assert p.item_ids is not None
    assert p.periods is not None
    return p.item_ids, p.values, p.periods


def _merge(a: Part, b: Part) -> Part:
    """Sum two item panels over the union of their items (same calendar)."""
    if a is None or b is None:
        return a if b is None else b
    ids = np.unique(np.concatenate([a[0], b[0]]))
    out = np.zeros((ids.shape[0], a[1].shape[1]))
    out[np.searchsorted(ids, a[0])] += a[1]
    out[np.searchsorted(ids, b[0])] += b[1]
    return ids, out, a[2]


def _as_str(ids: npt.NDArray[Any]) -> npt.NDArray[Any]:
    return np.array([str(v) for v in ids.tolist()], dtype=object)


def item_demand_panel(
    source: Source,
    freq: str = "W",
    *,
    value: str = "quantity",
    start: Any = None,
    end: Any = None,
    returns: str = "separate",
    client: Any = None,
) -> DemandPanel:
    """The item × period demand panel of all partitions, summed on the workers.

    Each partition builds its own ``log.demand_panel(freq, by="item")`` over the global
    calendar (a first pass finds the first and last timestamps unless ``start`` and
    ``end`` are given); the panels are added up pairwise in a tree on the workers and
    only the total (items × periods) reaches the driver. Equal to the single-machine
    ``log.demand_panel(freq)``: exactly for whole-number values (units), up to
    floating-point reordering of the sums for fractional ones (money), and only with
    the ``"separate"`` or ``"drop-with-report"`` returns policy (under ``"net"`` each
    partition clips its own negative periods at zero).

    Raises
    ------
    ValidationError
        No row with an item anywhere, or as :meth:`TransactionLog.demand_panel`.
    """
    files = list_partitions(source)
    if start is None or end is None:
        spans = [s for s in compute(client, [delayed(_partition_span)(f, returns) for f in files]) if s]
        if not spans:
            raise ValidationError.single("source", len(files), "has no transactions")
        start = min(s[0] for s in spans) if start is None else start
        end = max(s[1] for s in spans) if end is None else end
    options = {"freq": freq, "value": value, "start": start, "end": end, "returns": returns}
    level: list[Any] = [delayed(_partition_panel)(f, options) for f in files]
    merge = delayed(_merge)
    while len(level) > 1:
        nxt = [merge(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    (total,) = compute(client, level)
    if total is None:
        raise ValidationError.single("source", len(files), "has no rows with an item")
    ids, values, periods = total
    values = values + 0.0
    return DemandPanel.from_array(
        values, series_ids=_as_str(ids), periods=periods, freq=freq, item_ids=ids.astype(object)
    )


def _fit_predict(forecaster: BaseEstimator, panel: DemandPanel, h: int) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return forecaster.fit(panel).predict(h)  # type: ignore[attr-defined]


def forecast_items(
    panel: DemandPanel | Source,
    forecaster: BaseEstimator,
    h: int,
    *,
    series_per_partition: int = 5000,
    freq: str = "W",
    value: str = "quantity",
    client: Any = None,
) -> Any:
    """Fit ``forecaster`` and forecast ``h`` periods, one block of series per task on Dask.

    The panel (or, given a Parquet source, :func:`item_demand_panel` of it) is cut into
    blocks of ``series_per_partition`` rows; each block is fitted and forecast by a
    clone of ``forecaster`` on a worker, and the blocks' forecasts are stacked into
    one :class:`~distcrm.forecast.Forecast` in panel order. The forecasters fit every
    series on its own, so means and variances equal ``forecaster.fit(panel).predict(h)``
    exactly. The predictive family (``"negbin"`` for whole-number demand, else
    ``"normal"``) is the panel's: ``"normal"`` if any block says so.

    Raises
    ------
    ValidationError
        ``series_per_partition`` below 1, or as the forecaster's ``fit``/``predict``.
    """
    from distcrm.forecast import Forecast

    if (
        isinstance(series_per_partition, bool)
        or not isinstance(series_per_partition, (int, np.integer))
        or series_per_partition < 1
    ):
        raise ValidationError.single("series_per_partition", series_per_partition, "must be an integer >= 1")
    if not isinstance(panel, DemandPanel):
        panel = item_demand_panel(panel, freq, value=value, client=client)
    n = panel.n_series
    fit = delayed(_fit_predict)
    tasks = [
        fit(clone(forecaster), panel.take(np.arange(lo, min(lo + series_per_partition, n))), h)
        for lo in range(0, n, int(series_per_partition))
    ]
    parts: list[Forecast] = compute(client, tasks)
    family: Literal["negbin", "normal"] = "normal" if any(p.family == "normal" for p in parts) else "negbin"
    return attrs.evolve(
        parts[0],
        mean=np.concatenate([p.mean for p in parts]),
        variance=np.concatenate([p.variance for p in parts]),
        family=family,
        series_ids=np.concatenate([p.series_ids for p in parts]),
        method=np.concatenate([p.method for p in parts]),
    )
