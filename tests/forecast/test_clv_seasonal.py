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


def test_seasonal_index_gets_the_aggregate_within_ten_percent(retail: tuple[TransactionLog, object]) -> None:
    """Issue 4 §6: the purchase-rate index brings the 92-day aggregate from -26.6 % to -4.2 %, buckets stay calibrated."""
    log, s = retail
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = SeasonalPurchaseModel().fit(s, log)  # type: ignore[arg-type]
    ev = sm.evaluate(s)  # type: ignore[arg-type]
    base = sm.model_.evaluate(s)  # type: ignore[arg-type]
    assert "-0.266" == f"{base.aggregate_error:.3f}"
    assert "-0.042" == f"{ev.aggregate_error:.3f}"
    assert abs(ev.aggregate_error) < 0.10
    # per frequency bucket: every bucket closer, on average by more than half
    assert (np.abs(ev.predicted - ev.actual) < np.abs(base.predicted - base.actual)).all()
    assert np.abs(ev.predicted - ev.actual).mean() < 0.5 * np.abs(base.predicted - base.actual).mean()
    assert ev.mae < 1.02 * base.mae  # per customer as good as the stationary model
    assert 2 == len(sm.closures_)  # the Christmas shutdown weeks
    assert sm.index(["2011-11-15"])[0] > sm.index(["2011-07-01"])[0]


def test_index_is_flat_without_seasonality() -> None:
    """On a stationary BG/NBD log with churn and a growing base, the index stays near 1 and so does the adjustment."""
    rng = np.random.default_rng(7)
    n = 1500
    first = rng.integers(0, 500, n)
    lam = rng.gamma(2.0, 1 / 40.0, n)
    p = rng.beta(1.0, 6.0, n)
    cust: list[int] = []
    days: list[float] = []
    for i in range(n):  # a small simulation, one customer at a time
        t = float(first[i])
        cust.append(i)
        days.append(t)
        while True:
            t += rng.exponential(1 / lam[i])
            if t > 640:
                break
            cust.append(i)
            days.append(t)
            if rng.random() < p[i]:
                break
    ts = np.datetime64("2022-01-01") + (np.array(days) * 86400).astype("timedelta64[s]")
    log = TransactionLog.from_arrays(customer=np.array([f"c{i:05d}" for i in cust]), timestamp=ts)
    s = log.summary(unit="D", calibration_end="2023-06-01", observation_end="2023-09-01", monetary=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = SeasonalPurchaseModel().fit(s, log)
    week = np.arange(np.datetime64("2022-06-01"), np.datetime64("2023-06-01"), 7)
    ix = sm.index(week)
    assert 0.9 < ix.min()
    assert ix.max() < 1.1
    adj = sm.adjustment(s.duration_holdout, s)
    assert 0.95 < adj.min()
    assert adj.max() < 1.05
