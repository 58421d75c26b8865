"""Plots: forecasts with intervals for chosen series, backtest error by method (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from distcrm.data import DemandPanel
from distcrm.errors import ValidationError
from distcrm.forecast import TSB, CrostonSBA, Naive, backtest
from distcrm.forecast._plot import plot_backtests


def _panel() -> DemandPanel:
    y = np.array([[0, 2, 0, 0, 3, 0, 1, 0, 0, 2, 0, 4, 0, 1, 0, 0] * 2, [5, 7, 6, 8] * 8], dtype=float)
    return DemandPanel.from_array(y, series_ids=["a", "b"], start="2024-01-01", freq="W")


def test_forecast_plot_draws_history_forecast_interval_and_actuals() -> None:
    """One series: a history line, a forecast line on calendar dates, a shaded interval and the actual dots."""
    train, test = _panel().split(4)
    fc = CrostonSBA().fit(train).predict(4)
    ax = fc.plot(series="a", history=train, actual=test)
    assert 3 == len(ax.lines)
    assert 1 == len(ax.collections)
    assert "period" == ax.get_xlabel()
    plt.close(ax.figure)


def test_forecast_plot_rejects_unknown_series() -> None:
    """An unknown series id raises a ValidationError naming it."""
    fc = Naive().fit(_panel()).predict(2)
    with pytest.raises(ValidationError) as exc:
        fc.plot(series="zzz")
    assert "$.series" == exc.value.field
    plt.close("all")


def test_backtest_plot_one_bar_per_method() -> None:
    """plot_backtests draws one bar per method."""
    p = _panel()
    res = {
        "SBA": backtest(CrostonSBA(), p, horizon=4, n_windows=2),
        "TSB": backtest(TSB(), p, horizon=4, n_windows=2),
    }
    ax = plot_backtests(res, metric="mae")
    assert 2 == len(ax.patches)
    plt.close(ax.figure)
