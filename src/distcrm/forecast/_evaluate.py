"""Accuracy metrics, rolling-origin backtests and Syntetos–Boylan demand classification.

MASE and RMSSE divide by the in-sample mean absolute (squared) one-step naive
difference of each series. A series whose history is constant has scale 0: it is
listed in ``excluded_ids`` and left out of the scaled metrics, never turned into
NaN or inf.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, clone
from distcrm.data import DemandPanel
from distcrm.errors import ValidationError
from distcrm.forecast._base import Forecast, check_horizon, check_int, check_panel

__all__ = ["Accuracy", "BacktestResult", "DemandClasses", "backtest", "classify_demand", "evaluate"]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen(eq=False, kw_only=True)
class Accuracy:
    """Per-series accuracy of a forecast against what happened.

    ``mae``, ``rmse``, ``bias`` (mean forecast minus actual), ``coverage`` (share of
    periods inside the central ``level`` interval) and ``pinball`` (mean quantile loss
    over ``quantile_levels``) have one value per series; ``mase`` and ``rmsse`` one per
    series in ``scaled_ids`` (non-zero scale). ``excluded_ids`` lists the series with
    zero scale.
    """

    series_ids: npt.NDArray[np.object_]
    mae: FloatArray
    rmse: FloatArray
    bias: FloatArray
    coverage: FloatArray
    pinball: FloatArray
    scaled_ids: npt.NDArray[np.object_]
    mase: FloatArray
    rmsse: FloatArray
    excluded_ids: npt.NDArray[np.object_]
    level: float
    quantile_levels: tuple[float, ...]

    def summary(self) -> dict[str, float]:
        """The mean of every metric over series (scaled ones over ``scaled_ids``)."""
        out = {
            "mae": float(self.mae.mean()),
            "rmse": float(self.rmse.mean()),
            "mase": float(self.mase.mean()) if self.mase.size else float("nan"),
            "rmsse": float(self.rmsse.mean()) if self.rmsse.size else float("nan"),
            "bias": float(self.bias.mean()),
            "coverage": float(self.coverage.mean()),
            "pinball": float(self.pinball.mean()),
            "n_series": float(self.mae.size),
            "n_excluded": float(self.excluded_ids.size),
        }
        return out

    def to_frame(self) -> Any:
        """One row per series (pandas)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="Accuracy.to_frame")
        df = pd.DataFrame(
            {
                "mae": self.mae,
                "rmse": self.rmse,
                "bias": self.bias,
                "coverage": self.coverage,
                "pinball": self.pinball,
            },
            index=pd.Index(self.series_ids, name="series_id"),
        )
        scaled = pd.DataFrame({"mase": self.mase, "rmsse": self.rmsse}, index=pd.Index(self.scaled_ids))
        return df.join(scaled)

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><th>{k}</th><td>{v:.4g}</td></tr>" for k, v in self.summary().items())
        return f"<div><b>Accuracy</b><table>{cells}</table></div>"


def _scale(history: FloatArray) -> tuple[FloatArray, FloatArray]:
    d = np.diff(history, axis=1)
    if d.shape[1] == 0:
        z = np.zeros(history.shape[0])
        return z, z
    return np.abs(d).mean(axis=1), (d * d).mean(axis=1)


def evaluate(
    forecast: Forecast,
    actual: DemandPanel,
    history: DemandPanel,
    *,
    level: float = 0.9,
    quantile_levels: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9),
) -> Accuracy:
    """Score ``forecast`` against ``actual`` (same series, ``h`` periods), scaled by ``history``.

    Examples
    --------
    >>> from distcrm.forecast import Naive
    >>> train, test = DemandPanel.from_array([[1, 3, 2, 4, 3, 5]]).split(2)
    >>> acc = evaluate(Naive().fit(train).predict(2), test, train)
    >>> round(acc.summary()["mase"], 3)
    0.6
    """
    y = check_panel(actual, field="actual")
    hist = check_panel(history, field="history")
    if y.shape != forecast.mean.shape:
        raise ValidationError.single(
            "actual", y.shape, f"must match the forecast's shape {forecast.mean.shape}"
        )
    if hist.shape[0] != y.shape[0]:
        raise ValidationError.single("history", hist.shape, f"must have {y.shape[0]} series")
    err = forecast.mean - y
    lo, hi = forecast.interval(level)
    qs = tuple(float(q) for q in quantile_levels)
    q = forecast.quantiles(qs)
    lv = np.asarray(qs)[None, None, :]
    diff = y[..., None] - q
    pin = np.maximum(lv * diff, (lv - 1.0) * diff).mean(axis=(1, 2))
    s1, s2 = _scale(hist)
    ok = s1 > 0
    mae = np.abs(err).mean(axis=1)
    mse = (err * err).mean(axis=1)
    ids = actual.series_ids
    return Accuracy(
        series_ids=ids,
        mae=mae,
        rmse=np.sqrt(mse),
        bias=err.mean(axis=1),
        coverage=((y >= lo) & (y <= hi)).mean(axis=1),
        pinball=pin,
        scaled_ids=ids[ok],
        mase=mae[ok] / s1[ok],
        rmsse=np.sqrt(mse[ok] / s2[ok]),
        excluded_ids=ids[~ok],
        level=float(level),
        quantile_levels=qs,
    )


