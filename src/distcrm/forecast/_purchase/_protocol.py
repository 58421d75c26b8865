"""The shape every purchase model has, built-in or your own."""

from __future__ import annotations

from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

from distcrm.data import CustomerSummary

__all__ = ["PurchaseModel"]

FloatArray = npt.NDArray[np.float64]


@runtime_checkable
class PurchaseModel(Protocol):
    """A customer-base purchase model (BG/NBD, MBG/NBD, Pareto/NBD or your own).

    The contract: ``fit(summary)`` learns from a :class:`~distcrm.data.CustomerSummary`
    (frequency, recency, T), keeps its parameters in ``params_`` (a mapping of name
    to value) and returns ``self``; before ``fit`` every prediction raises
    :class:`~distcrm.errors.NotFittedError`; predictions take a summary in the unit the
    model was fitted in and return one finite value per customer, never NaN.
    ``distcrm.testing.estimators.estimator_checks`` checks the estimator side of it.

    Examples
    --------
    >>> from distcrm.forecast import BetaGeoModel, ParetoNBDModel
    >>> isinstance(BetaGeoModel(), PurchaseModel), isinstance(ParetoNBDModel(), PurchaseModel)
    (True, True)
    """

    def fit(self, summary: CustomerSummary) -> Self:
        """Learn the model's parameters from ``summary``; return ``self``."""
        ...

    def expected_purchases(self, t: Any, summary: CustomerSummary | None = None) -> FloatArray:
        """Expected repeat purchases in the next ``t`` time units (per customer of ``summary``)."""
        ...

    def p_alive(self, summary: CustomerSummary) -> FloatArray:
        """Probability that each customer is still active at the end of calibration."""
        ...

    def probability_of_purchases(self, k: int, t: Any, summary: CustomerSummary | None = None) -> FloatArray:
        """Probability of exactly ``k`` purchases in the next ``t`` time units."""
        ...
