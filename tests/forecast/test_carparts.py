"""Published-data targets on carparts: AutoForecaster beats every single method; 90 % intervals cover 88-92 %."""

from __future__ import annotations

import numpy as np
import pytest

from distcrm.data import DemandPanel
from distcrm.errors import NotFittedError, ValidationError
from distcrm.forecast import (
    ADIDA,
    ETS,
    IMAPA,
    SES,
    TSB,
    AutoForecaster,
    Croston,
    CrostonSBA,
    Holt,
    MovingAverage,
    Naive,
    SeasonalNaive,
    backtest,
    classify_demand,
    evaluate,
    reorder_points,
)

SPLIT = tuple[DemandPanel, DemandPanel]


@pytest.fixture(scope="module")
def auto_forecast(carparts_split: SPLIT):  # type: ignore[no-untyped-def]
    train, _ = carparts_split
    return AutoForecaster().fit(train).predict(12)


def test_auto_beats_every_single_method(carparts_split: SPLIT, auto_forecast) -> None:  # type: ignore[no-untyped-def]
    """AutoForecaster's MASE on carparts (fit 39, test 12) is below every candidate's and Croston's/ETS's."""
    train, test = carparts_split
    auto = evaluate(auto_forecast, test, train).summary()["mase"]
    for model in (
        ADIDA(),
        IMAPA(),
        TSB(0.1, 0.1),
        Croston(),
        CrostonSBA(),
        SES(),
        ETS(),
        MovingAverage(12),
        Naive(),
    ):
        single = evaluate(model.fit(train).predict(12), test, train).summary()["mase"]
        assert auto < single, type(model).__name__


def test_interval_coverage_on_carparts(carparts_split: SPLIT, auto_forecast) -> None:  # type: ignore[no-untyped-def]
    """90 % prediction intervals cover between 88 % and 92 % of the 15,072 test points."""
    _, test = carparts_split
    lo, hi = auto_forecast.interval(0.9)
    cover = float(((test.values >= lo) & (test.values <= hi)).mean())
    assert 0.88 <= cover <= 0.92


def test_zero_scale_series_are_excluded_not_nan(carparts_split: SPLIT) -> None:
    """The 6 carparts series with an all-zero history are listed as excluded; MASE stays finite."""
    train, test = carparts_split
    acc = evaluate(Naive().fit(train).predict(12), test, train)
    assert 6 == acc.excluded_ids.size
    assert np.isfinite(acc.mase).all()
    assert train.n_series - 6 == acc.mase.size


def test_classification_counts(carparts: DemandPanel) -> None:
    """Every series gets one of the five Syntetos-Boylan labels; carparts is mostly intermittent/lumpy."""
    cls = classify_demand(carparts.window(0, 39))
    counts = cls.counts()
    assert carparts.n_series == sum(counts.values())
    assert counts["intermittent"] + counts["lumpy"] > counts["smooth"] + counts["erratic"]


def test_backtest_rolling_origins(carparts_split: SPLIT) -> None:
    """backtest refits at each origin and returns finite metrics for each window."""
    train, _ = carparts_split
    res = backtest(CrostonSBA(), train, horizon=6, n_windows=3)
    assert (21, 27, 33) == res.origins
    s = res.summary()
    assert all(np.isfinite(v) for v in s.values())


def test_bad_input() -> None:
    """h <= 0, NaN, short seasonal history and predict-before-fit raise typed errors naming the problem."""
    p = DemandPanel.from_array([[0, 1, 0, 2], [1, float("nan"), 1, 1]])
    with pytest.raises(ValidationError) as exc:
        Croston().fit(p)
    assert "$.panel.values['1'][1]" == exc.value.field
    ok = DemandPanel.from_array([[0, 1, 0, 2]])
    with pytest.raises(ValidationError) as exc:
        Croston().fit(ok).predict(0)
    assert "$.h" == exc.value.field
    with pytest.raises(ValidationError) as exc:
        SeasonalNaive(season_length=12).fit(ok)
    assert "$.panel.n_periods" == exc.value.field
    with pytest.raises(NotFittedError):
        Croston().predict(1)
    with pytest.raises(ValidationError):
        DemandPanel.from_array([[0, -1, 2]])


@pytest.mark.parametrize(
    "make",
    [
        Naive,
        SES,
        MovingAverage,
        Croston,
        TSB,
        lambda: SeasonalNaive(season_length=12),
        lambda: ETS(season_length=12),
    ],
)
def test_predict_variance_is_sigma2_times_horizon_factor(make, carparts_split: SPLIT) -> None:  # type: ignore[no-untyped-def]
    """predict's variance is the one-step variance times the method's horizon factor, whether that
    factor grows with the step (random walks, ETS) or not (the level methods)."""
    train, _ = carparts_split
    model = make().fit(train.take(np.arange(80)))
    fc = model.predict(7)
    np.testing.assert_array_equal(fc.variance, model.sigma2_[:, None] * model._horizon_factor(7))
    np.testing.assert_array_equal(fc.mean, np.maximum(model._mean(7), 0.0))


def test_predict_clips_a_copy_not_the_model() -> None:
    """A falling trend forecasts below zero: predict clips its output at 0 and leaves the model's own
    forecast (a second predict, with a longer horizon) as it was."""
    y = np.maximum(np.linspace(50, 2, 30) + np.random.default_rng(0).normal(0, 1, 30), 0)
    model = Holt().fit(DemandPanel.from_array(y))
    raw = model._mean(10)
    assert (raw < 0).any()
    np.testing.assert_array_equal(model.predict(10).mean, np.maximum(raw, 0.0))
    np.testing.assert_array_equal(model._mean(10), raw)


def test_reorder_point_at_least_mean(carparts_split: SPLIT, auto_forecast) -> None:  # type: ignore[no-untyped-def]
    """Reorder points are the service quantile of lead-time demand: whole units, non-decreasing in service level."""
    p90 = reorder_points(auto_forecast, lead_time=3, service_level=0.9)
    p99 = reorder_points(auto_forecast, lead_time=3, service_level=0.99)
    np.testing.assert_array_equal(np.round(p90.reorder_point), p90.reorder_point)
    assert (p90.safety_stock >= 0).all()
    assert (p99.reorder_point >= p90.reorder_point).all()
