"""Replenishment: safety stock, reorder points and pre-stocking lists from forecast quantiles."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.errors import ValidationError
from distcrm.forecast._base import Forecast, check_horizon, demand_quantiles
from distcrm.forecast._tables import PrestockList

__all__ = ["ReplenishmentPlan", "prestock", "reorder_points"]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen(eq=False, kw_only=True)
class ReplenishmentPlan:
    """Per series: lead-time demand mean, reorder point and safety stock at ``service_level``."""

    series_ids: npt.NDArray[np.object_]
    lead_time: int
    service_level: float
    lead_time_demand: FloatArray
    reorder_point: FloatArray
    safety_stock: FloatArray

    def to_frame(self) -> Any:
        """One row per series (pandas)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="ReplenishmentPlan.to_frame")
        return pd.DataFrame(
            {
                "lead_time_demand": self.lead_time_demand,
                "reorder_point": self.reorder_point,
                "safety_stock": self.safety_stock,
            },
            index=pd.Index(self.series_ids, name="series_id"),
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th>{self.series_ids[i]}</th><td>{self.lead_time_demand[i]:.3g}</td>"
            f"<td>{self.reorder_point[i]:.3g}</td><td>{self.safety_stock[i]:.3g}</td></tr>"
            for i in range(min(10, self.series_ids.size))
        )
        return (
            f"<div><b>Replenishment</b> (lead time {self.lead_time}, service {self.service_level:.0%})"
            f"<table><tr><th>series</th><th>lead-time demand</th><th>reorder point</th>"
            f"<th>safety stock</th></tr>{rows}</table></div>"
        )


def reorder_points(forecast: Forecast, lead_time: int, service_level: float = 0.95) -> ReplenishmentPlan:
    """Reorder point = the ``service_level`` quantile of demand over the lead time.

    Lead-time demand sums the first ``lead_time`` periods of ``forecast``
    (independent periods: means and variances add) under the forecast's own
    distribution (negative binomial for counts); safety stock = reorder point - mean.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> from distcrm.forecast import CrostonSBA
    >>> fc = CrostonSBA().fit(DemandPanel.from_array([[0, 2, 0, 0, 3, 0, 1, 0, 0, 2]])).predict(4)
    >>> plan = reorder_points(fc, lead_time=2, service_level=0.95)
    >>> bool(plan.reorder_point[0] >= plan.lead_time_demand[0])
    True
    """
    lt = check_horizon(lead_time)
    if lt > forecast.h:
        raise ValidationError.single("lead_time", lead_time, f"must be <= the forecast horizon {forecast.h}")
    if not isinstance(service_level, (int, float)) or not 0 < float(service_level) < 1:
        raise ValidationError.single("service_level", service_level, "must be in (0, 1)")
    tot = forecast.total(lt)
    mean = tot.mean[:, 0]
    rop = demand_quantiles(tot.mean, tot.variance, tot.family, np.array([float(service_level)]))[:, 0, 0]
    return ReplenishmentPlan(
        series_ids=forecast.series_ids,
        lead_time=lt,
        service_level=float(service_level),
        lead_time_demand=mean,
        reorder_point=rop,
        safety_stock=np.maximum(rop - mean, 0.0),
    )


def prestock(
    forecast: Forecast, on_hand: Any, *, periods: int = 1, service_level: float = 0.9
) -> PrestockList:
    """Pre-stocking suggestions: units to bring in so stock covers the next ``periods`` at ``service_level``.

    Returns a :class:`PrestockList` of the series needing stock (largest first):
    expected demand, target stock (the quantile) and the suggested quantity
    ``target - on_hand`` (``.to_frame()`` for pandas).

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> from distcrm.forecast import Naive
    >>> fc = Naive().fit(DemandPanel.from_array([[3, 4, 5], [0, 0, 1]])).predict(1)
    >>> prestock(fc, on_hand=[2, 5]).suggested.tolist()
    [6.0]
    """
    stock = np.asarray(on_hand, dtype=np.float64)
    if stock.shape != (forecast.n_series,) or (stock < 0).any() or not np.isfinite(stock).all():
        raise ValidationError.single(
            "on_hand", stock.shape, f"must be {forecast.n_series} non-negative numbers"
        )
    plan = reorder_points(forecast, periods, service_level)
    need = np.maximum(plan.reorder_point - stock, 0.0)
    rows = np.flatnonzero(need > 0)
    rows = rows[np.argsort(-need[rows], kind="stable")]
    return PrestockList(
        series_ids=np.asarray(forecast.series_ids, dtype=object)[rows],
        expected_demand=plan.lead_time_demand[rows],
        target_stock=plan.reorder_point[rows],
        on_hand=stock[rows],
        suggested=need[rows],
        periods=plan.lead_time,
        service_level=plan.service_level,
    )
