"""The estimator contract and the PurchaseModel protocol over every built-in purchase and spend model."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from distcrm.data import CustomerSummary, TransactionLog
from distcrm.forecast import (
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    PurchaseModel,
    SeasonalPurchaseModel,
)
from distcrm.forecast._purchase._simulate import simulate_bgnbd
from distcrm.testing.estimators import estimator_checks


def _log() -> tuple[TransactionLog, CustomerSummary]:
    rng = np.random.default_rng(3)
    n = 300
    cust = np.repeat(np.arange(n), 4)
    days = np.sort(rng.uniform(0, 400, cust.shape[0]))
    ts = np.datetime64("2023-01-01") + (days * 86400).astype("timedelta64[s]")
    log = TransactionLog.from_arrays(
        customer=np.array([f"c{i:04d}" for i in cust]),
        timestamp=ts,
        amount=rng.gamma(2.0, 20.0, cust.shape[0]),
    )
    return log, log.summary(unit="D", calibration_end="2023-12-01")


SUMMARY = simulate_bgnbd(800, a=2.0, b=3.0, seed=4)
SPEND = CustomerSummary.from_arrays(
    frequency=SUMMARY.frequency,
    recency=SUMMARY.recency,
    T=SUMMARY.T,
    monetary_value=np.where(
        SUMMARY.frequency > 0, np.random.default_rng(1).gamma(3.0, 10.0, len(SUMMARY)), np.nan
    ),
    time_unit="W",
)
LOG, LOG_SUMMARY = _log()

CASES: list[tuple[Any, tuple[Any, ...], Any]] = [
    (BetaGeoModel(), (SUMMARY,), lambda m: m.expected_purchases(4.0, SUMMARY)),
    (ModifiedBetaGeoModel(penalizer=0.01), (SUMMARY,), lambda m: m.p_alive(SUMMARY)),
    (ParetoNBDModel(), (SUMMARY,), lambda m: m.probability_of_purchases(1, 4.0, SUMMARY)),
    (GammaGammaModel(), (SPEND,), lambda m: m.expected_spend(SPEND)),
    (SeasonalPurchaseModel(), (LOG_SUMMARY, LOG), lambda m: m.expected_purchases(30.0, LOG_SUMMARY)),
]


@pytest.mark.parametrize(
    ("name", "check"),
    [
        pytest.param(name, check, id=f"{type(est).__name__}-{name}")
        for est, args, use in CASES
        for name, check in estimator_checks(est, fit_args=args, use=use)
    ],
)
def test_estimator_contract(name: str, check: Any) -> None:
    """Each built-in purchase or spend model passes the shared estimator-contract check."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check()


@pytest.mark.parametrize("cls", [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel])
def test_purchase_models_satisfy_the_protocol(cls: type) -> None:
    """BG/NBD, MBG/NBD and Pareto/NBD are PurchaseModels and predict finite values per customer."""
    m = cls().fit(SUMMARY)
    assert isinstance(m, PurchaseModel)
    for out in (
        m.expected_purchases(4.0, SUMMARY),
        m.p_alive(SUMMARY),
        m.probability_of_purchases(0, 4.0, SUMMARY),
    ):
        assert (len(SUMMARY),) == out.shape
        assert np.isfinite(out).all()
