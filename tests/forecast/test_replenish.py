"""Replenishment: reorder points are lead-time demand quantiles; pre-stocking lists."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from distcrm.data import DemandPanel
from distcrm.errors import ValidationError
from distcrm.forecast import CrostonSBA, Naive, PrestockList, prestock, reorder_points


def _forecast():  # type: ignore[no-untyped-def]
    y = np.array([[0, 2, 0, 0, 3, 0, 1, 0, 0, 2, 0, 4], [5, 7, 6, 8, 5, 6, 7, 9, 6, 5, 8, 7], [0] * 12])
    return CrostonSBA().fit(DemandPanel.from_array(y)).predict(6)


def test_reorder_point_is_lead_time_quantile() -> None:
    """Reorder point = the service quantile of the summed lead-time demand (negative binomial / Poisson)."""
    fc = _forecast()
    plan = reorder_points(fc, lead_time=3, service_level=0.95)
    mu = fc.mean[:, :3].sum(axis=1)
    var = np.maximum(fc.variance[:, :3].sum(axis=1), mu)
    np.testing.assert_allclose(mu, plan.lead_time_demand)
    for i in range(2):
        if var[i] > mu[i]:
            p = mu[i] / var[i]
            q = stats.nbinom.ppf(0.95, mu[i] * p / (1 - p), p)
        else:
            q = stats.poisson.ppf(0.95, mu[i])
        assert q == plan.reorder_point[i]
    assert 0.0 == plan.reorder_point[2]  # no demand: nothing to hold


def test_safety_stock_non_negative_and_grows_with_service() -> None:
    """Safety stock is never negative and the reorder point never drops as service rises."""
    fc = _forecast()
    prev = None
    for sl in (0.5, 0.8, 0.9, 0.95, 0.99):
        plan = reorder_points(fc, lead_time=2, service_level=sl)
        assert (plan.safety_stock >= 0).all()
        if prev is not None:
            assert (plan.reorder_point >= prev).all()
        prev = plan.reorder_point


def test_prestock_list() -> None:
    """Pre-stocking suggests target - on hand for the series short of stock, largest first."""
    fc = (
        Naive()
        .fit(DemandPanel.from_array([[3, 4, 5], [0, 0, 1], [9, 9, 9]], series_ids=["a", "b", "c"]))
        .predict(1)
    )
    res = prestock(fc, on_hand=[2, 5, 0], service_level=0.9)
    assert isinstance(res, PrestockList)
    assert ["c", "a"] == res.series_ids.tolist()
    np.testing.assert_array_equal(res.target_stock - res.on_hand, res.suggested)
    assert (res.suggested > 0).all()
    assert res.total_units == float(res.suggested.sum())
    assert "Pre-stocking" in res._repr_html_()


def test_bad_input() -> None:
    """Lead time beyond the horizon, a bad service level and a wrong on-hand vector name the field."""
    fc = _forecast()
    with pytest.raises(ValidationError) as exc:
        reorder_points(fc, lead_time=7)
    assert "$.lead_time" == exc.value.field
    with pytest.raises(ValidationError) as exc:
        reorder_points(fc, lead_time=2, service_level=1.0)
    assert "$.service_level" == exc.value.field
    with pytest.raises(ValidationError) as exc:
        prestock(fc, on_hand=[1, 2])
    assert "$.on_hand" == exc.value.field
