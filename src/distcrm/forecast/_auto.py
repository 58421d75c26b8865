"""``AutoForecaster``: one method per series, chosen by rolling-origin validation or by demand class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm._estimator import clone
from distcrm.errors import ValidationError
from distcrm.forecast._base import BaseForecaster, Forecast, check_int
from distcrm.forecast._ets import SES
from distcrm.forecast._evaluate import _LABELS, classify_demand
from distcrm.forecast._intermittent import ADIDA, IMAPA, TSB, CrostonSBA
from distcrm.forecast._simple import MovingAverage

__all__ = ["AutoForecaster"]

FloatArray = npt.NDArray[np.float64]

_SELECTIONS = ("validation", "class", "combine")


def default_candidates() -> dict[str, BaseForecaster]:
    """The default pool: ADIDA, IMAPA, TSB, SBA, SES and a 12-period moving average."""
    return {
        "ADIDA": ADIDA(),
        "IMAPA": IMAPA(),
        "TSB": TSB(alpha_d=0.1, alpha_p=0.1),
        "CrostonSBA": CrostonSBA(),
        "SES": SES(),
        "MovingAverage": MovingAverage(window=12),
    }


#: the class-based rule: Syntetos–Boylan's recommendation (SBA for intermittent and
#: lumpy demand, SES otherwise), with ADIDA for lumpy demand
_BY_CLASS = {
    "smooth": "SES",
    "erratic": "SES",
    "intermittent": "CrostonSBA",
    "lumpy": "ADIDA",
    "no demand": "CrostonSBA",
}


class AutoForecaster(BaseForecaster):
    """Pick a forecasting method per series.

    Parameters
    ----------
    candidates
        ``{name: forecaster}``; default :func:`default_candidates`.
    selection
        ``"validation"``: per series, the candidate with the smallest mean absolute
        error over ``n_windows`` rolling origins of ``horizon`` periods at the end of
        the history (each candidate refitted at each origin, all series at once);
        ``"class"``: by Syntetos–Boylan class (smooth/erratic → SES, intermittent →
        SBA, lumpy → ADIDA); ``"combine"``: the equal-weight mean of all candidates.
    horizon, n_windows
        The validation windows.

    Attributes
    ----------
    choice_
        The chosen candidate name per series.
    scores_
        ``(n_series, n_candidates)`` validation MAE (``"validation"`` only).

    Examples
    --------
    >>> from distcrm.data import DemandPanel
    >>> p = DemandPanel.from_array([[0, 2, 0, 0, 3, 0, 1, 0, 0, 2, 0, 1] * 2, list(range(24))])
    >>> auto = AutoForecaster(horizon=3, n_windows=2).fit(p)
    >>> auto.predict(3).mean.shape
    (2, 3)
    """

    def __init__(
        self,
        candidates: Mapping[str, BaseForecaster] | None = None,
        selection: str = "validation",
        horizon: int = 6,
        n_windows: int = 2,
    ) -> None:
        self.candidates = candidates
        self.selection = selection
        self.horizon = horizon
        self.n_windows = n_windows

    def _pool(self) -> dict[str, BaseForecaster]:
        return dict(default_candidates() if self.candidates is None else self.candidates)

    def _check_params(self) -> None:
        if self.selection not in _SELECTIONS:
            raise ValidationError.single("selection", self.selection, f"must be one of {list(_SELECTIONS)}")
        check_int("horizon", self.horizon)
        check_int("n_windows", self.n_windows)
        pool = self._pool()
        if not pool:
            raise ValidationError.single("candidates", pool, "must name at least one forecaster")
        if self.selection == "class":
            missing = sorted(set(_BY_CLASS.values()) - set(pool))
            if missing:
                raise ValidationError.single("candidates", sorted(pool), f"selection='class' needs {missing}")

    def _needed_periods(self) -> int:
        if self.selection != "validation":
            return 2
        return int(self.horizon) * int(self.n_windows) + 2

    def _fit(self, y: FloatArray) -> None:
        from distcrm.data import DemandPanel

        pool = self._pool()
        names = list(pool)
        n, t = y.shape
        panel = DemandPanel.from_array(y)
        if self.selection == "validation":
            h, w = int(self.horizon), int(self.n_windows)
            scores = np.zeros((n, len(names)))
            for i in range(w):
                o = t - h * (w - i)
                train, test = panel.window(0, o), y[:, o : o + h]
                for j, name in enumerate(names):
                    model: Any = clone(pool[name])
                    pred = model.fit(train).predict(h).mean
                    scores[:, j] += np.abs(pred - test).mean(axis=1)
            self.scores_ = scores / w
            pick = self.scores_.argmin(axis=1)
        elif self.selection == "class":
            labels = classify_demand(panel).label
            pick = np.zeros(n, dtype=np.int64)
            for lab in _LABELS.tolist():
                pick[labels == lab] = names.index(_BY_CLASS[str(lab)])
        else:
            pick = np.full(n, -1, dtype=np.int64)
        self.fitted_models_ = {name: clone(pool[name]).fit(panel) for name in names}  # type: ignore[attr-defined]
        self.names_ = names
        self._pick_ = pick
        self.choice_ = np.array(["combine" if p < 0 else names[p] for p in pick.tolist()], dtype=object)

    def _combine(self, h: int) -> tuple[FloatArray, FloatArray]:
        fcs: list[Forecast] = [m.predict(h) for m in self.fitted_models_.values()]
        if self.selection == "combine":
            mean = np.mean([f.mean for f in fcs], axis=0)
            var = np.mean([f.variance for f in fcs], axis=0)
            return mean, var
        mean = np.empty_like(fcs[0].mean)
        var = np.empty_like(fcs[0].variance)
        for j, f in enumerate(fcs):
            rows = self._pick_ == j
            mean[rows] = f.mean[rows]
            var[rows] = f.variance[rows]
        return mean, var

    def _mean(self, h: int) -> FloatArray:
        return self._combine(h)[0]

    def predict(self, h: int) -> Forecast:
        """Forecast ``h`` periods ahead with each series' chosen method."""
        fc = super().predict(h)
        mean, var = self._combine(fc.h)
        import attrs

        return attrs.evolve(fc, mean=np.maximum(mean, 0.0), variance=var, method=self.choice_.copy())

    def _variance(self, y: FloatArray) -> FloatArray:
        return np.zeros(y.shape[0])  # replaced per step in predict