@attrs.frozen(eq=False, kw_only=True)
class BacktestResult:
    """Accuracy of one forecaster over rolling origins (``windows[i]`` is origin ``i``)."""

    method: str
    horizon: int
    origins: tuple[int, ...]
    windows: tuple[Accuracy, ...]

    def summary(self) -> dict[str, float]:
        """Metric means over windows."""
        sums = [w.summary() for w in self.windows]
        return {k: float(np.mean([s[k] for s in sums])) for k in sums[0]}

    def to_frame(self) -> Any:
        """One row per window (pandas)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="BacktestResult.to_frame")
        rows = [
            {"method": self.method, "origin": o, **w.summary()}
            for o, w in zip(self.origins, self.windows, strict=True)
        ]
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><th>{k}</th><td>{v:.4g}</td></tr>" for k, v in self.summary().items())
        return f"<div><b>Backtest {self.method}</b> ({len(self.windows)} windows, h={self.horizon})<table>{cells}</table></div>"

    def plot(self, metric: str = "mase", ax: Any = None) -> Any:
        """The metric per origin (matplotlib axes)."""
        from distcrm.forecast._plot import plot_backtests

        return plot_backtests({self.method: self}, metric=metric, ax=ax)


def backtest(
    forecaster: BaseEstimator,
    panel: DemandPanel,
    horizon: int,
    n_windows: int = 3,
    *,
    step: int | None = None,
    level: float = 0.9,
) -> BacktestResult:
    """Refit ``forecaster`` at ``n_windows`` rolling origins and score each ``horizon``-step forecast.

    The last window ends at the last period; origins are ``step`` (default ``horizon``)
    periods apart.

    Examples
    --------
    >>> from distcrm.forecast import Naive
    >>> p = DemandPanel.from_array([[1, 3, 2, 4, 3, 5, 4, 6, 5, 7]])
    >>> res = backtest(Naive(), p, horizon=2, n_windows=2)
    >>> res.origins
    (6, 8)
    """
    check_panel(panel)
    h = check_horizon(horizon)
    w = check_int("n_windows", n_windows)
    s = h if step is None else check_int("step", step)
    first = panel.n_periods - h - (w - 1) * s
    if first < 2:
        raise ValidationError.single(
            "n_windows", n_windows, f"leaves {first} periods before the first origin; need at least 2"
        )
    origins = tuple(first + i * s for i in range(w))
    accs = []
    for o in origins:
        train = panel.window(0, o)
        test = panel.window(o, o + h)
        model: Any = clone(forecaster)
        accs.append(evaluate(model.fit(train).predict(h), test, train, level=level))
    return BacktestResult(method=type(forecaster).__name__, horizon=h, origins=origins, windows=tuple(accs))


_LABELS = np.array(["smooth", "erratic", "intermittent", "lumpy", "no demand"], dtype=object)


@attrs.frozen(eq=False, kw_only=True)
class DemandClasses:
    """Syntetos–Boylan classes: ADI (mean periods per demand) and CV² of the demand sizes.

    Cut-offs ADI = 1.32 and CV² = 0.49 (Syntetos, Boylan & Croston 2005).
    """

    series_ids: npt.NDArray[np.object_]
    adi: FloatArray
    cv2: FloatArray
    label: npt.NDArray[np.object_]

    def counts(self) -> dict[str, int]:
        """How many series fall in each class."""
        return {str(k): int((self.label == k).sum()) for k in _LABELS}

    def to_frame(self) -> Any:
        """One row per series (pandas)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="DemandClasses.to_frame")
        return pd.DataFrame(
            {"adi": self.adi, "cv2": self.cv2, "label": self.label},
            index=pd.Index(self.series_ids, name="series_id"),
        )

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in self.counts().items())
        return f"<div><b>Demand classes</b><table>{cells}</table></div>"


def classify_demand(
    panel: DemandPanel, *, adi_cutoff: float = 1.32, cv2_cutoff: float = 0.49
) -> DemandClasses:
    """Classify each series as smooth, erratic, intermittent, lumpy (or no demand).

    Examples
    --------
    >>> p = DemandPanel.from_array([[3, 4, 3, 5], [0, 0, 7, 0], [0, 0, 0, 0]])
    >>> classify_demand(p).label.tolist()
    ['smooth', 'intermittent', 'no demand']
    """
    y = check_panel(panel)
    nz = y > 0
    k = nz.sum(axis=1)
    t = y.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        adi = np.where(k > 0, t / np.maximum(k, 1), np.inf)
        s1 = y.sum(axis=1)
        s2 = (y * y).sum(axis=1)
        mean = s1 / np.maximum(k, 1)
        var = np.maximum(s2 / np.maximum(k, 1) - mean * mean, 0.0)
        cv2 = np.where(k > 0, var / np.where(mean > 0, mean * mean, 1.0), 0.0)
    code = (adi >= adi_cutoff).astype(np.int64) * 2 + (cv2 >= cv2_cutoff)
    code = np.where(k > 0, code, 4)
    return DemandClasses(series_ids=panel.series_ids, adi=adi, cv2=cv2, label=_LABELS[code])


def compare(results: Mapping[str, BacktestResult]) -> dict[str, dict[str, float]]:
    """``{method: summary}`` for several backtests."""
    return {k: v.summary() for k, v in results.items()}
