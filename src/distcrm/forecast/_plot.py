"""Matplotlib figures for forecasts and backtests (the ``plot`` extra, imported lazily)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from distcrm._optional import import_optional
from distcrm.errors import ValidationError

if TYPE_CHECKING:
    from distcrm.data import DemandPanel
    from distcrm.forecast._base import Forecast
    from distcrm.forecast._evaluate import BacktestResult

__all__ = ["plot_backtests", "plot_forecast"]


def _axes(ax: Any, feature: str) -> Any:
    plt = import_optional("matplotlib.pyplot", feature=feature)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    return ax


def plot_forecast(
    fc: Forecast,
    series: Any,
    ax: Any,
    *,
    history: DemandPanel | None,
    actual: DemandPanel | None,
    level: float,
) -> Any:
    """Forecast means with their ``level`` interval for the chosen series."""
    ax = _axes(ax, "Forecast.plot")
    ids = fc.series_ids.tolist()
    chosen = ids[:4] if series is None else ([series] if isinstance(series, str) else list(series))
    lo, hi = fc.interval(level)
    t0 = 0 if history is None else history.n_periods
    steps: Any = np.arange(t0, t0 + fc.h)
    past: Any = np.arange(t0)
    dated = fc.periods is not None and (history is None or history.periods is not None)
    if dated:  # calendar dates on the x axis
        steps = fc.periods
        if history is not None:
            past = history.periods
    for sid in chosen:
        if sid not in ids:
            raise ValidationError.single("series", sid, "is not a series of this forecast")
        i = ids.index(sid)
        line = ax.plot(steps, fc.mean[i], label=f"{sid} forecast, {level:.0%} interval")[0]
        ax.fill_between(steps, lo[i], hi[i], color=line.get_color(), alpha=0.2, step="mid")
        if history is not None:
            ax.plot(past, history.values[i], color=line.get_color(), lw=1)
        if actual is not None:
            ax.plot(steps, actual.values[i], "o", color=line.get_color(), ms=3)
    ax.set_xlabel("period" if dated else "period index")
    ax.set_ylabel("demand")
    ax.set_title(f"Forecast with {level:.0%} interval")
    ax.legend(fontsize="small")
    return ax


def plot_backtests(results: Mapping[str, BacktestResult], metric: str = "mase", ax: Any = None) -> Any:
    """Backtest error by method: one bar per method (mean over windows), dots per window."""
    ax = _axes(ax, "backtest plots")
    names = list(results)
    for j, name in enumerate(names):
        per = [w.summary()[metric] for w in results[name].windows]
        ax.bar(j, float(np.mean(per)), color="C0", alpha=0.6)
        ax.plot([j] * len(per), per, "k.", ms=4)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylabel(metric.upper())
    ax.set_title("Backtest error by method")
    return ax
