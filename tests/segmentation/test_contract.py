"""The estimator contract and the Segmenter protocol over every built-in segmenter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from distcrm.errors import NotFittedError
from distcrm.segmentation import RFM, KMeansSegmenter, RFMData, Segmenter
from distcrm.testing.estimators import estimator_checks

_rng = np.random.default_rng(2)
X = np.r_[_rng.lognormal(1, 0.3, (60, 3)), _rng.lognormal(3, 0.3, (60, 3))]
DATA = RFMData.from_arrays(recency=X[:, 0], frequency=X[:, 1], monetary=X[:, 2])

CASES: list[tuple[Any, Any]] = [
    (RFM(), DATA),
    (
        RFM(
            method="thresholds",
            n_bins=3,
            thresholds={"recency": [2, 9], "frequency": [2, 9], "monetary": [2, 9]},
        ),
        DATA,
    ),
    (KMeansSegmenter(n_clusters=2, random_state=0), X),
    (KMeansSegmenter(n_clusters="auto", k_range=(2, 3), random_state=0), X),
]


@pytest.mark.parametrize(
    ("name", "check"),
    [
        pytest.param(name, check, id=f"{type(est).__name__}{i}-{name}")
        for i, (est, data) in enumerate(CASES)
        for name, check in estimator_checks(est, fit_args=(data,), use=lambda e, d=data: e.predict(d))
    ],
)
def test_estimator_contract(name: str, check: Any) -> None:
    """Each built-in segmenter passes the shared estimator-contract check."""
    check()


@pytest.mark.parametrize(("est", "data"), CASES)
def test_segmenters_satisfy_the_protocol(est: Any, data: Any) -> None:
    """RFM and k-means are Segmenters: one integer code per customer after fit, NotFittedError before."""
    assert isinstance(est, Segmenter)
    with pytest.raises(NotFittedError):
        type(est)(**est.get_params()).predict(data)
    codes = est.fit(data).predict(data)
    assert (len(X),) == codes.shape
    assert "i" == codes.dtype.kind
