"""The estimator conformance suite itself: what it accepts and what it catches."""

from __future__ import annotations

import itertools
from typing import Any, Self

import attrs
import numpy as np
import pytest

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.testing.estimators import check_estimator

_counter = itertools.count()


@attrs.frozen(eq=False)
class _Result:
    """A result object holding arrays; ``eq=False`` makes its own ``==`` identity."""

    values: np.ndarray
    label: str


class _ArrayResultEstimator(BaseEstimator):
    def __init__(self, scale: float = 1.0, drift: bool = False) -> None:
        self.scale = scale
        self.drift = drift

    def fit(self, X: Any) -> Self:
        shift = next(_counter) if self.drift else 0
        self.result_ = _Result(values=np.asarray(X, dtype=float) * self.scale + shift, label="fit")
        return self

    def predict(self) -> np.ndarray:
        check_is_fitted(self, "result_", "predict")
        return self.result_.values


class _SeededEstimator(BaseEstimator):
    def __init__(self, random_state: int | None = None, use_seed: bool = True) -> None:
        self.random_state = random_state
        self.use_seed = use_seed

    def fit(self, X: Any) -> Self:
        seed = self.random_state if self.use_seed else None
        self.draw_ = np.random.default_rng(seed).random(3)
        return self

    def predict(self) -> np.ndarray:
        check_is_fitted(self, "draw_", "predict")
        return self.draw_


def test_result_objects_without_value_equality_are_compared_field_by_field() -> None:
    """An attrs result with eq=False and array fields passes the determinism checks."""
    check_estimator(_ArrayResultEstimator(), fit_args=([1.0, 2.0],), use=lambda e: e.predict())


def test_a_result_object_that_differs_between_fits_is_caught() -> None:
    """Learned state that changes from one fit to the next fails fit_is_deterministic."""
    with pytest.raises(AssertionError, match="fit_is_deterministic"):
        check_estimator(_ArrayResultEstimator(drift=True), fit_args=([1.0, 2.0],))


def test_an_unseeded_random_state_is_seeded_for_the_determinism_checks() -> None:
    """random_state=None is fixed to 0 for the determinism checks, as scikit-learn's checks do."""
    check_estimator(_SeededEstimator(random_state=None), fit_args=([1.0],), use=lambda e: e.predict())


def test_an_estimator_that_ignores_its_random_state_is_caught() -> None:
    """An estimator drawing fresh entropy whatever its random_state fails fit_is_deterministic."""
    with pytest.raises(AssertionError, match="fit_is_deterministic"):
        check_estimator(_SeededEstimator(use_seed=False), fit_args=([1.0],))
