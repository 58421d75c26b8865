"""Demand forecasting: intermittent and smooth item demand, probabilistic, auto-selected.

Every forecaster takes a :class:`distcrm.data.DemandPanel` and works on all series at
once: ``Croston().fit(panel).predict(h)`` returns a :class:`Forecast` with ``.mean``,
``.quantiles(levels)``, ``.interval(level)``, ``.to_frame()`` and ``.plot()``.
"""

from distcrm.forecast._auto import AutoForecaster
from distcrm.forecast._base import BaseForecaster, Forecast, complete_series
from distcrm.forecast._customer import (
    InterPurchaseHazard,
    PurchaseProbabilityModel,
    expected_basket,
    who_orders,
)
from distcrm.forecast._ets import ETS, SES, Holt, HoltWinters
from distcrm.forecast._evaluate import (
    Accuracy,
    BacktestResult,
    DemandClasses,
    backtest,
    classify_demand,
    evaluate,
)
from distcrm.forecast._intermittent import ADIDA, IMAPA, TSB, Croston, CrostonOptimized, CrostonSBA
from distcrm.forecast._purchase._betageo import BetaGeoModel, ModifiedBetaGeoModel
from distcrm.forecast._purchase._gammagamma import GammaGammaModel
from distcrm.forecast._purchase._pareto import ParetoNBDModel
from distcrm.forecast._purchase._protocol import PurchaseModel
from distcrm.forecast._purchase._results import HoldoutEvaluation, PurchaseForecast
from distcrm.forecast._purchase._seasonal import SeasonalPurchaseModel
from distcrm.forecast._replenish import ReplenishmentPlan, prestock, reorder_points
from distcrm.forecast._simple import MovingAverage, Naive, SeasonalNaive
from distcrm.forecast._tables import CustomerBaskets, OrderProbabilities, PrestockList

__all__ = [
    "ADIDA",
    "ETS",
    "IMAPA",
    "SES",
    "TSB",
    "Accuracy",
    "AutoForecaster",
    "BacktestResult",
    "BaseForecaster",
    "BetaGeoModel",
    "Croston",
    "CrostonOptimized",
    "CrostonSBA",
    "CustomerBaskets",
    "DemandClasses",
    "Forecast",
    "GammaGammaModel",
    "HoldoutEvaluation",
    "Holt",
    "HoltWinters",
    "InterPurchaseHazard",
    "ModifiedBetaGeoModel",
    "MovingAverage",
    "Naive",
    "OrderProbabilities",
    "ParetoNBDModel",
    "PrestockList",
    "PurchaseForecast",
    "PurchaseModel",
    "PurchaseProbabilityModel",
    "ReplenishmentPlan",
    "SeasonalNaive",
    "SeasonalPurchaseModel",
    "backtest",
    "classify_demand",
    "complete_series",
    "evaluate",
    "expected_basket",
    "prestock",
    "reorder_points",
    "who_orders",
]
