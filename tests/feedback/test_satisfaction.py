"""Tests for key-driver analysis, SatisfactionScorer shrinkage and the Wilson bound."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.errors import ConvergenceWarning, NotFittedError, ValidationError
from distcrm.feedback import (
    SatisfactionScorer,
    key_drivers,
    lmg_weights,
    relative_weights,
    wilson_lower_bound,
)


def test_wilson_lower_bound_published_value() -> None:
    """Wilson 95 % lower bound of 9/10 is 0.5958 (Agresti & Coull 1998, score interval)."""
    assert 0.5958 == pytest.approx(float(wilson_lower_bound([9], [10])[0]), abs=1e-4)


def test_wilson_ranks_more_evidence_higher() -> None:
    """90 of 100 outranks 1 of 1."""
    lb = wilson_lower_bound([90, 1], [100, 1])
    assert lb[0] > lb[1]


def test_lmg_two_predictor_closed_form() -> None:
    """Two predictors: LMG_1 = (r1² + R² − r2²)/2 and both methods sum to R²."""
    R = np.array([[1.0, 0.3], [0.3, 1.0]])
    r = np.array([0.5, 0.4])
    R2 = (0.25 + 0.16 - 2 * 0.3 * 0.5 * 0.4) / (1 - 0.09)
    w = lmg_weights(R, r)
    assert (0.25 + R2 - 0.16) / 2 == pytest.approx(w[0])
    assert R2 == pytest.approx(w.sum())
    assert R2 == pytest.approx(relative_weights(R, r).sum())


def test_methods_agree_for_uncorrelated_attributes() -> None:
    """With orthogonal attributes both methods give each its squared correlation."""
    R = np.eye(3)
    r = np.array([0.5, 0.3, 0.1])
    assert np.allclose(r**2, lmg_weights(R, r))
    assert np.allclose(r**2, relative_weights(R, r))


def test_relative_weights_match_johnson_svd_construction() -> None:
    """Johnson's (2000) construction from the data (SVD, orthogonal Z) gives the same weights."""
    rng = np.random.default_rng(4)
    cov = np.array([[1, 0.6, 0.3], [0.6, 1, 0.4], [0.3, 0.4, 1]])
    X = rng.multivariate_normal(np.zeros(3), cov, size=400)
    y = X @ np.array([0.5, 0.3, 0.2]) + rng.normal(size=400)
    Xs = (X - X.mean(0)) / X.std(0)
    ys = (y - y.mean()) / y.std()
    U, _, Vt = np.linalg.svd(Xs, full_matrices=False)
    Z = np.sqrt(len(ys)) * U @ Vt  # orthonormal in the correlation metric: ZᵀZ/n = I
    beta = np.linalg.lstsq(Z, ys, rcond=None)[0]
    Lam = np.linalg.lstsq(Z, Xs, rcond=None)[0]
    eps = (Lam.T**2) @ (beta**2)
    d = key_drivers(X, y)
    assert np.allclose(eps, d.relative_weights)
    r2 = 1 - np.sum((ys - Xs @ np.linalg.lstsq(Xs, ys, rcond=None)[0]) ** 2) / np.sum(ys**2)
    assert r2 == pytest.approx(d.r2)
    assert r2 == pytest.approx(sum(d.lmg))


def test_constant_attribute_is_named() -> None:
    """A constant column is reported by name."""
    X = np.column_stack([np.arange(10.0), np.ones(10)])
    with pytest.raises(ValidationError) as info:
        key_drivers(X, np.arange(10.0), names=["product", "service"])
    assert "service" in info.value.field


def test_scorer_learns_weights_and_shrinks() -> None:
    """Learned weights favour the true driver; a one-response customer is pulled to the mean."""
    rng = np.random.default_rng(1)
    n_cust = 200
    truth = rng.normal(0, 0.5, n_cust)
    ids = np.repeat(np.arange(n_cust), 5)
    X = np.clip(3.5 + truth[ids, None] + rng.normal(0, 0.7, (ids.size, 3)), 1, 5)
    y = X @ np.array([0.6, 0.3, 0.1]) + rng.normal(0, 0.3, ids.size)
    ids = ids.astype(str)
    ids[0] = "solo"
    s = SatisfactionScorer(attribute_names=["product", "punctuality", "service"]).fit(X, y, customer_ids=ids)
    assert np.argmax(s.weights_) == 0
    assert 1.0 == pytest.approx(s.weights_.sum())
    cs = s.customer_scores_
    solo = int(np.flatnonzero(cs.customer_ids == "solo")[0])
    assert abs(cs.shrunk[solo] - s.population_mean_) < abs(cs.raw_mean[solo] - s.population_mean_)
    assert 0 < s.prior_strength_ < np.inf


def test_given_weights_mapping_and_predict() -> None:
    """Weights by name are normalised; predict scores new responses with the fitted prior."""
    X = [[5, 5, 5], [1, 1, 1], [4, 4, 4], [2, 2, 2]]
    s = SatisfactionScorer(
        weights={"a": 2, "b": 1, "c": 1}, attribute_names=["a", "b", "c"], prior_strength=1.0
    )
    s.fit(X, customer_ids=["x", "y", "x", "y"])
    assert [0.5, 0.25, 0.25] == s.weights_.tolist()
    p = s.predict([[5, 5, 5]], customer_ids=["z"])
    assert (5 + 3) / 2 == pytest.approx(p.shrunk[0])


def test_scorer_errors() -> None:
    """Missing y without weights, NaN ratings and use before fit are errors."""
    with pytest.raises(ValidationError):
        SatisfactionScorer().fit([[1, 2], [3, 4], [5, 5], [2, 2]])
    with pytest.raises(ValidationError):
        SatisfactionScorer(weights=[1, 1]).fit([[1, np.nan]])
    with pytest.raises(NotFittedError):
        SatisfactionScorer().transform([[1, 2]])


def test_no_between_variance_warns() -> None:
    """Identical customers give a ConvergenceWarning and full shrinkage."""
    X = [[3, 3], [4, 4], [3, 3], [4, 4]]
    with pytest.warns(ConvergenceWarning):
        s = SatisfactionScorer(weights=[1, 1]).fit(X, customer_ids=["a", "a", "b", "b"])
    assert np.allclose(s.population_mean_, s.customer_scores_.shrunk)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.integers(0, 10_000))
def test_both_decompositions_sum_to_r2(p: int, seed: int) -> None:
    """Relative weights and LMG are non-negative and each sums to R²."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(p, p))
    X = rng.normal(size=(60, p)) @ A
    y = X @ rng.normal(size=p) + rng.normal(size=60)
    d = key_drivers(X, y)
    assert d.r2 == pytest.approx(sum(d.lmg), abs=1e-9)
    assert min(d.relative_weights) >= -1e-12
    assert min(d.lmg) >= -1e-9
