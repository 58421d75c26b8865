"""Demand panels from a transaction log: one ``bincount`` over (series, period)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from distcrm.data._panel import DemandPanel
from distcrm.data._periods import as_datetime64, period_index, period_start
from distcrm.errors import DataQualityWarning, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from distcrm.data._log import TransactionLog

__all__ = ["panel_from_log"]

_PANEL_FREQS = ("D", "W", "M")
_BY = ("item", "customer_item")


def _as_str(ids: npt.NDArray[Any]) -> npt.NDArray[np.str_]:
    return ids.astype(str) if ids.dtype.kind != "O" else np.array([str(v) for v in ids.tolist()])


def panel_from_log(
    log: TransactionLog, *, freq: str, by: str, start: Any, end: Any, value: str
) -> DemandPanel:
    """See :meth:`TransactionLog.demand_panel`."""
    if freq not in _PANEL_FREQS:
        raise ValidationError.single("freq", freq, f"must be one of {list(_PANEL_FREQS)}")
    if by not in _BY:
        raise ValidationError.single("by", by, f"must be one of {list(_BY)}")
    if value not in ("quantity", "amount"):
        raise ValidationError.single("value", value, "must be 'quantity' or 'amount'")
    if value == "amount" and not log.has_amount:
        raise ValidationError.single("value", value, "the log has no amounts")
    has_item = log.item >= 0
    if not has_item.any():
        raise ValidationError.single("log", len(log), "has no rows with an item")
    n_without = int(np.count_nonzero(~has_item))
    if n_without:
        warnings.warn(
            f"{n_without} of {len(log)} rows have no item and are left out of the demand panel",
            DataQualityWarning,
            stacklevel=3,
        )
    p = period_index(log.timestamp, freq)
    p_item = p[has_item]
    p0 = (
        int(p.min())
        if start is None
        else int(period_index(np.array([as_datetime64("start", start)]), freq)[0])
    )
    p1 = int(p.max()) if end is None else int(period_index(np.array([as_datetime64("end", end)]), freq)[0])
    if p1 < p0:
        raise ValidationError.single("end", str(end), f"must not be before start ({start})")
    n_periods = p1 - p0 + 1

    item = log.item[has_item]
    if by == "item":
        keys = np.unique(item)
        row_keys = item
        item_ids = log.item_ids[keys]
        customer_ids = None
        series_ids = _as_str(item_ids)
    else:
        n_items = max(int(log.item_ids.size), 1)
        row_keys = log.customer[has_item].astype(np.int64) * n_items + item
        keys = np.unique(row_keys)
        item_ids = log.item_ids[keys % n_items]
        customer_ids = log.customer_ids[keys // n_items]
        series_ids = np.char.add(np.char.add(_as_str(customer_ids), "|"), _as_str(item_ids))
    inwin = (p_item >= p0) & (p_item <= p1)
    weights = (log.quantity if value == "quantity" else log.amount)[has_item][inwin]
    series = np.searchsorted(keys, row_keys[inwin])
    flat = series.astype(np.int64) * n_periods + (p_item[inwin] - p0)
    counts = np.bincount(flat, weights=weights, minlength=keys.size * n_periods)
    values = np.asarray(counts, dtype=np.float64).reshape(keys.size, n_periods)
    negative = values < 0
    if negative.any():
        warnings.warn(
            f"{int(negative.sum())} series-periods have more returned than sold and are set to 0",
            DataQualityWarning,
            stacklevel=3,
        )
        values[negative] = 0.0
    values += 0.0  # no negative zeros
    return DemandPanel.from_array(
        values,
        series_ids=series_ids.astype(object),
        periods=period_start(np.arange(p0, p1 + 1), freq),
        freq=freq,
        item_ids=item_ids.astype(object),
        customer_ids=None if customer_ids is None else customer_ids.astype(object),
    )
