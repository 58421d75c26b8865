"""The shape every segmenter has, built-in or your own."""

from __future__ import annotations

from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = ["Segmenter"]


@runtime_checkable
class Segmenter(Protocol):
    """Assigns each customer a segment (:class:`RFM`, :class:`KMeansSegmenter` or your own).

    The contract: ``fit(data)`` learns (or validates its configuration) and returns
    ``self``; ``predict(data)`` returns one integer segment code per customer, in input
    order, and raises :class:`~distcrm.errors.NotFittedError` before ``fit``.
    ``distcrm.testing.estimators.estimator_checks`` checks the estimator side of it.

    Examples
    --------
    >>> from distcrm.segmentation import RFM, KMeansSegmenter
    >>> isinstance(RFM(), Segmenter), isinstance(KMeansSegmenter(), Segmenter)
    (True, True)
    """

    def fit(self, data: Any) -> Self:
        """Learn from ``data``; return ``self``."""
        ...

    def predict(self, data: Any) -> npt.NDArray[np.intp] | npt.NDArray[np.int64]:
        """One segment code per customer of ``data``."""
        ...
