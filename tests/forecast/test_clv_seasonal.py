"""The seasonal purchase-rate index on the UCI Online Retail log (issue 4 §6)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from distcrm.data import TransactionLog
from distcrm.forecast import BetaGeoModel, SeasonalPurchaseModel

RETAIL = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "distcrm"
    / "datasets"
    / "data"
    / "retail"
    / "online_retail_a.csv.gz"
)


@pytest.fixture(scope="module")
def retail() -> tuple[TransactionLog, object]:
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(RETAIL, dtype={"InvoiceNo": str, "StockCode": str})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = TransactionLog.from_frame(
            df,
            customer="CustomerID",
            timestamp="InvoiceDate",
            item="StockCode",
            quantity="Quantity",
            price="UnitPrice",
            order="InvoiceNo",
            cancelled_prefix="C",
        )
    s = log.summary(unit="D", calibration_end="2011-09-08", observation_end="2011-12-09")
    return log, s


def test_stationary_bgnbd_is_degenerate_but_finite(retail: tuple[TransactionLog, object]) -> None:
    """lifetimes drives a to 0.004 and returns NaN; we warn and return finite forecasts, ~-25 % in aggregate."""
    _, s = retail
    with pytest.warns(Warning, match="degenerate"):
        m = BetaGeoModel().fit(s)  # type: ignore[arg-type]
    assert m.params_["a"] < 0.01
    ev = m.evaluate(s)  # type: ignore[arg-type]
    assert np.isfinite(m.expected_purchases(92, s)).all()  # type: ignore[arg-type]
    assert -0.30 < ev.aggregate_error < -0.20


def test_seasonal_index_halves_the_aggregate_error(retail: tuple[TransactionLog, object]) -> None:
    """The annual purchase-rate index cuts the 92-day aggregate error at least in half and improves every low bucket."""
    log, s = retail
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = SeasonalPurchaseModel().fit(s, log)  # type: ignore[arg-type]
    ev = sm.evaluate(s)  # type: ignore[arg-type]
    base = sm.model_.evaluate(s)  # type: ignore[arg-type]
    assert abs(ev.aggregate_error) < 0.5 * abs(base.aggregate_error)
    assert (np.abs(ev.predicted - ev.actual)[:4] < np.abs(base.predicted - base.actual)[:4]).all()
    assert 2 == len(sm.closures_)  # the Christmas shutdown weeks
    assert sm.index(["2011-11-15"])[0] > sm.index(["2011-07-01"])[0]
