"""Tests of item demand panels and item forecasts on Dask against one machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from distcrm.data import TransactionLog
from distcrm.errors import ValidationError
from distcrm.forecast import ADIDA, AutoForecaster, Croston
from distcrm.scale import forecast_items, item_demand_panel


def test_panel_units_equal_exactly(client: Any, parts: Path, log: TransactionLog) -> None:
    """Whole-number demand summed over partitions equals the single-machine panel exactly."""
    expected = log.demand_panel("W")
    actual = item_demand_panel(parts, "W", client=client)
    assert expected.equals(actual)
    assert expected.item_ids is not None
    assert actual.item_ids is not None
    assert expected.item_ids.tolist() == actual.item_ids.tolist()


def test_panel_money_equal_to_reordering(client: Any, hashed: Path, log: TransactionLog) -> None:
    """Money per item and month equals one machine up to floating-point reordering (rtol 1e-12)."""
    expected = log.demand_panel("M", value="amount")
    actual = item_demand_panel(hashed, "M", value="amount", client=client)
    assert expected.series_ids.tolist() == actual.series_ids.tolist()
    np.testing.assert_allclose(expected.values, actual.values, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("forecaster", [Croston(), ADIDA(), AutoForecaster()], ids=lambda f: type(f).__name__)
def test_forecasts_equal_single_machine(client: Any, log: TransactionLog, forecaster: Any) -> None:
    """Blocks of series fitted on workers give exactly the single-machine means and variances."""
    panel = log.demand_panel("W")
    expected = forecaster.fit(panel).predict(4)
    actual = forecast_items(panel, forecaster, 4, series_per_partition=7, client=client)
    np.testing.assert_array_equal(expected.mean, actual.mean)
    np.testing.assert_array_equal(expected.variance, actual.variance)
    assert expected.family == actual.family
    assert expected.series_ids.tolist() == actual.series_ids.tolist()
    assert expected.method.tolist() == actual.method.tolist()
    np.testing.assert_array_equal(expected.quantiles([0.1, 0.9]), actual.quantiles([0.1, 0.9]))


def test_forecasts_from_parquet(client: Any, parts: Path, log: TransactionLog) -> None:
    """Given a Parquet source, the item panel is built first and then forecast."""
    expected = Croston().fit(log.demand_panel("W")).predict(3)
    actual = forecast_items(parts, Croston(), 3, client=client)
    np.testing.assert_array_equal(expected.mean, actual.mean)


def test_forecasts_bad_block_size(log: TransactionLog) -> None:
    """A block size below 1 raises a ValidationError naming it."""
    with pytest.raises(ValidationError) as err:
        forecast_items(log.demand_panel("W"), Croston(), 3, series_per_partition=0)
    assert "$.series_per_partition" == err.value.errors[0].path
