"""Simple benchmarks: ``Naive``, ``SeasonalNaive`` and ``MovingAverage``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from distcrm.forecast._base import BaseForecaster, check_int, flat

__all__ = ["MovingAverage", "Naive", "SeasonalNaive"]

FloatArray = npt.NDArray[np.float64]


class Naive(BaseForecaster):
    """The last observed value, repeated; variance grows linearly (a random walk).

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> Naive().fit(DemandPanel.from_array([[1, 2, 3]])).predict(2).mean.tolist()
    [[3.0, 3.0]]
    """

    def __init__(self) -> None:
        pass

    def _fit(self, y: FloatArray) -> None:
        self.level_ = y[:, -1].copy()
        self.fitted_ = np.concatenate([np.full((y.shape[0], 1), np.nan), y[:, :-1]], axis=1)

    def _mean(self, h: int) -> FloatArray:
        return flat(self.level_, h)

    def _horizon_factor(self, h: int) -> FloatArray:
        return np.arange(1, h + 1, dtype=np.float64)[None, :]


class SeasonalNaive(BaseForecaster):
    """The value one season ago: the last ``season_length`` values, repeated.

    Needs at least ``season_length`` periods of history.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> SeasonalNaive(season_length=2).fit(DemandPanel.from_array([[1, 5, 2, 6]])).predict(3).mean.tolist()
    [[2.0, 6.0, 2.0]]
    """

    def __init__(self, season_length: int = 12) -> None:
        self.season_length = season_length

    def _check_params(self) -> None:
        check_int("season_length", self.season_length)

    def _needed_periods(self) -> int:
        return int(self.season_length)

    def _fit(self, y: FloatArray) -> None:
        m = int(self.season_length)
        self.last_season_ = y[:, -m:].copy()
        self.fitted_ = np.concatenate([np.full((y.shape[0], m), np.nan), y[:, :-m]], axis=1)

    def _mean(self, h: int) -> FloatArray:
        m = int(self.season_length)
        idx = np.arange(h) % m
        out: FloatArray = self.last_season_[:, idx]
        return out

    def _horizon_factor(self, h: int) -> FloatArray:
        m = int(self.season_length)
        out: FloatArray = (np.arange(h) // m + 1.0)[None, :].astype(np.float64)
        return out


class MovingAverage(BaseForecaster):
    """The mean of the last ``window`` periods, repeated.

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> MovingAverage(window=2).fit(DemandPanel.from_array([[1, 2, 4]])).predict(1).mean.tolist()
    [[3.0]]
    """

    def __init__(self, window: int = 3) -> None:
        self.window = window

    def _check_params(self) -> None:
        check_int("window", self.window)

    def _needed_periods(self) -> int:
        return int(self.window)

    def _fit(self, y: FloatArray) -> None:
        w = int(self.window)
        self.level_ = y[:, -w:].mean(axis=1)
        c = np.cumsum(np.concatenate([np.zeros((y.shape[0], 1)), y], axis=1), axis=1)
        fitted = np.full(y.shape, np.nan)
        if y.shape[1] > w:
            fitted[:, w:] = (c[:, w:-1] - c[:, : -w - 1]) / w
        self.fitted_ = fitted

    def _mean(self, h: int) -> FloatArray:
        return flat(self.level_, h)
