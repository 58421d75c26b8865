"""Intermittent methods against statsforecast 2.1.1 reference forecasts (fixtures)."""

from __future__ import annotations

import collections
import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from distcrm.data import DemandPanel
from distcrm.forecast import ADIDA, IMAPA, TSB, Croston, CrostonOptimized, CrostonSBA

DATA = Path(__file__).parents[1] / "data" / "forecast"
MODELS = {
    "Croston": Croston,
    "CrostonSBA": CrostonSBA,
    "CrostonOptimized": CrostonOptimized,
    "TSB": lambda: TSB(alpha_d=0.2, alpha_p=0.1),
    "ADIDA": ADIDA,
    "IMAPA": IMAPA,
}


def _reference() -> dict[tuple[str, str], dict[str, float]]:
    ref: dict[tuple[str, str], dict[str, float]] = collections.defaultdict(dict)
    with (DATA / "statsforecast_intermittent.csv").open() as f:
        for r in csv.DictReader(f):
            ref[(r["group"], r["method"])][r["series_id"]] = float(r["forecast"])
    return ref


def _edge_panels() -> dict[str, DemandPanel]:
    groups: dict[str, dict[str, list[float]]] = collections.defaultdict(dict)
    with (DATA / "edge_series.csv").open() as f:
        for r in csv.DictReader(f):
            groups[r["group"]][r["series_id"]] = [float(v) for v in r["values"].split()]
    return {g: DemandPanel.from_array(list(s.values()), series_ids=list(s)) for g, s in groups.items()}


REF = _reference()


@pytest.mark.parametrize("method", list(MODELS))
def test_matches_statsforecast_on_carparts(method: str, carparts: DemandPanel) -> None:
    """Every intermittent method reproduces statsforecast on the 1,256 complete carparts series (39 months)."""
    train = carparts.window(0, 39)
    got = MODELS[method]().fit(train).predict(3).mean
    expected = np.array([REF[("carparts39", method)][s] for s in train.series_ids])
    np.testing.assert_allclose(got[:, 0], expected, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(got[:, 0], got[:, 2])


@pytest.mark.parametrize("method", list(MODELS))
def test_matches_statsforecast_on_edge_series(method: str) -> None:
    """All-zero, single-demand, first/last-period, leading-zero, constant, short and non-integer series match."""
    for group, panel in _edge_panels().items():
        got = MODELS[method]().fit(panel).predict(1).mean[:, 0]
        expected = np.array([REF[(group, method)][s] for s in panel.series_ids])
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9, err_msg=group)


def test_all_zero_forecasts_zero() -> None:
    """An all-zero series forecasts 0 with a zero-width interval under every method."""
    panel = DemandPanel.from_array([[0.0] * 10, [0, 1, 0, 0, 2, 0, 0, 1, 0, 0]])
    for make in MODELS.values():
        fc = make().fit(panel).predict(2)
        assert [0.0, 0.0] == fc.mean[0].tolist()
        assert [0.0, 0.0] == fc.interval(0.9)[1][0].tolist()


def test_sba_is_095_croston() -> None:
    """SBA is exactly 0.95 times Croston."""
    panel = DemandPanel.from_array([[0, 3, 0, 0, 1, 0, 5, 0, 0, 2]])
    c = Croston().fit(panel).predict(1).mean
    s = CrostonSBA().fit(panel).predict(1).mean
    np.testing.assert_allclose(0.95 * c, s, rtol=1e-15)


def test_tsb_rejects_bad_alpha() -> None:
    """TSB names the bad smoothing weight."""
    from distcrm.errors import ValidationError

    panel = DemandPanel.from_array([[0, 1, 0, 2]])
    with pytest.raises(ValidationError) as exc:
        TSB(alpha_d=1.5, alpha_p=0.1).fit(panel)
    assert "$.alpha_d" == exc.value.field


@pytest.mark.parametrize("make", [Croston, lambda: TSB(alpha_d=0.2, alpha_p=0.1)])
@pytest.mark.parametrize("where", [0, 299, 5000])
def test_count_data_sees_one_fraction_anywhere(make: Callable[[], Croston | TSB], where: int) -> None:
    """One non-integer demand in any sub-block or block makes the forecast family normal."""
    rng = np.random.default_rng(1)
    y = rng.poisson(0.5, (5003, 20)).astype(np.float64)
    assert make().fit(DemandPanel.from_array(y)).count_data_
    y[where, 3] = 1.5
    fc = make().fit(DemandPanel.from_array(y))
    assert not fc.count_data_
    assert "normal" == fc.predict(1).family
