"""Invariants of every forecaster on random non-negative panels (hypothesis)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from distcrm.data import DemandPanel
from distcrm.forecast import (
    ADIDA,
    ETS,
    IMAPA,
    SES,
    TSB,
    BaseForecaster,
    Croston,
    CrostonOptimized,
    CrostonSBA,
    Holt,
    MovingAverage,
    Naive,
)
from distcrm.forecast._base import count_cdf

ALL: dict[str, Callable[[], BaseForecaster]] = {
    "Naive": Naive,
    "MovingAverage": lambda: MovingAverage(3),
    "SES": SES,
    "Holt": Holt,
    "ETS": ETS,
    "Croston": Croston,
    "CrostonSBA": CrostonSBA,
    "CrostonOptimized": CrostonOptimized,
    "TSB": lambda: TSB(0.2, 0.1),
    "ADIDA": ADIDA,
    "IMAPA": IMAPA,
}
INTERMITTENT = ["Croston", "CrostonSBA", "CrostonOptimized", "TSB", "ADIDA", "IMAPA"]

# intermittent counts: mostly zeros, small lumps
counts = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(8, 20)),
    elements=st.sampled_from([0.0, 0.0, 0.0, 1.0, 2.0, 5.0, 13.0]),
)
reals = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(8, 20)),
    elements=st.floats(0.0, 50.0, allow_nan=False, allow_infinity=False),
)


@pytest.mark.parametrize("name", list(ALL))
@settings(max_examples=10, deadline=None)
@given(y=st.one_of(counts, reals))
def test_forecasts_finite_and_non_negative(name: str, y: np.ndarray) -> None:
    """Every method forecasts finite, non-negative means and variances for non-negative input."""
    fc = ALL[name]().fit(DemandPanel.from_array(y)).predict(4)
    assert (y.shape[0], 4) == fc.mean.shape
    assert np.isfinite(fc.mean).all()
    assert (fc.mean >= 0).all()
    assert np.isfinite(fc.variance).all()
    assert (fc.variance >= 0).all()


@pytest.mark.parametrize("name", INTERMITTENT)
@settings(max_examples=10, deadline=None)
@given(y=counts, zero_row=st.integers(0, 3))
def test_all_zero_series_forecast_zero(name: str, y: np.ndarray, zero_row: int) -> None:
    """An all-zero series forecasts exactly 0, whatever the other series in the panel."""
    y = y.copy()
    row = zero_row % y.shape[0]
    y[row] = 0.0
    fc = ALL[name]().fit(DemandPanel.from_array(y)).predict(2)
    assert [0.0, 0.0] == fc.mean[row].tolist()


@pytest.mark.parametrize("name", ["Croston", "TSB", "ADIDA", "SES", "Naive"])
@settings(max_examples=10, deadline=None)
@given(y=st.one_of(counts, reals))
def test_quantiles_monotone_and_interval_holds_its_level(name: str, y: np.ndarray) -> None:
    """Quantiles never decrease with the level; the 90 % interval holds 90 % of the predictive
    distribution and the median (normal demand: it is central, so it brackets the mean).

    A count interval need not hold the mean: with ``P(Y = 0) >= 0.9`` (mean 2, variance 171
    is one such negative binomial) ``[0, 0]`` already holds 90 %, while the long tail puts the
    mean at 2.
    """
    fc = ALL[name]().fit(DemandPanel.from_array(y)).predict(3)
    q = fc.quantiles([0.05, 0.25, 0.5, 0.75, 0.95])
    assert (np.diff(q, axis=-1) >= 0).all()
    lo, hi = fc.interval(0.9)
    assert (lo <= hi).all()
    assert (lo <= q[..., 2]).all()
    assert (q[..., 2] <= hi).all()
    if fc.family == "normal":
        assert (lo <= fc.mean + 1e-9).all()
        assert (fc.mean <= hi + 1e-9).all()
    else:
        below = np.where(lo > 0, count_cdf(fc.mean, fc.variance, lo - 1.0), 0.0)
        assert (count_cdf(fc.mean, fc.variance, hi) - below >= 0.9 - 1e-9).all()


def test_count_interval_may_leave_out_the_mean() -> None:
    """The case the property above allows: a 90 % count interval of [0, 0] under a mean of 2."""
    fc = Naive().fit(DemandPanel.from_array([[0, 13, 0, 13, 13, 13, 13, 13, 13, 13, 13, 2]])).predict(3)
    _lo, hi = fc.interval(0.9)
    assert "negbin" == fc.family
    assert [2.0] * 3 == fc.mean[0].tolist()
    assert 0.0 == hi[0, 2]
    assert count_cdf(fc.mean, fc.variance, hi)[0, 2] >= 0.9


@settings(max_examples=20, deadline=None)
@given(y=counts, scale=st.sampled_from([1.0, 2.0, 10.0]))
def test_croston_scales_with_demand(y: np.ndarray, scale: float) -> None:
    """Croston is homogeneous: multiplying every demand by a constant multiplies the forecast by it."""
    a = Croston().fit(DemandPanel.from_array(y)).predict(1).mean
    b = Croston().fit(DemandPanel.from_array(y * scale)).predict(1).mean
    np.testing.assert_allclose(scale * a, b, rtol=1e-12, atol=1e-12)


@settings(max_examples=5, deadline=None)
@given(y=counts)
def test_block_size_does_not_change_results(y: np.ndarray) -> None:
    """A series' forecast does not depend on the other series fitted with it."""
    panel = DemandPanel.from_array(np.vstack([y, y[::-1]]))
    for name in INTERMITTENT:
        both = ALL[name]().fit(panel).predict(1).mean[:, 0]
        alone = ALL[name]().fit(DemandPanel.from_array(y)).predict(1).mean[:, 0]
        # equal up to rounding (a BLAS product may take another kernel path at another size)
        np.testing.assert_allclose(alone, both[: y.shape[0]], rtol=1e-12, atol=1e-12, err_msg=name)
